"""Pages: the public survey and referral forms (no login, no JavaScript, rate-limited), and
the staff pages (results, save desk, call-backs, referrals)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cskh.core import ratelimit
from cskh.core.errors import DomainError
from cskh.cx import charts, selectors
from cskh.cx.models import FollowUp, RetentionEntry
from cskh.cx.services import followups, referrals, retention, surveys
from cskh.org import permissions


def _public_guard(request: HttpRequest) -> HttpResponse | None:
    try:
        ratelimit.hit("public", ratelimit.client_ip(request))
    except ratelimit.RateLimited as exc:
        return render(request, "cx/public_message.html", {"message": exc.message}, status=429)
    return None


@login_not_required
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the rating form; POST: the one answer."""
    limited = _public_guard(request)
    if limited:
        return limited
    try:
        survey = surveys.for_token(token)
        surveys.check_open(survey, timezone.now())
    except DomainError as exc:
        return render(
            request, "cx/public_message.html", {"message": exc.message}, status=exc.status
        )
    error = ""
    if request.method == "POST":
        try:
            survey = surveys.answer(
                token=token,
                score=request.POST.get("score", ""),
                comment=request.POST.get("comment", ""),
            )
            return render(request, "cx/survey_thanks.html", {"survey": survey})
        except DomainError as exc:
            if exc.code != "bad_score":
                return render(
                    request, "cx/public_message.html", {"message": exc.message}, status=exc.status
                )
            error = str(exc.message)
    scores = list(surveys.score_range(survey.kind))
    return render(
        request,
        "cx/survey.html",
        {"survey": survey, "token": token, "scores": scores, "error": error},
        status=400 if error else 200,
    )


@login_not_required
@require_POST
def survey_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    limited = _public_guard(request)
    if limited:
        return limited
    try:
        surveys.opt_out_by_token(token=token)
    except DomainError as exc:
        return render(
            request, "cx/public_message.html", {"message": exc.message}, status=exc.status
        )
    return render(
        request,
        "cx/public_message.html",
        {"message": _("Đã ghi nhận: Quý khách sẽ không nhận khảo sát nữa.")},
    )


@login_not_required
def referral_page(request: HttpRequest, code: str) -> HttpResponse:
    """A prospect's request for a new connection carrying a referral code."""
    limited = _public_guard(request)
    if limited:
        return limited
    ctx: dict[str, Any] = {"code": code.upper()[:16], "form": request.POST}
    if request.method == "POST":
        try:
            referral = referrals.submit(
                code=code,
                prospect_name=request.POST.get("name", ""),
                prospect_phone=request.POST.get("phone", ""),
                prospect_address=request.POST.get("address", ""),
                national_id=request.POST.get("national_id", ""),
                source="web",
            )
        except DomainError as exc:
            ctx["error"] = str(exc.message)
            return render(request, "cx/referral.html", ctx, status=exc.status)
        if referral.reject_reason:
            ctx["error"] = str(referrals.REJECT_TEXT[referral.reject_reason])
            return render(request, "cx/referral.html", ctx, status=422)
        ctx["done"] = True
    return render(request, "cx/referral.html", ctx)


# --------------------------------------------------------------------------- staff


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def results(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_cx_results(request.user))
    kind = request.GET.get("kind", "csat")
    kind = kind if kind in selectors.KINDS else "csat"
    group_by = request.GET.get("group_by", "team")
    group_by = group_by if group_by in selectors.GROUPS else "team"
    d_from, d_to = selectors.default_range(timezone.localdate())
    start = _date(request.GET.get("from"), d_from)
    end = _date(request.GET.get("to"), d_to)
    trend = selectors.results(kind=kind, group_by="month", start=start, end=end)
    rows = selectors.results(kind=kind, group_by=group_by, start=start, end=end)
    lo, hi = (0.0, 100.0) if kind == "csat" else (-100.0, 100.0)
    return render(
        request,
        "cx/results.html",
        {
            "kind": kind,
            "group_by": group_by,
            "groups": selectors.GROUPS,
            "start": start,
            "end": end,
            "trend": trend,
            "chart": charts.line_chart(trend, lo=lo, hi=hi),
            "rows": rows,
            "topics": selectors.comment_topics(kind=kind, since=start),
            "comments": selectors.recent_comments(kind=kind, limit=15),
        },
    )


def save_desk(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_work_save_desk(request.user))
    group = request.GET.get("group", "treatment")
    group = group if group in RetentionEntry.Group.values else "treatment"
    entries = list(selectors.retention_queue(group=group)[:100])
    return render(
        request,
        "cx/save_desk.html",
        {"entries": entries, "group": group, "uplift": selectors.uplift()},
    )


def save_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    _require(permissions.can_work_save_desk(request.user))
    entry = (
        RetentionEntry.objects.select_related("customer", "offer", "case")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            retention.record_outcome(
                entry=entry,
                outcome=request.POST.get("outcome", ""),
                offer_code=request.POST.get("offer", ""),
                note=request.POST.get("note", ""),
                actor=request.user,
            )
            return redirect("cx:save_desk")
        except DomainError as exc:
            error = str(exc.message)
    return render(
        request,
        "cx/save_entry.html",
        {
            "entry": entry,
            "offers": retention.eligible_offers(entry),
            "outcomes": RetentionEntry.Outcome.choices,
            "error": error,
        },
        status=400 if error else 200,
    )


def followup_list(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_work_save_desk(request.user))
    items = list(selectors.followups(pending_only=request.GET.get("all") != "1")[:100])
    return render(
        request,
        "cx/followups.html",
        {"items": items, "outcomes": FollowUp.Outcome.choices[1:]},
    )


@require_POST
def followup_outcome(request: HttpRequest, followup_id: int) -> HttpResponse:
    _require(permissions.can_work_save_desk(request.user))
    f = FollowUp.objects.filter(pk=followup_id).first()
    if f is None:
        raise Http404
    try:
        followups.record_outcome(
            followup=f,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    except DomainError as exc:
        return render(
            request, "cx/public_message.html", {"message": exc.message}, status=exc.status
        )
    return redirect("cx:followups")


def referral_report(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_cx_results(request.user))
    since = _date(request.GET.get("from"), selectors.default_range(timezone.localdate())[0])
    return render(
        request,
        "cx/referrals.html",
        {"report": selectors.referral_report(since=since), "since": since},
    )
