"""Pages of social listening: the queue, a mention (customer link, reply with personal-data
warning, approval), crisis alerts, the dashboard with SVG charts and its CSV/XLSX export."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cskh.core import exports
from cskh.core.errors import DomainError
from cskh.cx import charts
from cskh.knowledge import selectors as kb_selectors
from cskh.org import permissions
from cskh.social import selectors
from cskh.social.models import CrisisAlert, Mention, Source
from cskh.social.services import cases, crisis, replies

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _worker(user) -> None:
    if not permissions.can_work_social(user):
        raise PermissionDenied


def _lead(user) -> None:
    if not permissions.can_approve_social_reply(user):
        raise PermissionDenied


def queue(request: HttpRequest) -> HttpResponse:
    _worker(request.user)
    source = request.GET.get("source", "")
    if source not in Source.values:
        source = ""
    only = request.GET.get("actionable") == "1"
    mine = request.GET.get("mine") == "1"
    return render(
        request,
        "social/queue.html",
        {
            "mentions": selectors.queue(
                source=source, actionable_only=only, mine_id=request.user.pk if mine else None
            ),
            "sources": Source.choices,
            "source": source,
            "only": only,
            "mine": mine,
            "alerts": selectors.active_alerts()
            if permissions.can_approve_social_reply(request.user)
            else [],
            "approvals": selectors.pending_approvals()
            if permissions.can_approve_social_reply(request.user)
            else [],
        },
    )


def detail(request: HttpRequest, mention_id: int) -> HttpResponse:
    _worker(request.user)
    m = selectors.get(mention_id)
    return render(
        request,
        "social/mention.html",
        {
            "m": m,
            "replies": selectors.replies(m),
            "duplicates": selectors.duplicates(m),
            "canned": kb_selectors.canned_for(type_code=m.topic, agent=request.user),
            "is_lead": permissions.can_approve_social_reply(request.user),
        },
    )


def _act(request: HttpRequest, mention_id: int, fn) -> HttpResponse:
    _worker(request.user)
    m = selectors.get(mention_id)
    try:
        note = fn(m)
        if note:
            messages.success(request, note)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("social:mention", mention_id=m.pk)


@require_POST
def assign_me(request: HttpRequest, mention_id: int) -> HttpResponse:
    return _act(
        request,
        mention_id,
        lambda m: (
            replies.assign(mention=m, user_id=request.user.pk, actor=request.user)
            and _("Đã nhận xử lý.")
        ),
    )


@require_POST
def confirm_customer(request: HttpRequest, mention_id: int) -> HttpResponse:
    def go(m):
        if not m.proposed_customer_id:
            raise DomainError(_("Không có đề xuất khách hàng."))
        cases.confirm_customer(mention=m, customer_id=m.proposed_customer_id, actor=request.user)
        return _("Đã xác nhận khách hàng.")

    return _act(request, mention_id, go)


@require_POST
def reject_customer(request: HttpRequest, mention_id: int) -> HttpResponse:
    return _act(
        request,
        mention_id,
        lambda m: cases.reject_proposal(mention=m, actor=request.user) and _("Đã bỏ đề xuất."),
    )


@require_POST
def close(request: HttpRequest, mention_id: int) -> HttpResponse:
    return _act(
        request,
        mention_id,
        lambda m: replies.close(mention=m, actor=request.user) and _("Đã đóng."),
    )


@require_POST
def reply(request: HttpRequest, mention_id: int) -> HttpResponse:
    def go(m):
        r = replies.draft_reply(
            mention=m,
            text=request.POST.get("text", ""),
            private=request.POST.get("private") == "1",
            actor=request.user,
        )
        if request.POST.get("send") == "1":
            try:
                r = replies.submit_reply(reply=r, actor=request.user)
            except DomainError as exc:
                messages.warning(request, str(exc.message))
                return _("Đã lưu nháp.")
            if r.status == r.Status.PENDING_APPROVAL:
                return _("Bài có độ lan tỏa cao: câu trả lời chờ trưởng ca duyệt.")
            return _("Câu trả lời đang được đăng.")
        return _("Đã lưu nháp.")

    return _act(request, mention_id, go)


def _reply_act(
    request: HttpRequest, reply_id: int, fn: Callable[..., object], done: str
) -> HttpResponse:
    """Submit or approve a drafted reply, then back to its mention with the outcome."""
    r = selectors.get_reply(reply_id)
    try:
        fn(reply=r, actor=request.user)
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("social:mention", mention_id=r.mention_id)


@require_POST
def send_reply(request: HttpRequest, reply_id: int) -> HttpResponse:
    _worker(request.user)
    return _reply_act(request, reply_id, replies.submit_reply, _("Câu trả lời đang được đăng."))


@require_POST
def approve_reply(request: HttpRequest, reply_id: int) -> HttpResponse:
    _lead(request.user)
    return _reply_act(
        request, reply_id, replies.approve_reply, _("Đã duyệt, câu trả lời đang được đăng.")
    )


@require_POST
def check_reply(request: HttpRequest) -> HttpResponse:
    """HTMX: the personal-data warning under the reply box (nothing stored)."""
    _worker(request.user)
    kinds = replies.personal_data_in(request.POST.get("text", ""))
    private = request.POST.get("private") == "1"
    return render(request, "social/_pii.html", {"kinds": kinds, "private": private})


def alerts(request: HttpRequest) -> HttpResponse:
    _lead(request.user)
    return render(request, "social/alerts.html", {"alerts": selectors.recent_alerts()})


@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    _lead(request.user)
    alert = CrisisAlert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise PermissionDenied
    crisis.acknowledge(alert=alert, actor=request.user)
    return redirect(request.POST.get("next") or "social:alerts")


def _filters(request: HttpRequest) -> tuple[int, str, str]:
    try:
        days = max(1, min(int(request.GET.get("days", "30")), 400))
    except ValueError:
        days = 30
    source = request.GET.get("source", "")
    if source not in Source.values:
        source = ""
    topic = request.GET.get("topic", "")[:48]
    return days, source, topic


def dashboard(request: HttpRequest) -> HttpResponse:
    _lead(request.user)
    days, source, topic = _filters(request)
    start = timezone.now() - timedelta(days=days)
    vol = selectors.volume_by_day(start=start, source=source, topic=topic)
    items = [
        {
            "label": r["day"].strftime("%d/%m"),
            "score": r["total"],
            "ci_low": r["total"],
            "ci_high": r["total"],
        }
        for r in vol
    ]
    neg = [
        {
            "label": r["day"].strftime("%d/%m"),
            "score": round(100 * r["negative"] / (r["total"] or 1)),
            "ci_low": round(100 * r["negative"] / (r["total"] or 1)),
            "ci_high": round(100 * r["negative"] / (r["total"] or 1)),
        }
        for r in vol
    ]
    step = max(1, len(items) // 12)
    for seq in (items, neg):
        for i, it in enumerate(seq):
            if i % step:
                it["label"] = ""
    hi = max([r["total"] for r in vol] or [1])
    return render(
        request,
        "social/dashboard.html",
        {
            "days": days,
            "source": source,
            "topic": topic,
            "sources": Source.choices,
            "topics": selectors.topics(start=start),
            "volume": vol,
            "chart_volume": charts.line_chart(items, lo=0, hi=hi),
            "chart_negative": charts.line_chart(neg, lo=0, hi=100),
            "sov": selectors.share_of_voice(start=start, topic=topic),
            "response": selectors.response_time(start=start, source=source, topic=topic),
            "authors": selectors.top_authors(start=start),
        },
    )


# Column keys are the row dict keys; the headers stay the machine-readable names the CSV has
# always had, so scripts that read it keep working.
EXPORT_COLUMNS = [
    exports.Column("id", "id"),
    exports.Column("source", "source", "text"),
    exports.Column("external_id", "external_id", "text"),
    exports.Column("url", "url", "text"),
    exports.Column("author", "author", "text"),
    exports.Column("posted_at", "posted_at", "date"),
    exports.Column("sentiment", "sentiment", "text"),
    exports.Column("actionable", "actionable"),
    exports.Column("urgent", "urgent"),
    exports.Column("topic", "topic", "text"),
    exports.Column("reach", "reach"),
    exports.Column("duplicate_of", "duplicate_of"),
    exports.Column("duplicate_count", "duplicate_count"),
    exports.Column("status", "status", "text"),
]


def _export_rows(request: HttpRequest) -> Iterator[dict[str, Any]]:
    """The rows of the dashboard's filters (leads only: checked here, before any row)."""
    _lead(request.user)
    days, source, topic = _filters(request)
    start = timezone.now() - timedelta(days=days)
    return _rows(selectors.export_rows(start=start, source=source, topic=topic))


def _rows(mentions: QuerySet[Mention]) -> Iterator[dict[str, Any]]:
    for m in mentions.iterator(2000):
        yield {
            "id": m.pk,
            "source": m.source,
            "external_id": m.external_id,
            "url": m.url,
            "author": m.author,
            "posted_at": m.posted_at,
            "sentiment": m.sentiment,
            "actionable": int(m.actionable),
            "urgent": int(m.urgent),
            "topic": m.topic,
            "reach": m.reach,
            "duplicate_of": m.duplicate_of_id,
            "duplicate_count": m.duplicate_count,
            "status": m.status,
        }


def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The dashboard's mentions as CSV (UTF-8 with a BOM, formula injection neutralised)."""
    response = StreamingHttpResponse(
        exports.csv_lines(EXPORT_COLUMNS, _export_rows(request)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="social-mentions.csv"'
    return response


def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The same rows as XLSX: typed cells, frozen header, formula injection neutralised."""
    data = exports.xlsx_bytes(EXPORT_COLUMNS, list(_export_rows(request)), title=_("Đề cập"))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="social-mentions.xlsx"'
    return response
