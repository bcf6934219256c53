"""A fake network printer on 127.0.0.1: keeps what it receives, answers DLE EOT as told.

Modes: online, paper_low, paper_out, offline (answer accordingly), silent (reads, never
answers) and never_read (accepts the connection and never reads a byte). It answers only
status queries in command position, as a printer does, not bytes inside image data.
"""

from __future__ import annotations

import socket
import threading

from escpos_reader import Incomplete, commands

ANSWERS = {
    # mode: (DLE EOT 1 printer status, DLE EOT 4 roll paper status)
    "online": (0x12, 0x12),
    "paper_low": (0x12, 0x1E),
    "paper_out": (0x1A, 0x72),
    "offline": (0x1A, 0x12),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FakePrinter:
    def __init__(self, port: int | None = None, mode: str = "online"):
        self.port = port or free_port()
        self.url = f"tcp://127.0.0.1:{self.port}"
        self.mode = mode
        self.received: list[bytes] = []  # one entry per finished connection
        self.errors: list[str] = []
        self.connections = 0
        # Guards what it received, and is notified as each connection ends.
        self.lock = threading.Condition()
        self.listener: socket.socket | None = None
        self.stopping = threading.Event()
        self.acceptor: threading.Thread | None = None
        self.servers: list[threading.Thread] = []

    # --- life cycle ---
    def start(self) -> FakePrinter:
        self.stopping.clear()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(8)
        listener.settimeout(0.1)
        self.listener = listener
        self.acceptor = threading.Thread(target=self.accept_loop, daemon=True)
        self.acceptor.start()
        return self

    def stop(self) -> None:
        """Stop listening, and return once every connection has ended and been recorded."""
        self.stopping.set()
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        if self.acceptor is not None:
            self.acceptor.join(timeout=5)  # then no connection starts any more
            self.acceptor = None
        for server in self.servers:
            server.join(timeout=5)
        self.servers = []

    def __enter__(self) -> FakePrinter:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what it printed ---
    @property
    def jobs(self) -> list[bytes]:
        """Connections that carried print data (not only status queries)."""
        with self.lock:
            return self.print_jobs()

    def print_jobs(self) -> list[bytes]:
        return [data for data in self.received if strip_status(data)]

    def wait_for_jobs(self, count: int, timeout: float) -> list[bytes]:
        """The jobs once `count` have arrived, or those that came within `timeout` seconds."""
        with self.lock:
            self.lock.wait_for(lambda: len(self.print_jobs()) >= count, timeout)
            return self.print_jobs()

    # --- serving ---
    def accept_loop(self) -> None:
        listener = self.listener
        while not self.stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
            server = threading.Thread(target=self.serve, args=(connection,), daemon=True)
            self.servers.append(server)
            server.start()

    def serve(self, connection: socket.socket) -> None:
        buffer = bytearray()
        parsed = 0
        connection.settimeout(0.05)
        try:
            if self.mode == "never_read":
                while not self.stopping.wait(0.05):
                    pass
                return
            while not self.stopping.is_set():
                try:
                    chunk = connection.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                buffer += chunk
                parsed = self.answer_queries(connection, buffer, parsed)
        finally:
            connection.close()
            with self.lock:
                self.received.append(bytes(buffer))
                self.lock.notify_all()

    def answer_queries(self, connection: socket.socket, buffer: bytearray, parsed: int) -> int:
        try:
            for command in commands(bytes(buffer), parsed):
                if command.name == "TEXT" and command.end == len(buffer):
                    break  # the rest of the text may still be on its way
                parsed = command.end
                if command.name == "DLE EOT" and self.mode in ANSWERS:
                    which = 0 if command.args[0] == 1 else 1
                    connection.sendall(bytes((ANSWERS[self.mode][which],)))
        except Incomplete:
            pass
        except ValueError as error:
            self.errors.append(str(error))
            return len(buffer)
        return parsed


def strip_status(data: bytes) -> bytes:
    """The bytes of a connection without its status queries."""
    out = bytearray()
    try:
        for command in commands(data):
            if command.name != "DLE EOT":
                out += data[command.start : command.end]
    except (Incomplete, ValueError):
        return data
    return bytes(out)
