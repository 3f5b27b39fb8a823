"""Conversations: signed webhook bodies and a customer reachable on Zalo."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

APP_ID = "4321"
OA_SECRET = "oa-secret-key"
FB_SECRET = "fb-app-secret"


@pytest.fixture(autouse=True)
def channel_settings(settings):
    settings.CSKH_ZALO_APP_ID = APP_ID
    settings.CSKH_ZALO_OA_SECRET = OA_SECRET
    settings.CSKH_FACEBOOK_APP_SECRET = FB_SECRET
    settings.CSKH_FACEBOOK_VERIFY_TOKEN = "verify-me"
    # always open: due times and auto-replies do not depend on when the suite runs
    settings.CSKH_CONVERSATION_CHANNELS = {
        ch: {"calendar": "24x7", "first_response": 30, "next_response": 60, "auto_reply": True}
        for ch in ("zalo", "facebook", "email", "webchat")
    }
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "notify", "scoring"],
        }
    }
    return settings


def zalo_event(
    name: str = "user_send_text",
    *,
    user: str = "zu-1001",
    text: str = "Nhà tôi mất điện từ sáng",
    msg_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    ts = str(int(time.time() * 1000))
    event: dict[str, Any] = {
        "app_id": APP_ID,
        "event_name": name,
        "timestamp": ts,
        "sender": {"id": user},
        "recipient": {"id": "oa-1"},
        "user_id_by_app": "app-" + user,
    }
    if name.startswith("user_send"):
        event["message"] = {"msg_id": msg_id or f"m-{ts}-{user}", "text": text}
    event.update(extra)
    return event


def zalo_signed(event: dict[str, Any] | bytes) -> tuple[bytes, str]:
    from cskh.conversations.services.webhooks import zalo_signature

    body = event if isinstance(event, bytes) else json.dumps(event, ensure_ascii=False).encode()
    try:
        ts = str(json.loads(body).get("timestamp", ""))
    except (ValueError, AttributeError):
        ts = ""
    return body, zalo_signature(app_id=APP_ID, body=body, timestamp=ts, secret=OA_SECRET)


def fb_signed(payload: dict[str, Any] | bytes) -> tuple[bytes, str]:
    from cskh.conversations.services.webhooks import facebook_signature

    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return body, facebook_signature(body, FB_SECRET)


@pytest.fixture
def inbox_page(browser, live_server):
    """A browser page logged in (session cookie set directly) on the inbox, its live stream
    connected."""
    from django.conf import settings as django_settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    contexts = []

    def _page(user, *, path="/inbox/", viewport=(1366, 768)):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "cskh.org.backends.PeopleModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        ctx = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            locale="vi-VN",
            base_url=live_server.url,
        )
        ctx.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session.session_key,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(path)
        page.wait_for_selector("body[data-inbox-live=connected]", timeout=15_000)
        return page

    yield _page
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def text_models():
    """Loading textintel's models takes seconds of CPU: once per session, before timed steps."""
    from cskh.textintel import sentiment

    sentiment.analyze("mất điện từ sáng", "electricity")


@pytest.fixture
def imap_server():
    """Under /tmp, not pytest's tmp_path: dovecot's own users must traverse every parent."""
    import shutil
    import tempfile
    from pathlib import Path

    from tests.conversations.mailservers import start_dovecot

    tmp = Path(tempfile.mkdtemp(prefix="cskh-dovecot-"))
    try:
        yield from start_dovecot(tmp, user="cskh@test.local", password="Matkhau!2026")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def smtp_sink():
    """A real SMTP server (aiosmtpd) recording what it accepted."""
    from aiosmtpd.controller import Controller

    from tests.conversations.mailservers import RawSink, free_port

    sink = RawSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()
