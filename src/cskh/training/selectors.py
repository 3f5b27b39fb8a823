"""Reads of training: who must read which change and who has, learning progress and results,
coaching sessions and follow-ups due. Scopes come from org.permissions.supervised_unit_ids
(None: everyone)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cskh.knowledge.models import ArticleVersion
from cskh.org import permissions
from cskh.org.models import Unit, User
from cskh.training.models import (
    CoachingSession,
    Enrollment,
    LearningPath,
    PathStep,
    QuizAttempt,
    ReadConfirmation,
    ReadRequirement,
)

# Who must read mandatory changes and who learns paths: the agents.
LEARNER_ROLES = (User.Role.AGENT,)


def _subtree(unit_id: int) -> set[int]:
    ids = {unit_id}
    frontier = [unit_id]
    while frontier:
        children = Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return ids


def _ancestors(unit_id: int | None) -> set[int]:
    out: set[int] = set()
    while unit_id and unit_id not in out:
        out.add(unit_id)
        unit_id = Unit.objects.filter(pk=unit_id).values_list("parent_id", flat=True).first()
    return out


def learners(scope: set[int] | None = None) -> QuerySet[User]:
    qs = User.objects.filter(is_active=True, role__in=LEARNER_ROLES)
    if scope is not None:
        qs = qs.filter(unit_id__in=scope)
    return qs.select_related("unit").order_by("last_name", "first_name", "id")


# --------------------------------------------------------------------------- mandatory reading


def audience(requirement: ReadRequirement, scope: set[int] | None = None) -> QuerySet[User]:
    qs = learners(scope)
    if requirement.unit_id:
        qs = qs.filter(unit_id__in=_subtree(requirement.unit_id))
    return qs


def in_audience(requirement: ReadRequirement, user: Any) -> bool:
    if getattr(user, "role", None) not in LEARNER_ROLES or not user.is_active:
        return False
    return requirement.unit_id is None or requirement.unit_id in _ancestors(user.unit_id)


def _open_requirements() -> QuerySet[ReadRequirement]:
    return ReadRequirement.objects.filter(superseded=False, article__is_active=True)


def unread_for(user: Any) -> list[ReadRequirement]:
    """Mandatory changes this user has not confirmed yet (the desk's badge), oldest due
    first."""
    if getattr(user, "role", None) not in LEARNER_ROLES:
        return []
    units = _ancestors(user.unit_id)
    return list(
        _open_requirements()
        .filter(Q(unit__isnull=True) | Q(unit_id__in=units))
        .exclude(confirmations__user=user)
        .select_related("version")
        .order_by("due_on", "id")[:50]
    )


def unconfirmed(requirement: ReadRequirement, scope: set[int] | None = None) -> list[User]:
    return list(audience(requirement, scope).exclude(read_confirmations__requirement=requirement))


def requirements_overview(
    scope: set[int] | None, *, include_superseded: bool = False, limit: int = 100
) -> list[dict[str, Any]]:
    """Each requirement with how many of its audience (within the scope) confirmed."""
    qs = ReadRequirement.objects.select_related("version", "unit", "created_by")
    if not include_superseded:
        qs = qs.filter(superseded=False)
    today = timezone.localdate()
    out = []
    for req in qs.order_by("-created_at", "-id")[:limit]:
        people = audience(req, scope)
        total = people.count()
        done = people.filter(read_confirmations__requirement=req).count()
        out.append(
            {
                "req": req,
                "total": total,
                "confirmed": done,
                "missing": total - done,
                "overdue": today > req.due_on and done < total,
                "pct": round(100 * done / total) if total else 100,
            }
        )
    return out


def requirement_teams(req: ReadRequirement, scope: set[int] | None) -> list[dict[str, Any]]:
    """Per team (the person's unit): who confirmed (when) and who has not."""
    confirmed = dict(
        ReadConfirmation.objects.filter(requirement=req).values_list("user_id", "confirmed_at")
    )
    teams: dict[int | None, dict[str, Any]] = {}
    for person in audience(req, scope):
        team = teams.setdefault(
            person.unit_id,
            {"unit": person.unit.name if person.unit else "—", "done": [], "missing": []},
        )
        at = confirmed.get(person.pk)
        if at is None:
            team["missing"].append(person)
        else:
            team["done"].append((person, at))
    return sorted(teams.values(), key=lambda t: t["unit"])


def get_requirement(requirement_id: int) -> ReadRequirement:
    req = (
        ReadRequirement.objects.select_related("version", "unit", "article")
        .filter(pk=requirement_id)
        .first()
    )
    if req is None:
        raise Http404
    return req


def markable_versions(*, days: int = 120, limit: int = 50) -> list[ArticleVersion]:
    """Approved article versions of the last ``days`` not yet marked mandatory (the lead's
    picker), newest first."""
    since = timezone.now() - timedelta(days=days)
    marked = ReadRequirement.objects.values("version_id")
    return list(
        ArticleVersion.objects.filter(
            status=ArticleVersion.Status.APPROVED,
            article__is_active=True,
            approved_at__gte=since,
        )
        .exclude(pk__in=marked)
        .select_related("article")
        .order_by("-approved_at", "-id")[:limit]
    )


# --------------------------------------------------------------------------- learning paths


def active_paths() -> list[LearningPath]:
    return list(
        LearningPath.objects.filter(is_active=True).annotate(n_steps=Count("steps", distinct=True))
    )


def enrollments_of(user: Any) -> list[Enrollment]:
    return list(Enrollment.objects.filter(user=user).select_related("path").order_by("-started_at"))


def progress(enrollment: Enrollment) -> list[dict[str, Any]]:
    """Each step with its attempts, best score, passed and whether it is open to take."""
    steps = list(enrollment.path.steps.all())
    attempts: dict[int, list[QuizAttempt]] = {}
    for a in enrollment.attempts.all():
        attempts.setdefault(a.step_id, []).append(a)
    out = []
    previous_passed = True
    limit = enrollment.path.max_attempts
    for step in steps:
        mine = attempts.get(step.pk, [])
        passed = any(a.passed for a in mine)
        exhausted = bool(limit) and len(mine) >= limit and not passed
        out.append(
            {
                "step": step,
                "attempts": len(mine),
                "best": max((a.score for a in mine), default=None),
                "passed": passed,
                "open": previous_passed and not passed and not exhausted,
                "exhausted": exhausted,
            }
        )
        previous_passed = previous_passed and passed
    return out


def get_enrollment(user: Any, enrollment_id: int) -> Enrollment:
    """The enrollment when the user may see it (their own, their lead, a manager), else 404."""
    e = (
        Enrollment.objects.select_related("path", "user", "user__unit")
        .filter(pk=enrollment_id)
        .first()
    )
    if e is None or not permissions.can_view_person_record(user, e.user):
        raise Http404
    return e


def get_step(path: LearningPath, step_id: int) -> PathStep:
    step = path.steps.filter(pk=step_id).prefetch_related("questions__choices").first()
    if step is None:
        raise Http404
    return step


def path_results(path: LearningPath, scope: set[int] | None) -> list[dict[str, Any]]:
    """Per enrolled agent in scope: steps passed, attempts, average best score, completion."""
    n_steps = path.steps.count()
    qs = Enrollment.objects.filter(path=path).select_related("user", "user__unit")
    if scope is not None:
        qs = qs.filter(user__unit_id__in=scope)
    rows = []
    for e in qs.order_by("user__last_name", "user__first_name"):
        best = list(
            e.attempts.values("step_id").annotate(best=Max("score")).values_list("best", flat=True)
        )
        passed = e.attempts.filter(passed=True).values("step_id").distinct().count()
        rows.append(
            {
                "e": e,
                "passed": passed,
                "steps": n_steps,
                "attempts": e.attempts.count(),
                "avg": round(sum(best) / len(best)) if best else None,
            }
        )
    return rows


# --------------------------------------------------------------------------- coaching


def coaching_qs(user: Any, scope: set[int] | None) -> QuerySet[CoachingSession]:
    qs = CoachingSession.objects.select_related("agent", "coach", "agent__unit")
    if not permissions.can_manage_training(user):
        return qs.filter(agent=user)
    if scope is not None:
        qs = qs.filter(Q(agent__unit_id__in=scope) | Q(coach=user))
    return qs


def follow_ups_due(user: Any, *, today: date | None = None) -> list[CoachingSession]:
    """Sessions whose follow-up date has come and that are not closed: the lead's own first,
    then the others in scope."""
    today = today or timezone.localdate()
    if not permissions.can_manage_training(user):
        return []
    qs = coaching_qs(user, permissions.supervised_unit_ids(user)).filter(
        follow_up_on__lte=today, followed_up_at__isnull=True
    )
    return sorted(qs.order_by("follow_up_on", "id")[:100], key=lambda s: s.coach_id != user.pk)


def get_session(user: Any, session_id: int) -> CoachingSession:
    s = (
        CoachingSession.objects.select_related("agent", "coach", "agent__unit")
        .prefetch_related("reviews__case")
        .filter(pk=session_id)
        .first()
    )
    if s is None or not permissions.can_view_person_record(user, s.agent):
        raise Http404
    return s


def unacknowledged_for(user: Any) -> int:
    return CoachingSession.objects.filter(agent=user, acknowledged_at__isnull=True).count()


def people_in_scope(user: Any) -> list[User]:
    """The people a lead may coach and assign paths to."""
    if not permissions.can_manage_training(user):
        return []
    return [p for p in learners(permissions.supervised_unit_ids(user)) if p.pk != user.pk]


def get_person(user: Any, person_id: int) -> User:
    person = User.objects.select_related("unit").filter(pk=person_id).first()
    if person is None or not permissions.can_view_person_record(user, person):
        raise Http404
    return person
