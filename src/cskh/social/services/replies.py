"""The response workflow: assign, draft a public reply, warn about personal data, approval by a
shift lead for high-reach posts, publish through the page API by a task after commit.

A public reply that contains a phone number, a customer code, an e-mail or a street address is
refused (``personal_data`` warning): ask the customer to continue in private messages instead
(``private=True`` publishes through the private-reply edge).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import audit
from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.org import permissions
from cskh.social.models import Mention, Reply
from cskh.social.pageapi import PublishError, get_page_api
from cskh.social.services.intake import find_address
from cskh.textintel.normalize import extract_customer_codes, extract_phones

__all__ = [
    "personal_data_in",
    "assign",
    "draft_reply",
    "submit_reply",
    "approve_reply",
    "deliver",
    "close",
    "MAX_ATTEMPTS",
]

log = logging.getLogger("cskh.social")
MAX_ATTEMPTS = 5
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
MAX_REPLY = 8000


def personal_data_in(text: str) -> list[str]:
    """Kinds of personal data in a text: "phone", "customer_code", "email", "address"."""
    kinds = []
    if extract_phones(text):
        kinds.append("phone")
    if extract_customer_codes(text):
        kinds.append("customer_code")
    if _EMAIL.search(text or ""):
        kinds.append("email")
    if find_address(text):
        kinds.append("address")
    return kinds


@transaction.atomic
def assign(*, mention: Mention, user_id: int | None, actor: Actor) -> Mention:
    mention.assignee_id = user_id
    if user_id and mention.status == Mention.Status.NEW:
        mention.status = Mention.Status.ASSIGNED
    mention.save(update_fields=["assignee", "status"])
    audit.record(actor=actor, action="social.assign", obj=mention, changes={"user": user_id})
    return mention


@transaction.atomic
def draft_reply(*, mention: Mention, text: str, private: bool = False, actor: Actor) -> Reply:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Nội dung trả lời đang trống."), code="empty_reply")
    if len(text) > MAX_REPLY:
        raise DomainError(_("Nội dung trả lời quá dài."), code="too_long")
    reply = Reply.objects.create(
        mention=mention,
        text=text,
        private=private,
        personal_data=personal_data_in(text),
        author_id=getattr(actor, "pk", None),
        created_at=timezone.now(),
    )
    if mention.assignee_id is None and getattr(actor, "pk", None):
        mention.assignee_id = actor.pk  # type: ignore[union-attr]
        mention.status = Mention.Status.ASSIGNED
        mention.save(update_fields=["assignee", "status"])
    return reply


def needs_approval(mention: Mention) -> bool:
    return mention.reach >= settings.CSKH_SOCIAL_APPROVAL_REACH


def _queue(reply: Reply) -> None:
    reply.status = Reply.Status.QUEUED
    reply.save(update_fields=["status", "approved_by"])
    pk = reply.pk
    transaction.on_commit(lambda: _enqueue(pk))


def _enqueue(reply_id: int) -> None:
    from cskh.social.tasks import publish_reply

    try:
        publish_reply.enqueue(reply_id)
    except Exception:  # the social tick re-queues replies left in "queued"
        log.exception("could not enqueue social reply %s", reply_id)


@transaction.atomic
def submit_reply(*, reply: Reply, actor: Actor) -> Reply:
    """Send a draft: refused while a public reply holds personal data; waits for a shift
    lead's approval on a high-reach post unless the sender is one."""
    if reply.status not in (Reply.Status.DRAFT, Reply.Status.FAILED):
        raise DomainError(_("Câu trả lời này đã được gửi."), status=409, code="already_sent")
    reply.personal_data = personal_data_in(reply.text)
    if reply.personal_data and not reply.private:
        reply.save(update_fields=["personal_data"])
        raise DomainError(
            _(
                "Không đăng công khai thông tin cá nhân (số điện thoại, địa chỉ, mã khách hàng). "
                "Hãy mời khách nhắn tin riêng."
            ),
            code="personal_data",
        )
    if needs_approval(reply.mention) and not permissions.can_supervise(actor):
        reply.status = Reply.Status.PENDING_APPROVAL
        reply.save(update_fields=["status", "personal_data"])
        return reply
    if needs_approval(reply.mention):
        reply.approved_by = actor  # type: ignore[assignment]
    _queue(reply)
    audit.record(actor=actor, action="social.reply", obj=reply.mention, changes={"reply": reply.pk})
    return reply


@transaction.atomic
def approve_reply(*, reply: Reply, actor: Actor) -> Reply:
    if not permissions.can_supervise(actor):
        raise DomainError(_("Chỉ trưởng ca được duyệt."), status=403, code="forbidden")
    if reply.status != Reply.Status.PENDING_APPROVAL:
        raise DomainError(_("Câu trả lời không chờ duyệt."), status=409, code="not_pending")
    reply.approved_by = actor  # type: ignore[assignment]
    _queue(reply)
    audit.record(
        actor=actor, action="social.approve", obj=reply.mention, changes={"reply": reply.pk}
    )
    return reply


def deliver(reply_id: int) -> str:
    """Publish one queued reply (the task body). Transient errors retry up to MAX_ATTEMPTS."""
    with transaction.atomic():
        reply = (
            Reply.objects.select_for_update().select_related("mention").filter(pk=reply_id).first()
        )
        if reply is None or reply.status != Reply.Status.QUEUED:
            return "skipped"
        mention = reply.mention
        object_id = mention.external_id
        reply.attempts += 1
        reply.save(update_fields=["attempts"])
    try:
        ext = get_page_api().publish(object_id=object_id, text=reply.text, private=reply.private)
    except PublishError as exc:
        failed = exc.permanent or reply.attempts >= MAX_ATTEMPTS
        Reply.objects.filter(pk=reply_id).update(
            error=str(exc)[:500], status=Reply.Status.FAILED if failed else Reply.Status.QUEUED
        )
        return "failed" if failed else "retry"
    now = timezone.now()
    with transaction.atomic():
        Reply.objects.filter(pk=reply_id).update(
            status=Reply.Status.PUBLISHED, external_id=ext[:200], published_at=now, error=""
        )
        Mention.objects.filter(pk=mention.pk, first_response_at__isnull=True).update(
            first_response_at=now
        )
        Mention.objects.filter(pk=mention.pk).exclude(status=Mention.Status.CLOSED).update(
            status=Mention.Status.ANSWERED
        )
    return "published"


def requeue_stuck(limit: int = 200) -> int:
    """Replies still "queued" (a lost task or a transient error): enqueue them again."""
    ids = list(
        Reply.objects.filter(status=Reply.Status.QUEUED, attempts__lt=MAX_ATTEMPTS).values_list(
            "pk", flat=True
        )[:limit]
    )
    for pk in ids:
        _enqueue(pk)
    return len(ids)


@transaction.atomic
def close(*, mention: Mention, actor: Actor) -> Mention:
    mention.status = Mention.Status.CLOSED
    mention.save(update_fields=["status"])
    audit.record(actor=actor, action="social.close", obj=mention, changes={})
    return mention
