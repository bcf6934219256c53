"""The print agent keeps the kiosk's key safe and survives what a server sends it: https
only (http with --insecure), no redirects followed, the key from KIOSK_KEY or a file, and a
malformed job logged and skipped. A real HTTP server on 127.0.0.1 plays the desk."""

from __future__ import annotations

import base64
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.print_agent import Agent, AgentClient, ServerError, main
from fake_printer import FakePrinter

KEY = "k" * 43


class Desk:
    """A stand-in desk: answers each claim with the next of `answers` (then 204), each
    result with 200, and keeps what it got."""

    def __init__(self, answers: list[tuple[int, dict[str, str], bytes]]):
        self.answers = list(answers)
        self.requests: list[tuple[str, str, dict]] = []  # path, Authorization, body
        desk = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                desk.requests.append((self.path, self.headers.get("Authorization"), body))
                if self.path.endswith("/result"):
                    status, headers, content = 200, {}, b"{}"
                elif desk.answers:
                    status, headers, content = desk.answers.pop(0)
                else:
                    status, headers, content = 204, {}, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def root_logging():
    """main() configures logging for its process; give the next test the handlers back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def desks():
    started = []

    def start(*answers):
        desk = Desk(list(answers))
        started.append(desk)
        return desk

    yield start
    for desk in started:
        desk.close()


def job(printer_url: str, **changes) -> tuple[int, dict, bytes]:
    body = {
        "id": 7,
        "label": "A001",
        "payload_base64": base64.b64encode(b"\x1b@Hello\n").decode(),
        "printer": {"url": printer_url, "check_status": False},
        **changes,
    }
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def test_a_plain_http_server_is_refused_unless_insecure(desks, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_KEY", KEY)
    with pytest.raises(SystemExit) as refused:
        main(["--server", "http://10.0.0.2:5000", "--once"])
    assert refused.value.code == 2 and "https://" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--server", "ftp://10.0.0.2", "--once", "--insecure"])
    desk = desks()
    assert main(["--server", desk.url, "--insecure", "--once"]) == 0
    assert desk.requests[0][:2] == ("/api/v1/print-jobs/claim", f"Bearer {KEY}")
    assert "unencrypted" in capsys.readouterr().err  # main() logs to standard error


def test_a_redirect_is_not_followed_with_the_key(desks):
    elsewhere = desks()
    desk = desks((302, {"Location": elsewhere.url + "/api/v1/print-jobs/claim"}, b""))
    agent = Agent(AgentClient(desk.url, KEY))
    with pytest.raises(ServerError, match="not followed"):
        agent.run_once()
    assert len(desk.requests) == 1 and elsewhere.requests == []


def test_the_key_comes_from_a_file_or_the_environment(desks, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("KIOSK_KEY", raising=False)
    desk = desks()
    key_file = tmp_path / "kiosk.key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o600)
    assert main(["--server", desk.url, "--insecure", "--once", "--key-file", str(key_file)]) == 0
    assert desk.requests[-1][1] == f"Bearer {KEY}"
    assert "readable by other users" not in capsys.readouterr().err
    key_file.chmod(0o644)
    assert main(["--server", desk.url, "--insecure", "--once", "--key-file", str(key_file)]) == 0
    assert "readable by other users" in capsys.readouterr().err
    # The old flag still works, with a warning; no key at all is refused.
    assert main(["--server", desk.url, "--insecure", "--once", "--key", "old" * 10]) == 0
    assert desk.requests[-1][1] == "Bearer " + "old" * 10
    assert "process list" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--server", desk.url, "--insecure", "--once"])


@pytest.mark.parametrize(
    "answer",
    [
        (200, {"Content-Type": "application/json"}, b"<html>not json"),
        (200, {"Content-Type": "application/json"}, b"[1, 2, 3]"),
        job("tcp://127.0.0.1:9", payload_base64="%%% not base64 %%%"),
        job("tcp://127.0.0.1:9", printer=None),
        job("tcp://127.0.0.1:9", id="seven"),
    ],
)
def test_a_malformed_job_is_logged_and_the_agent_goes_on(desks, answer, caplog):
    with FakePrinter() as printer:
        desk = desks(answer, job(printer.url, id=8))
        agent = Agent(AgentClient(desk.url, KEY), poll=0.01)
        with caplog.at_level(logging.INFO, "print-agent"):
            assert agent.run_once() is False  # the bad one, skipped
            assert agent.run_once() is True  # the next one prints
        assert "malformed print job" in caplog.text
        reports = {path: body for path, _, body in desk.requests if path.endswith("/result")}
        assert reports["/api/v1/print-jobs/8/result"]["sent"] is True and agent.printed == 1
        if "/api/v1/print-jobs/7/result" in reports:  # a job with an id is reported failed
            assert reports["/api/v1/print-jobs/7/result"]["sent"] is False
        assert printer.wait_for_jobs(1, timeout=5)
