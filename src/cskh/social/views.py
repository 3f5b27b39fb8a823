"""Pages of social listening: the queue, a mention (customer link, reply with personal-data
warning, approval), crisis alerts, the dashboard with SVG charts and its CSV export."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cskh.core.errors import DomainError
from cskh.cx import charts
from cskh.knowledge import selectors as kb_selectors
from cskh.org import permissions
from cskh.social import selectors
from cskh.social.models import CrisisAlert, Source
from cskh.social.services import cases, crisis, replies


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


@require_POST
def send_reply(request: HttpRequest, reply_id: int) -> HttpResponse:
    _worker(request.user)
    r = selectors.get_reply(reply_id)
    try:
        replies.submit_reply(reply=r, actor=request.user)
        messages.success(request, _("Câu trả lời đang được đăng."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("social:mention", mention_id=r.mention_id)


@require_POST
def approve_reply(request: HttpRequest, reply_id: int) -> HttpResponse:
    _lead(request.user)
    r = selectors.get_reply(reply_id)
    try:
        replies.approve_reply(reply=r, actor=request.user)
        messages.success(request, _("Đã duyệt, câu trả lời đang được đăng."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("social:mention", mention_id=r.mention_id)


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


def export_csv(request: HttpRequest) -> HttpResponse:
    _lead(request.user)
    days, source, topic = _filters(request)
    start = timezone.now() - timedelta(days=days)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="social-mentions.csv"'
    response.write("\ufeff")
    w = csv.writer(response)
    w.writerow(
        [
            "id", "source", "external_id", "url", "author", "posted_at", "sentiment",
            "actionable", "urgent", "topic", "reach", "duplicate_of", "duplicate_count", "status",
        ]
    )  # fmt: skip
    for m in selectors.export_rows(start=start, source=source, topic=topic).iterator(2000):
        w.writerow(
            [
                m.pk, m.source, m.external_id, m.url, m.author,
                timezone.localtime(m.posted_at).isoformat(), m.sentiment, int(m.actionable),
                int(m.urgent), m.topic, m.reach, m.duplicate_of_id or "", m.duplicate_count,
                m.status,
            ]
        )  # fmt: skip
    return response
