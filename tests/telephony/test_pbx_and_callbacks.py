"""Click-to-call through the PBX adapter (HTTP backend against a local HTTP server, and the
development backend) and scheduled callbacks with reminders (#21)."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from cskh.core.errors import DomainError
from cskh.telephony import services
from cskh.telephony.pbx import HttpPbx, LogPbx, PbxError

pytestmark = pytest.mark.django_db


@pytest.fixture
def pbx_server():
    """A local PBX originate endpoint: records requests, answers with the status asked."""
    state = {"requests": [], "status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state["requests"].append(
                {"json": json.loads(body), "auth": self.headers.get("Authorization")}
            )
            data = json.dumps({"call_id": "pbx-777"}).encode()
            self.send_response(state["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/originate"
    yield state
    server.shutdown()
    server.server_close()


def test_http_pbx_posts_the_originate_request(pbx_server):
    pbx = HttpPbx(URL=pbx_server["url"], TOKEN="s3cret")
    assert pbx.originate(extension="1001", to="+84901234567", reference="r1") == "pbx-777"
    req = pbx_server["requests"][0]
    assert req["json"] == {"extension": "1001", "to": "+84901234567", "reference": "r1"}
    assert req["auth"] == "Bearer s3cret"
    pbx_server["status"] = 503
    with pytest.raises(PbxError):
        pbx.originate(extension="1001", to="+84901234567", reference="r2")


def test_development_pbx_answers_without_a_pbx():
    assert LogPbx().originate(extension="1001", to="+84901234567", reference="r").startswith("dev-")


def test_click_to_call_through_the_configured_pbx(world, settings, pbx_server):
    from cskh.core.models import AuditLog

    settings.CSKH_PBX = {"BACKEND": "http", "URL": pbx_server["url"], "TOKEN": "t"}
    call_id = services.click_to_call(
        user=world["agent"], number="0901 234 567", customer=world["customer"]
    )
    assert call_id == "pbx-777"
    assert pbx_server["requests"][0]["json"]["to"] == "+84901234567"
    assert pbx_server["requests"][0]["json"]["extension"] == "1001"
    assert AuditLog.objects.filter(action="telephony.click_to_call").exists()
    pbx_server["status"] = 500
    with pytest.raises(DomainError) as exc:
        services.click_to_call(user=world["agent"], number="0901234567")
    assert exc.value.status == 502


def test_schedule_callback_and_remind_once(world):
    from cskh.telephony.models import ScheduledCallback

    now = timezone.now()
    with pytest.raises(DomainError):
        services.schedule_callback(
            actor=world["agent"],
            customer=world["customer"],
            due_at=now - timedelta(hours=1),
            now=now,
        )
    with pytest.raises(DomainError):
        services.schedule_callback(
            actor=world["agent"],
            customer=world["customer"],
            due_at=now + timedelta(days=40),
            now=now,
        )
    cb = services.schedule_callback(
        actor=world["agent"],
        customer=world["customer"],
        due_at=now + timedelta(minutes=30),
        note="Khách hẹn gọi sau giờ họp",
        now=now,
    )
    assert cb.phone == "+84901234567"
    assert services.remind_due_callbacks(now=now) == 0  # 30 min ahead: not yet
    later = now + timedelta(minutes=26)
    assert services.remind_due_callbacks(now=later) == 1
    assert services.remind_due_callbacks(now=later) == 0  # once
    services.finish_scheduled_callback(callback=cb, actor=world["agent"])
    assert ScheduledCallback.objects.get(pk=cb.pk).status == "done"
