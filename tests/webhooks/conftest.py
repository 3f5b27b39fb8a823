"""A real HTTP receiver in a thread of the test process, answering with the codes it is told."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.codes: list[int] = []  # answers to give, in order; then 200
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append(
                        {"headers": dict(self.headers), "raw": raw, "json": json.loads(raw)}
                    )
                    code = receiver.codes.pop(0) if receiver.codes else 200
                out = b'{"ok": true}' if code < 300 else b"x" * 5000
                self.send_response(code)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.CSKH_WEBHOOKS_ALLOW_HTTP = True
    settings.CSKH_WEBHOOKS_ALLOW_PRIVATE = True
    with Receiver() as r:
        yield r


@pytest.fixture
def manager(db, center):
    from cskh.org.services import create_user

    return create_user(
        username="quanly",
        password="Matkhau!2026",
        role="manager",
        unit=center,
        email="quanly@example.vn",
    )
