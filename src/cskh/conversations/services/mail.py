"""E-mail conversations: one RFC 822 message in (from IMAP polling or a mail server's pipe),
threaded by Message-ID / In-Reply-To / References or a case number in the subject, with
auto-reply loop protection; quoted history and signatures are stripped from the stored text.
Replies leave through the outbox's e-mail channel with threading headers
(``gateways.EmailReplyBackend``)."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.utils import timezone

from cskh.conversations.models import Channel, Conversation, EmailThread, Message
from cskh.conversations.services import intake
from cskh.conversations.services.intake import Inbound, Received

log = logging.getLogger("cskh.conversations.mail")

CASE_NUMBER = re.compile(r"\b([A-Z]{1,6}-\d{4}-\d{4,8})\b")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# "On Mon, 1 Dec 2026 at 10:00, X wrote:", "Vào ... đã viết:", Outlook's separator
QUOTE_HEADERS = [
    re.compile(r"^\s*On .{0,200}wrote:\s*$", re.I),
    re.compile(r"^\s*Vào .{0,200}(đã )?viết:\s*$", re.I),
    re.compile(r"^\s*-{2,}\s*(Original Message|Tin nhắn gốc|Forwarded message)\s*-{2,}", re.I),
    re.compile(r"^\s*From:\s.+$"),
    re.compile(r"^\s*Từ:\s.+$"),
]
SIGNATURE = re.compile(r"^(-- ?|--|Sent from my .*|Gửi từ .*)$")


@dataclass
class Skipped:
    reason: str


def own_addresses() -> set[str]:
    addresses = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    addresses.add(settings.CSKH_SUPPORT_EMAIL.lower())
    for box in settings.CSKH_MAILBOXES:
        if "@" in str(box.get("address", box.get("user", ""))):
            addresses.add(str(box.get("address", box.get("user"))).lower())
    return {a for a in addresses if a}


def loop_reason(msg: EmailMessage, sender: str, now: datetime) -> str:
    """Why this message must not be answered (and is not stored), or ""."""
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return "auto_submitted"
    if str(msg.get("Precedence", "")).strip().lower() in ("bulk", "junk", "list"):
        return "precedence"
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Cskh-Dedupe-Key"):
        return "auto_reply"
    if not sender or sender in own_addresses() or sender.startswith("mailer-daemon@"):
        return "own_address"
    recent = Message.objects.filter(
        channel=Channel.EMAIL,
        direction=Message.Direction.IN,
        conversation__identity__external_id=sender,
        sent_at__gte=now - timedelta(hours=1),
    ).count()
    if recent >= settings.CSKH_MAIL_MAX_PER_SENDER_HOUR:
        return "rate"
    return ""


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "blockquote"):
            self.skip += 1
        if tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "blockquote") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def strip_quotes_and_signature(text: str) -> str:
    """The new part of a reply: no quoted history ("> …", "On … wrote:") and no signature."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if any(p.match(line) for p in QUOTE_HEADERS) or SIGNATURE.match(line.rstrip()):
            break
        if line.lstrip().startswith(">"):
            continue
        out.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        content = html_to_text(str(content))
    return strip_quotes_and_signature(str(content))


def _attachments(msg: EmailMessage) -> tuple[list[dict[str, Any]], list[str]]:
    """Allowed attachments (type and size limits); the names of the refused ones."""
    kept: list[dict[str, Any]] = []
    refused: list[str] = []
    for part in msg.iter_attachments():
        name = str(part.get_filename() or "tep-dinh-kem")[:200]
        ctype = part.get_content_type()
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        if (
            ctype not in settings.CSKH_ATTACHMENT_TYPES
            or len(data) > settings.CSKH_ATTACHMENT_MAX_BYTES
            or len(kept) >= 10
        ):
            refused.append(name)
            continue
        kept.append(
            {
                "kind": "image" if ctype.startswith("image/") else "file",
                "name": name,
                "content_type": ctype,
                "size": len(data),
                "content": data,
            }
        )
    return kept, refused


def _ids(value: str) -> list[str]:
    return MESSAGE_ID.findall(value or "")


def _thread_of(msg: EmailMessage, subject: str) -> tuple[str, str]:
    """(thread id, case number): the conversation this message answers, by In-Reply-To /
    References (our replies and earlier messages), else by a case number in the subject."""
    refs = _ids(str(msg.get("In-Reply-To", ""))) + list(
        reversed(_ids(str(msg.get("References", ""))))
    )
    if refs:
        known = (
            EmailThread.objects.filter(message_id__in=refs)
            .select_related("conversation")
            .order_by("-id")
            .first()
        )
        if known is not None:
            return known.conversation.external_thread_id, ""
    match = CASE_NUMBER.search(subject.upper())
    if match:
        conv = (
            Conversation.objects.filter(channel=Channel.EMAIL, case__number=match.group(1))
            .order_by("-id")
            .first()
        )
        if conv is not None:
            return conv.external_thread_id, match.group(1)
        return "", match.group(1)
    return "", ""


def receive_email(raw: bytes, *, now: datetime | None = None) -> Received | Skipped:
    """Store one e-mail as an inbound message (idempotent on its Message-ID)."""
    now = now or timezone.now()
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    name, sender = parseaddr(str(msg.get("From", "")))
    sender = sender.strip().lower()
    reason = loop_reason(msg, sender, now)
    if reason:
        log.info("mail from %s not taken: %s", sender, reason)
        return Skipped(reason)
    message_id = (_ids(str(msg.get("Message-ID", ""))) or [""])[0]
    if not message_id:
        message_id = "<sha256." + hashlib.sha256(raw).hexdigest()[:40] + "@cskh>"
    subject = str(msg.get("Subject", "")).strip()[:200]
    try:
        sent_at = parsedate_to_datetime(str(msg.get("Date", ""))) if msg.get("Date") else now
        if sent_at.tzinfo is None or sent_at > now + timedelta(minutes=5):
            sent_at = now
    except (TypeError, ValueError):
        sent_at = now
    thread_id, case_number = _thread_of(msg, subject)
    attachments, refused = _attachments(msg)
    text = _body(msg)
    received = intake.receive(
        Inbound(
            channel=Channel.EMAIL,
            external_id=sender,
            provider_message_id=message_id,
            thread_id=thread_id or message_id,
            text=text or subject,
            display_name=str(name)[:200],
            email=sender,
            subject=subject,
            sent_at=sent_at,
            attachments=attachments,
            case_number=case_number,
            data={
                "to": [a for _n, a in getaddresses(msg.get_all("To", []))][:10],
                "refused_attachments": refused,
            },
        ),
        now=now,
    )
    if received.created:
        ids = [message_id, *_ids(str(msg.get("References", "")))[-10:]]
        for mid in dict.fromkeys(ids):
            EmailThread.objects.get_or_create(
                message_id=mid[:255],
                defaults={"conversation_id": received.message.conversation_id},
            )
    return received
