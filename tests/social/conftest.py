"""Social listening: settings for signed Facebook feed webhooks, immediate tasks, a local
HTTP server standing in for the page API and an RSS site."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

FB_SECRET = "fb-app-secret"


@pytest.fixture(autouse=True)
def social_settings(settings):
    settings.CSKH_FACEBOOK_APP_SECRET = FB_SECRET
    settings.CSKH_FACEBOOK_VERIFY_TOKEN = "verify-me"
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "notify", "scoring"],
        }
    }
    settings.CSKH_SOCIAL_PAGE_API = {"BACKEND": "log", "URL": "", "TOKEN": "", "TIMEOUT": 5}
    return settings


def mention(
    i: int = 1, text: str = "Nhà mình ở hẻm 42 mất điện từ sáng mà không ai báo", **kw: Any
):
    d: dict[str, Any] = {
        "source": "facebook_group",
        "external_id": f"g-{i}",
        "url": f"https://facebook.com/groups/1/posts/{i}",
        "author": f"Người dùng {i}",
        "author_id": f"u-{i}",
        "text": text,
        "posted_at": datetime(2026, 12, 6, 8, 0, tzinfo=UTC).isoformat(),
        "profile": "electricity",
        "reach": {"followers": 100, "reactions": 5, "shares": 1},
    }
    d.update(kw)
    return d


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.responses: list[tuple[int, dict[str, str], bytes]] = []


@pytest.fixture
def local_http() -> Iterator[tuple[str, Recorder]]:
    """A local HTTP server: records each request, answers with the queued responses."""
    rec = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            rec.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": self.rfile.read(n) if n else b"",
                }
            )
            status, headers, body = rec.responses.pop(0) if rec.responses else (200, {}, b"{}")
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", rec
    server.shutdown()
    server.server_close()
