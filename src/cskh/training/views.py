"""Training pages (/dao-tao/): mandatory changes to read and confirm, learning paths with
quizzes and certificates, coaching sessions. Thin: permissions from org.permissions, every
change through training.services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cskh.core.errors import DomainError
from cskh.knowledge.models import ArticleVersion
from cskh.knowledge.selectors import live_version
from cskh.org import permissions
from cskh.org.models import Unit
from cskh.qa import selectors as qa_selectors
from cskh.qa.models import Review
from cskh.training import quizformat, selectors, services
from cskh.training.models import LearningPath


def _staff(user: Any) -> None:
    if not permissions.can_take_training(user):
        raise PermissionDenied


def _lead(user: Any) -> None:
    if not permissions.can_manage_training(user):
        raise PermissionDenied


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _error(request: HttpRequest, exc: DomainError) -> None:
    if exc.status == 403:
        raise PermissionDenied from exc
    messages.error(request, str(exc.message))


def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _staff(user)
    lead = permissions.can_manage_training(user)
    ctx: dict[str, Any] = {
        "is_lead": lead,
        "unread": selectors.unread_for(user),
        "enrollments": selectors.enrollments_of(user),
        "paths": selectors.active_paths(),
        "sessions": list(
            selectors.coaching_qs(user, None).filter(agent=user).order_by("-held_on")[:10]
        ),
    }
    if lead:
        scope = permissions.supervised_unit_ids(user)
        ctx["due"] = selectors.follow_ups_due(user)
        ctx["overview"] = selectors.requirements_overview(scope, limit=5)
    enrolled = {e.path_id for e in ctx["enrollments"]}
    ctx["other_paths"] = [p for p in ctx["paths"] if p.pk not in enrolled]
    return render(request, "training/index.html", ctx)


# --------------------------------------------------------------------------- mandatory reading


def mandatory(request: HttpRequest) -> HttpResponse:
    """Leads: mark an approved change mandatory; every requirement with its confirmations."""
    user: Any = request.user
    _lead(user)
    scope = permissions.supervised_unit_ids(user)
    if request.method == "POST":
        version = ArticleVersion.objects.filter(pk=_int(request.POST.get("version")) or 0).first()
        unit = Unit.objects.filter(pk=_int(request.POST.get("unit")) or 0).first()
        due = _date(request.POST.get("due_on")) or timezone.localdate() + timedelta(days=3)
        if version is None:
            messages.error(request, _("Hãy chọn phiên bản bài viết."))
        else:
            try:
                services.require_reading(
                    version=version,
                    summary=request.POST.get("summary", ""),
                    due_on=due,
                    unit=unit,
                    actor=user,
                )
                messages.success(request, _("Đã yêu cầu tư vấn viên đọc và xác nhận."))
                return redirect(reverse("training:mandatory"))
            except DomainError as exc:
                _error(request, exc)
    units = Unit.objects.filter(
        is_active=True, kind__in=[Unit.Kind.CENTER, Unit.Kind.DEPARTMENT, Unit.Kind.TEAM]
    )
    if scope is not None:
        units = units.filter(pk__in=scope)
    return render(
        request,
        "training/mandatory.html",
        {
            "overview": selectors.requirements_overview(
                scope, include_superseded=request.GET.get("all") == "1"
            ),
            "versions": selectors.markable_versions(),
            "units": units.order_by("name"),
            "default_due": timezone.localdate() + timedelta(days=3),
        },
    )


def requirement(request: HttpRequest, requirement_id: int) -> HttpResponse:
    """The change itself (agents read and confirm it); for leads who confirmed, per team."""
    user: Any = request.user
    _staff(user)
    req = selectors.get_requirement(requirement_id)
    lead = permissions.can_manage_training(user)
    mine = selectors.in_audience(req, user)
    if not lead and not mine:
        raise Http404
    confirmed = req.confirmations.filter(user=user).first() if mine else None
    ctx = {"req": req, "is_lead": lead, "mine": mine, "confirmed": confirmed}
    if lead:
        ctx["teams"] = selectors.requirement_teams(req, permissions.supervised_unit_ids(user))
    return render(request, "training/requirement.html", ctx)


@require_POST
def confirm(request: HttpRequest, requirement_id: int) -> HttpResponse:
    _staff(request.user)
    req = selectors.get_requirement(requirement_id)
    try:
        services.confirm_reading(requirement=req, user=request.user)
        messages.success(request, _("Đã xác nhận đã đọc thay đổi."))
    except DomainError as exc:
        _error(request, exc)
    return redirect(reverse("training:requirement", args=[req.pk]))


@require_POST
def remind(request: HttpRequest, requirement_id: int) -> HttpResponse:
    _lead(request.user)
    req = selectors.get_requirement(requirement_id)
    n = services.remind(requirement=req, actor=request.user)
    messages.success(request, _("Đã nhắc %(n)s người chưa xác nhận.") % {"n": n})
    return redirect(reverse("training:requirement", args=[req.pk]))


# --------------------------------------------------------------------------- learning paths

PATH_EXAMPLE = """## Chuẩn mực giao tiếp
? Khi chưa biết tuổi khách hàng, xưng hô thế nào?
* Anh/chị – em
- Bạn – mình
## Biểu giá mới
@ 1
? Giá mới áp dụng từ khi nào?
* Từ ngày hiệu lực ghi trong bài viết
- Từ ngày tư vấn viên đọc bài
"""


def path_new(request: HttpRequest) -> HttpResponse:
    """A lead writes a path: lessons, the article each one reads, quizzes (plain text)."""
    user: Any = request.user
    _lead(user)
    form: dict[str, Any] = {"pass_mark": 80, "max_attempts": 3, "steps": ""}
    if request.method == "POST":
        form = request.POST.dict()
        try:
            path = services.create_path(
                title=form.get("title", ""),
                description=form.get("description", ""),
                pass_mark=_int(form.get("pass_mark")) or 0,
                max_attempts=_int(form.get("max_attempts")) or 0,
                steps=quizformat.parse(form.get("steps", "")),
                actor=user,
            )
            messages.success(request, _("Đã tạo lộ trình học."))
            return redirect(reverse("training:path", args=[path.pk]))
        except DomainError as exc:
            _error(request, exc)
    return render(request, "training/path_new.html", {"form": form, "example": PATH_EXAMPLE})


def path_detail(request: HttpRequest, path_id: int) -> HttpResponse:
    user: Any = request.user
    _staff(user)
    path = get_object_or_404(LearningPath, pk=path_id)
    lead = permissions.can_manage_training(user)
    own = path.enrollments.filter(user=user).first()
    ctx: dict[str, Any] = {
        "path": path,
        "steps": list(path.steps.select_related("article")),
        "own": own,
        "is_lead": lead,
    }
    if lead:
        ctx["results"] = selectors.path_results(path, permissions.supervised_unit_ids(user))
        enrolled = {r["e"].user_id for r in ctx["results"]}
        ctx["people"] = [p for p in selectors.people_in_scope(user) if p.pk not in enrolled]
    return render(request, "training/path.html", ctx)


@require_POST
def enroll(request: HttpRequest, path_id: int) -> HttpResponse:
    user: Any = request.user
    _staff(user)
    path = get_object_or_404(LearningPath, pk=path_id)
    ids = [i for i in (_int(x) for x in request.POST.getlist("user")) if i]
    people = [selectors.get_person(user, i) for i in ids] if ids else [user]
    try:
        for person in people:
            e = services.enroll(path=path, user=person, actor=user)
    except DomainError as exc:
        _error(request, exc)
        return redirect(reverse("training:path", args=[path.pk]))
    if people == [user]:
        return redirect(reverse("training:enrollment", args=[e.pk]))
    messages.success(request, _("Đã giao lộ trình cho %(n)s người.") % {"n": len(people)})
    return redirect(reverse("training:path", args=[path.pk]))


def enrollment(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    _staff(request.user)
    user: Any = request.user
    e = selectors.get_enrollment(user, enrollment_id)
    return render(
        request,
        "training/enrollment.html",
        {"e": e, "steps": selectors.progress(e), "own": e.user_id == request.user.pk},
    )


def quiz(request: HttpRequest, enrollment_id: int, step_id: int) -> HttpResponse:
    """A step: the article to read and its quiz. POST scores an attempt."""
    _staff(request.user)
    user: Any = request.user
    e = selectors.get_enrollment(user, enrollment_id)
    if e.user_id != request.user.pk:
        raise Http404
    step = selectors.get_step(e.path, step_id)
    if request.method == "POST":
        answers = {}
        for q in step.questions.all():
            choice = _int(request.POST.get(f"q{q.pk}"))
            if choice:
                answers[q.pk] = choice
        try:
            attempt = services.submit_quiz(
                enrollment=e, step=step, answers=answers, user=request.user
            )
        except DomainError as exc:
            _error(request, exc)
            return redirect(reverse("training:enrollment", args=[e.pk]))
        if attempt.passed:
            messages.success(
                request,
                _("Đạt: %(s)s%% (cần %(p)s%%).") % {"s": attempt.score, "p": e.path.pass_mark},
            )
        else:
            messages.error(
                request,
                _("Chưa đạt: %(s)s%% (cần %(p)s%%). Hãy đọc lại bài và làm lại.")
                % {"s": attempt.score, "p": e.path.pass_mark},
            )
        return redirect(reverse("training:enrollment", args=[e.pk]))
    status = next((s for s in selectors.progress(e) if s["step"].pk == step.pk), None)
    return render(
        request,
        "training/quiz.html",
        {
            "e": e,
            "step": step,
            "status": status,
            "article": live_version(step.article_id) if step.article_id else None,
        },
    )


def certificate(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    _staff(request.user)
    user: Any = request.user
    e = selectors.get_enrollment(user, enrollment_id)
    if not e.completed_at:
        raise Http404
    return render(request, "training/certificate.html", {"e": e, "steps": selectors.progress(e)})


# --------------------------------------------------------------------------- coaching


def coaching(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _staff(user)
    lead = permissions.can_manage_training(user)
    scope = permissions.supervised_unit_ids(user) if lead else set()
    sessions = selectors.coaching_qs(user, scope).order_by("-held_on", "-id")[:100]
    return render(
        request,
        "training/coaching.html",
        {
            "is_lead": lead,
            "sessions": list(sessions),
            "due": selectors.follow_ups_due(user) if lead else [],
            "today": timezone.localdate(),
        },
    )


def coaching_new(request: HttpRequest) -> HttpResponse:
    """Record a session; ?review=<id> starts from a QA review (its agent, the review ticked),
    ?agent=<id> from the QA dashboard."""
    user: Any = request.user
    _lead(user)
    review = None
    if _int(request.GET.get("review")):
        review = qa_selectors.get_for_user(user, _int(request.GET.get("review")) or 0)
    agent_id = _int(request.POST.get("agent") or request.GET.get("agent"))
    agent = review.agent if review else (selectors.get_person(user, agent_id) if agent_id else None)
    if agent is not None and not permissions.can_coach(user, agent):
        raise Http404
    reviews = qa_selectors.reviews_of(agent, limit=20) if agent else []
    form: dict[str, Any] = {
        "held_on": timezone.localdate().isoformat(),
        "follow_up_on": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "reviews": [review.pk] if review else [],
    }
    if request.method == "POST" and agent is not None:
        picked = {i for i in (_int(x) for x in request.POST.getlist("reviews")) if i}
        chosen = [r for r in reviews if r.pk in picked]
        chosen += list(Review.objects.filter(pk__in=picked - {r.pk for r in chosen}, agent=agent))
        try:
            session = services.record_coaching(
                agent=agent,
                coach=user,
                held_on=_date(request.POST.get("held_on")),
                topic=request.POST.get("topic", ""),
                notes=request.POST.get("notes", ""),
                actions=request.POST.get("actions", ""),
                follow_up_on=_date(request.POST.get("follow_up_on")) or date.min,
                reviews=chosen,
            )
            messages.success(request, _("Đã ghi buổi kèm cặp."))
            return redirect(reverse("training:session", args=[session.pk]))
        except DomainError as exc:
            _error(request, exc)
            form = {**request.POST.dict(), "reviews": sorted(picked)}
    return render(
        request,
        "training/coaching_form.html",
        {
            "agent": agent,
            "people": selectors.people_in_scope(user) if agent is None else [],
            "reviews": reviews,
            "form": form,
        },
    )


def session(request: HttpRequest, session_id: int) -> HttpResponse:
    user: Any = request.user
    _staff(user)
    s = selectors.get_session(user, session_id)
    return render(
        request,
        "training/session.html",
        {
            "s": s,
            "is_agent": s.agent_id == user.pk,
            "can_follow_up": permissions.can_coach(user, s.agent),
            "today": timezone.localdate(),
        },
    )


@require_POST
def session_ack(request: HttpRequest, session_id: int) -> HttpResponse:
    _staff(request.user)
    s = selectors.get_session(request.user, session_id)
    try:
        services.acknowledge_coaching(
            session=s, agent=request.user, note=request.POST.get("note", "")
        )
        messages.success(request, _("Đã xác nhận buổi kèm cặp."))
    except DomainError as exc:
        _error(request, exc)
    return redirect(reverse("training:session", args=[s.pk]))


@require_POST
def session_follow_up(request: HttpRequest, session_id: int) -> HttpResponse:
    _lead(request.user)
    s = selectors.get_session(request.user, session_id)
    try:
        services.close_follow_up(session=s, coach=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("Đã ghi kết quả theo dõi."))
    except DomainError as exc:
        _error(request, exc)
    return redirect(reverse("training:session", args=[s.pk]))


def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """One agent's record for their lead: QA over 12 weeks, coaching, paths, unread changes."""
    user: Any = request.user
    _staff(user)
    p = selectors.get_person(user, person_id)
    today = timezone.localdate()
    until = today - timedelta(days=today.weekday())
    since = until - timedelta(weeks=11)
    qa = qa_selectors.dashboard(agent_ids={p.pk}, unit_ids=None, since=since, until=until)
    return render(
        request,
        "training/person.html",
        {
            "p": p,
            "qa": qa["agents"][0] if qa["agents"] else None,
            "trend": [t for t in qa["trend"] if t["n"]],
            "sessions": list(
                selectors.coaching_qs(user, None).filter(agent=p).order_by("-held_on")
            ),
            "enrollments": selectors.enrollments_of(p),
            "unread": selectors.unread_for(p),
            "can_coach": permissions.can_coach(user, p),
        },
    )
