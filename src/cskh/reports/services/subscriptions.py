"""Scheduled reports: a manager subscribes to a report, daily or weekly; the job sends each
due one by e-mail with the XLSX attached.

The notify outbox carries text messages only (no attachments), and a report goes to staff,
not to a customer: so the mail is a Django EmailMessage sent from a Task, over the same SMTP
server as the outbox (settings.CSKH_SMTP)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import exports
from cskh.core.errors import DomainError
from cskh.org import permissions
from cskh.org.models import User
from cskh.reports import selectors
from cskh.reports.models import Subscription

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@transaction.atomic
def subscribe(
    *,
    user: User,
    report: str,
    frequency: str,
    email: str = "",
    filters: dict[str, Any] | None = None,
) -> Subscription:
    if not permissions.can_manage_reports(user):
        raise DomainError(_("Chỉ quản lý được đăng ký báo cáo định kỳ."), code="forbidden")
    if report not in selectors.REPORTS:
        raise DomainError(_("Không có báo cáo này."), code="bad_report")
    if frequency not in Subscription.Frequency.values:
        raise DomainError(_("Tần suất không hợp lệ."), code="bad_frequency")
    email = (email or user.email or "").strip()
    if not email or "@" not in email:
        raise DomainError(_("Cần địa chỉ email nhận báo cáo."), code="bad_email")
    return Subscription.objects.create(
        user=user, report=report, frequency=frequency, email=email, filters=filters or {}
    )


@transaction.atomic
def unsubscribe(*, user: User, subscription_id: int) -> None:
    Subscription.objects.filter(pk=subscription_id, user=user).update(is_active=False)


def period(sub: Subscription, today: date) -> tuple[date, date]:
    """Yesterday (daily) or the last full Monday–Sunday week (weekly)."""
    if sub.frequency == Subscription.Frequency.WEEKLY:
        end = today - timedelta(days=today.weekday() + 1)
        return end - timedelta(days=6), end
    return today - timedelta(days=1), today - timedelta(days=1)


def is_due(sub: Subscription, today: date) -> bool:
    if sub.last_sent_on == today:
        return False
    if sub.frequency == Subscription.Frequency.WEEKLY:
        return (
            today.weekday() == 0 or sub.last_sent_on is None or (today - sub.last_sent_on).days >= 7
        )
    return True


def _connection() -> Any:
    smtp = settings.CSKH_SMTP
    return get_connection(
        settings.CSKH_REPORTS_EMAIL_BACKEND,
        host=smtp["HOST"],
        port=smtp["PORT"],
        username=smtp["USER"] or None,
        password=smtp["PASSWORD"] or None,
        use_tls=smtp["USE_TLS"],
        use_ssl=smtp["USE_SSL"],
        timeout=30,
    )


def send(sub: Subscription, *, today: date | None = None) -> None:
    """Build the report for its period and send it (the row is marked sent only then)."""
    today = today or timezone.localdate()
    start, end = period(sub, today)
    params = sub.filters or {}
    f = selectors.filters_for(
        sub.user,
        start=start,
        end=end,
        unit_id=params.get("unit"),
        team_id=params.get("team"),
        channel=params.get("channel"),
        case_type_id=params.get("type"),
    )
    rep = selectors.report(sub.report, user=sub.user, filters=f)
    title = str(rep.title)
    data = exports.xlsx_bytes(rep.columns, rep.rows, title=title)
    subject = _("[cskh] %(t)s — %(a)s đến %(b)s") % {
        "t": title,
        "a": start.strftime("%d/%m/%Y"),
        "b": end.strftime("%d/%m/%Y"),
    }
    body = _("Báo cáo «%(t)s» từ %(a)s đến %(b)s: %(n)s dòng, xem tệp đính kèm.") % {
        "t": title,
        "a": start.strftime("%d/%m/%Y"),
        "b": end.strftime("%d/%m/%Y"),
        "n": len(rep.rows),
    }
    msg = EmailMessage(subject=subject, body=body, to=[sub.email], connection=_connection())
    msg.attach(f"{sub.report}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", data, XLSX)
    msg.send()
    Subscription.objects.filter(pk=sub.pk).update(last_sent_on=today)


def send_due(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    sent = failed = 0
    for sub in Subscription.objects.filter(is_active=True).select_related("user"):
        if not sub.user.is_active or not is_due(sub, today):
            continue
        try:
            send(sub, today=today)
            sent += 1
        except Exception:
            failed += 1  # retried at the next run (last_sent_on unchanged)
    return {"sent": sent, "failed": failed}
