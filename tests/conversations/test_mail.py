"""E-mail conversations against real servers: Dovecot (IMAP) in, aiosmtpd (SMTP) out."""

from __future__ import annotations

import io
import sys
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.management import call_command
from imapclient import IMAPClient

from cskh.conversations.models import Conversation, Message
from cskh.conversations.services import mail, replies

pytestmark = pytest.mark.django_db


def email(
    text: str,
    *,
    sender: str = "an.nguyen@example.vn",
    subject: str = "Hỏi về hóa đơn tiền điện",
    msgid: str | None = None,
    headers: dict | None = None,
) -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"Nguyễn Văn An <{sender}>"
    m["To"] = "cskh@test.local"
    m["Subject"] = subject
    m["Message-ID"] = msgid or make_msgid(domain="example.vn")
    for k, v in (headers or {}).items():
        m[k] = v
    m.set_content(text)
    return m


def append(imap, msg: EmailMessage) -> None:
    with IMAPClient(imap.host, port=imap.port, ssl=False) as c:
        c.login(imap.user, imap.password)
        c.append("INBOX", msg.as_bytes())


def test_imap_poll_threads_replies_and_answers_over_smtp(world, imap_server, smtp_sink, settings):
    world["customer"].email = "an.nguyen@example.vn"
    world["customer"].save()
    settings.CSKH_MAILBOXES = [imap_server.mailbox()]
    sink, port = smtp_sink
    settings.CSKH_SMTP = {**settings.CSKH_SMTP, "HOST": "127.0.0.1", "PORT": port}
    settings.CSKH_NOTIFY_BACKENDS = {
        **settings.CSKH_NOTIFY_BACKENDS,
        "email": {"BACKEND": "cskh.conversations.gateways.EmailReplyBackend"},
    }
    first = email("Tháng này hóa đơn cao bất thường.\n\n-- \nAn\n0901 234 567")
    append(imap_server, first)
    out = io.StringIO()
    call_command("mail_poll", stdout=out)
    assert "'stored': 1" in out.getvalue()
    call_command("mail_poll", stdout=out)  # already \Seen: nothing again
    assert Message.objects.filter(direction="in").count() == 1
    conv = Conversation.objects.get()
    assert conv.customer_id == world["customer"].pk  # the sender address
    inbound = Message.objects.get(direction="in")
    assert inbound.text == "Tháng này hóa đơn cao bất thường."  # signature stripped

    reply = replies.send_reply(conversation=conv, text="Dạ, em kiểm tra ạ.", actor=world["agent"])
    from cskh.notify import worker

    worker.run_once(batch=10)
    sent = [m for m in sink.messages if "em kiểm tra" in m.get_content()]
    assert len(sent) == 1
    assert sent[0]["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in sent[0]["References"]
    assert sent[0]["Subject"].startswith("Re: Hỏi về hóa đơn")
    reply.refresh_from_db()

    # the customer answers our reply, quoting it: same conversation, quote stripped
    answer = email(
        "Cảm ơn em.\n\nOn Mon, 7 Dec 2026 at 09:00, CSKH wrote:\n> Dạ, em kiểm tra ạ.",
        subject="Re: Hỏi về hóa đơn tiền điện",
        headers={"In-Reply-To": sent[0]["Message-ID"], "References": sent[0]["Message-ID"]},
    )
    append(imap_server, answer)
    call_command("mail_poll", stdout=out)
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(direction="in").order_by("-id")[0].text == "Cảm ơn em."


def test_loop_protection(world):
    assert isinstance(
        mail.receive_email(email("x", headers={"Auto-Submitted": "auto-replied"}).as_bytes()),
        mail.Skipped,
    )
    assert mail.receive_email(email("x", headers={"Precedence": "bulk"}).as_bytes()).reason == (
        "precedence"
    )
    assert mail.receive_email(email("x", sender="cskh@cskh.local").as_bytes()).reason == (
        "own_address"
    )
    for i in range(20):
        mail.receive_email(email(f"spam {i}", sender="loop@example.vn").as_bytes())
    assert mail.receive_email(email("21", sender="loop@example.vn").as_bytes()).reason == "rate"
    assert Message.objects.filter(text__startswith="spam").count() == 20


def test_case_number_in_subject_joins_the_case(world):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type

    world["customer"].email = "an.nguyen@example.vn"
    world["customer"].save()
    case = open_case(
        customer=world["customer"], case_type=get_case_type("billing"), description="hóa đơn"
    )
    got = mail.receive_email(
        email("Bổ sung ảnh hóa đơn", subject=f"Về vụ {case.number}").as_bytes()
    )
    conv = got.message.conversation
    assert conv.case_id == case.pk
    assert case.events.filter(body="Bổ sung ảnh hóa đơn").exists()


def test_attachment_limits(world, settings):
    settings.CSKH_ATTACHMENT_MAX_BYTES = 1000
    m = email("ảnh công tơ")
    m.add_attachment(b"\x89PNG" + b"0" * 100, maintype="image", subtype="png", filename="a.png")
    m.add_attachment(b"0" * 5000, maintype="image", subtype="png", filename="big.png")
    m.add_attachment(b"MZ", maintype="application", subtype="x-msdownload", filename="x.exe")
    got = mail.receive_email(m.as_bytes())
    atts = list(got.message.attachments.all())
    assert [a.name for a in atts] == ["a.png"] and atts[0].size == 104
    assert atts[0].file.read().startswith(b"\x89PNG")
    assert got.message.data["refused_attachments"] == ["big.png", "x.exe"]


def test_mail_in_reads_stdin(world, monkeypatch):
    raw = email("Xin chào", msgid="<stdin-1@example.vn>").as_bytes()
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("mail_in", stdout=out)
    assert out.getvalue().startswith("stored")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("mail_in", stdout=out)
    assert "duplicate" in out.getvalue()
    assert Message.objects.filter(provider_message_id="<stdin-1@example.vn>").count() == 1
