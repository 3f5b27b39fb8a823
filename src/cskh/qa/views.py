"""QA pages: the reply warning (HTMX partial on the desk), the review queue and scoring for
shift leads, and "my reviews" for agents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cskh.cases.selectors import timeline
from cskh.core.charts import line_chart
from cskh.core.errors import DomainError
from cskh.org import permissions
from cskh.org.models import Unit, User
from cskh.qa import selectors, services
from cskh.qa.attitude import check_reply
from cskh.qa.models import Review
from cskh.textintel.services import check_profile


@require_POST
def check_reply_partial(request: HttpRequest) -> HttpResponse:
    """The warning under a reply box. Reads ``reply`` (desk logging form) or ``body`` (case
    page reply form); nothing is stored: the count happens when the reply is sent."""
    if not permissions.can_check_replies(request.user):
        raise PermissionDenied
    text = request.POST.get("reply") or request.POST.get("body") or ""
    result = check_reply(text, check_profile(None)) if text.strip() else None
    return render(request, "qa/_warning.html", {"result": result})


def _lead_only(user) -> None:
    if not permissions.can_review_quality(user):
        raise PermissionDenied


def queue(request: HttpRequest) -> HttpResponse:
    _lead_only(request.user)
    status = request.GET.get("status") or ""
    if status not in Review.Status.values:
        status = ""
    return render(
        request,
        "qa/queue.html",
        {
            "reviews": selectors.queue(status=status or None),
            "status": status,
            "statuses": Review.Status.choices,
            "flags": selectors.attitude_counts(since=timezone.now() - timedelta(days=7)),
        },
    )


@require_POST
def sample(request: HttpRequest) -> HttpResponse:
    _lead_only(request.user)
    try:
        made = services.sample_week(week=timezone.localdate())
        messages.success(request, f"+{len(made)}")
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(reverse("qa:queue"))


def detail(request: HttpRequest, review_id: int) -> HttpResponse:
    review = selectors.get_for_user(request.user, review_id)
    reviewer = permissions.can_review_quality(request.user)
    answers = {a.criterion_id: a.met for a in review.answers.all()}
    ctx = {
        "review": review,
        "is_reviewer": reviewer,
        "is_agent": review.agent_id == request.user.pk,
        "criteria": [(c, answers.get(c.pk)) for c in review.scorecard.criteria.all()],
        "events": timeline(review.case),
        "calibration": selectors.calibration(review.calibration_key)
        if review.calibration_key and reviewer
        else None,
        "leads": User.objects.filter(
            is_active=True, role__in=[User.Role.SHIFT_LEAD, User.Role.MANAGER]
        ).exclude(pk=review.reviewer_id or 0)[:50]
        if reviewer
        else [],
    }
    return render(request, "qa/review.html", ctx)


@require_POST
def score(request: HttpRequest, review_id: int) -> HttpResponse:
    review = selectors.get_for_user(request.user, review_id)
    _lead_only(request.user)
    met = {c.pk: request.POST.get(f"c{c.pk}") == "1" for c in review.scorecard.criteria.all()}
    try:
        services.score_review(
            review=review, reviewer=request.user, met=met, comment=request.POST.get("comment", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(reverse("qa:review", args=[review.pk]))


@require_POST
def answer(request: HttpRequest, review_id: int) -> HttpResponse:
    review = selectors.get_for_user(request.user, review_id)
    if review.agent_id != request.user.pk:
        raise PermissionDenied
    try:
        if request.POST.get("action") == "dispute":
            services.dispute(review=review, agent=request.user, reason=request.POST.get("text", ""))
        else:
            services.acknowledge(
                review=review, agent=request.user, note=request.POST.get("text", "")
            )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(reverse("qa:review", args=[review.pk]))


@require_POST
def calibrate(request: HttpRequest, review_id: int) -> HttpResponse:
    review = selectors.get_for_user(request.user, review_id)
    _lead_only(request.user)
    ids = [int(x) for x in request.POST.getlist("reviewers") if x.isdigit()]
    others = [u for u in User.objects.filter(pk__in=ids) if permissions.can_review_quality(u)]
    services.open_calibration(review=review, reviewers=[request.user, *others])
    return redirect(reverse("qa:review", args=[review.pk]))


def mine(request: HttpRequest) -> HttpResponse:
    if not permissions.is_center_staff(request.user):
        raise PermissionDenied
    since = timezone.now() - timedelta(days=30)
    return render(
        request,
        "qa/mine.html",
        {
            "reviews": selectors.reviews_of(request.user),
            "flags": sum(selectors.attitude_counts(since=since, agent=request.user).values()),
        },
    )


DASHBOARD_WEEKS = (4, 12, 26, 52)


def dashboard(request: HttpRequest) -> HttpResponse:
    """QA per agent and team with the weekly trend: shift leads see their units' people,
    managers everyone, an agent their own figures."""
    user: Any = request.user
    if not permissions.is_center_staff(user):
        raise PermissionDenied
    lead = permissions.can_review_quality(user)
    try:
        weeks = int(request.GET.get("weeks") or 12)
    except ValueError:
        weeks = 12
    weeks = weeks if weeks in DASHBOARD_WEEKS else 12
    until = services.week_start(timezone.localdate())
    since = until - timedelta(weeks=weeks - 1)
    scope = permissions.supervised_unit_ids(user) if lead else set()
    units = (
        list(Unit.objects.filter(members__role=User.Role.AGENT).distinct().order_by("name"))
        if lead
        else []
    )
    if scope is not None:
        units = [u for u in units if u.pk in scope]
    unit_id = request.GET.get("unit") or ""
    unit = next((u for u in units if str(u.pk) == unit_id), None)
    if not lead:
        agent_ids: set[int] | None = {user.pk}
        unit_ids: set[int] | None = None
    else:
        agent_ids = None
        unit_ids = {unit.pk} if unit else scope
    data = selectors.dashboard(agent_ids=agent_ids, unit_ids=unit_ids, since=since, until=until)
    points = [t for t in data["trend"] if t["score"] is not None]
    return render(
        request,
        "qa/dashboard.html",
        {
            **data,
            "is_lead": lead,
            "weeks": weeks,
            "week_choices": DASHBOARD_WEEKS,
            "units": units,
            "unit": unit,
            "since": since,
            "until": until,
            "chart": line_chart(points, lo=0, hi=100, band=None),
        },
    )
