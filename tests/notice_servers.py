"""A real SMTP server (aiosmtpd) and a fake HTTP gateway (SMS, Zalo) on 127.0.0.1, for the
notices tests; each keeps what it received, and the gateway can be taken down and back."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from conftest import free_port, wait_until


class SmtpServer:
    """aiosmtpd in a process of its own (its `atpublic` dependency is imported as `public`,
    the name of this project's public pages), storing each message in a Maildir."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.maildir = folder / "maildir"
        self.log_path = folder / "smtp.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.port}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(self.maildir),
            ],  # fmt: skip
            cwd=folder,  # not the project: `public` must be atpublic's here
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
        )
        if not wait_until(self.answering, 20):
            self.stop()
            raise RuntimeError("the SMTP server did not start:\n" + self.log_path.read_text())

    def answering(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                return connection.recv(3) == b"220"
        except OSError:
            return False

    @property
    def messages(self) -> list:
        """Every message received, oldest first, as `email.message.EmailMessage`s."""
        if not self.maildir.exists():
            return []
        files = sorted(
            (self.maildir / "new").iterdir(), key=lambda path: (path.stat().st_mtime_ns, path.name)
        )
        return [message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class FakeGateway:
    """An SMS/Zalo gateway: answers each POST with `status` (200 unless told otherwise),
    keeping the request's path, headers and JSON body; `down()` stops listening (connection
    refused) and `up()` listens again on the same port; `hang()` takes requests and never
    answers (a gateway that is down behind its load balancer) until `answer()`."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/send"
        self.received: list[dict] = []
        self.status = 200
        self.server = None
        self.answering = threading.Event()
        self.answering.set()
        self.up()

    def hang(self) -> None:
        self.answering.clear()

    def answer(self) -> None:
        self.answering.set()

    def up(self) -> None:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if not gateway.answering.wait(30):
                    return
                if gateway.status == 200:
                    gateway.received.append(
                        {"path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
                    )
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"code": 0}')

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        self.answering.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def texts(self) -> list[str]:
        return [request["body"]["message"] for request in self.received]
