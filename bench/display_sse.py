"""The Server-Sent Events alternative for display boards, measured by bench/display_board.py.

Not used by the product (boards poll `GET /api/v1/display`); kept so the comparison in
docs/performance.md can be run again. Its best form: one watcher thread per process reads
the board version from the database every 0.2 s and wakes the streams when it changes; the
state is built once per version and process. Serve with gthread workers, one thread per board:
    gunicorn --worker-class gthread --workers 2 --threads 32 bench.display_sse:app
"""

import json
import threading
import time

from flask import Response

from api.display import board_json
from api.views import bearer_key
from app import create_app
from core.accounts.devices import authenticate_device
from core.clock import local_today
from core.models import DeviceKind
from core.queue.board import board_state, board_version
from extensions import db

WATCH_SECONDS = 0.2
KEEPALIVE_SECONDS = 15

app = create_app()


class Watcher:
    """One per process: notices a new board version and wakes every stream waiting for it."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.bodies: dict[str, str] = {}
        self.changed = threading.Condition()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, daemon=True)
                self.thread.start()

    def run(self) -> None:
        while True:
            with app.app_context():
                version = board_version(local_today())
                db.session.remove()
            if version != self.version:
                with self.changed:
                    self.version = version
                    self.changed.notify_all()
            time.sleep(WATCH_SECONDS)

    def body(self, version: str) -> str:
        with self.lock:
            if version not in self.bodies:
                with app.app_context():
                    self.bodies = {version: json.dumps(board_json(board_state(local_today())))}
                    db.session.remove()
            return self.bodies[version]


watcher = Watcher()


@app.get("/bench/display/stream")
def display_stream():
    authenticate_device(bearer_key(), DeviceKind.DISPLAY)
    db.session.remove()
    watcher.start()

    def events():
        sent = None

        def is_new() -> bool:
            return watcher.version != sent

        while True:
            with watcher.changed:
                watcher.changed.wait_for(is_new, KEEPALIVE_SECONDS)
                version = watcher.version
            if version is None or version == sent:
                yield ": keep-alive\n\n"
                continue
            sent = version
            yield f"id: {version}\ndata: {watcher.body(version)}\n\n"

    return Response(
        events(),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
