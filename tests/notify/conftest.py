"""Real parts for the outbox: an aiosmtpd SMTP server and an HTTP gateway in this process."""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Records every message the SMTP server accepted (raw, duplicates included)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        with self.lock:
            self.messages.append(
                {
                    "message_id": str(msg["Message-ID"]),
                    "to": list(envelope.rcpt_tos),
                    "subject": str(msg["Subject"] or ""),
                    "body": msg.get_content(),
                }
            )
        return "250 OK"

    def ids(self) -> Counter:
        with self.lock:
            return Counter(m["message_id"] for m in self.messages)

    def __len__(self) -> int:
        with self.lock:
            return len(self.messages)


@pytest.fixture
def smtp_sink():
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.host, sink.port = "127.0.0.1", port
    yield sink
    controller.stop()


class Gateway:
    """A scripted SMS / Zalo ZNS gateway: responses are popped from `script`, then 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict]] = []
        self.lock = threading.Lock()


@pytest.fixture
def gateway():
    gw = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with gw.lock:
                gw.requests.append(
                    {
                        "path": self.path,
                        "json": body,
                        "auth": self.headers.get("Authorization"),
                        "idempotency_key": self.headers.get("Idempotency-Key"),
                    }
                )
                status, payload = gw.script.pop(0) if gw.script else (200, None)
            if payload is None:
                payload = {"message_id": f"gw-{len(gw.requests)}"}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    gw.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    yield gw
    server.shutdown()
    server.server_close()
