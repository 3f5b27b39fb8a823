"""Scheduled reports: a manager subscribes; the job e-mails the XLSX through a real SMTP
server (aiosmtpd) and marks the subscription sent once."""

import io
import socket
from datetime import date, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cskh.core.errors import DomainError
from cskh.reports.services import rollups, subscriptions

pytestmark = pytest.mark.django_db


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.CSKH_SMTP = {**settings.CSKH_SMTP, "HOST": "127.0.0.1", "PORT": port}
    settings.CSKH_REPORTS_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    yield sink
    controller.stop()


def test_manager_subscribes_and_gets_the_xlsx(smtp, manager, make_case, client):
    yesterday = timezone.now() - timedelta(days=1)
    make_case(yesterday)
    rollups.rebuild(timezone.localdate() - timedelta(days=2), timezone.localdate())
    client.force_login(manager)
    r = client.post(
        "/reports/dang-ky/",
        {"report": "contacts_channel", "frequency": "daily", "email": "sep@cskh.local"},
    )
    assert r.status_code == 302
    assert subscriptions.send_due() == {"sent": 1, "failed": 0}
    assert subscriptions.send_due() == {"sent": 0, "failed": 0}  # once a day
    [(to, msg)] = smtp.messages
    assert to == ["sep@cskh.local"]
    subject = str(make_header(decode_header(msg["Subject"])))
    assert "Liên hệ theo kênh" in subject
    parts = [p for p in msg.walk() if p.get_filename()]
    assert parts[0].get_filename().endswith(".xlsx")
    ws = load_workbook(io.BytesIO(parts[0].get_payload(decode=True))).active
    assert ws["A1"].value == "Kênh"
    assert ws["A2"].value == "Điện thoại" and ws["B2"].value == 1


def test_weekly_period_and_due_on_monday(manager):
    sub = subscriptions.subscribe(user=manager, report="sla", frequency="weekly")
    monday = date(2026, 12, 7)
    assert subscriptions.period(sub, monday) == (date(2026, 11, 30), date(2026, 12, 6))
    assert subscriptions.is_due(sub, monday)
    sub.last_sent_on = monday
    assert not subscriptions.is_due(sub, monday + timedelta(days=1))


def test_leads_cannot_subscribe(lead):
    with pytest.raises(DomainError):
        subscriptions.subscribe(user=lead, report="sla", frequency="daily", email="a@b.vn")
