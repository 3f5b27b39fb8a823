"""Every state change of training: mandatory reading of knowledge changes (require, confirm,
remind), learning paths (create, enrol, quiz attempts, certificates) and coaching sessions
(record, the agent's acknowledgement, the lead's follow-up). One transaction each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import audit
from cskh.core.errors import DomainError, Forbidden
from cskh.core.text import nfc
from cskh.knowledge.models import Article, ArticleVersion
from cskh.org import permissions
from cskh.training import selectors
from cskh.training.models import (
    Choice,
    CoachingSession,
    Enrollment,
    LearningPath,
    PathStep,
    Question,
    QuizAttempt,
    ReadConfirmation,
    ReadRequirement,
)

__all__ = [
    "require_reading",
    "confirm_reading",
    "remind",
    "remind_overdue",
    "QuestionSpec",
    "StepSpec",
    "create_path",
    "enroll",
    "score_quiz",
    "submit_quiz",
    "record_coaching",
    "acknowledge_coaching",
    "close_follow_up",
]


def _text(value: str | None, what: str, max_len: int, *, required: bool = True) -> str:
    value = nfc(value or "").strip()
    if required and not value:
        raise DomainError(_("Thiếu %(f)s.") % {"f": what}, code="missing_text")
    if len(value) > max_len:
        raise DomainError(_("%(f)s quá dài.") % {"f": what}, code="too_long")
    return value


def _lead(actor: Any) -> None:
    if not permissions.can_manage_training(actor):
        raise Forbidden(_("Chỉ trưởng ca hoặc quản lý được làm việc này."))


# --------------------------------------------------------------------------- mandatory reading


@transaction.atomic
def require_reading(
    *,
    version: ArticleVersion,
    summary: str,
    due_on: date,
    actor: Any,
    unit: Any = None,
    now: datetime | None = None,
) -> ReadRequirement:
    """Mark an approved article version as a change the agents (of ``unit`` and below, or
    all) must read and confirm by ``due_on``; earlier requirements of the article end."""
    _lead(actor)
    now = now or timezone.now()
    if version.status != ArticleVersion.Status.APPROVED:
        raise DomainError(_("Chỉ phiên bản đã duyệt mới được đánh dấu bắt buộc đọc."))
    if due_on < timezone.localdate(now):
        raise DomainError(_("Hạn xác nhận không được ở quá khứ."))
    if ReadRequirement.objects.filter(version=version).exists():
        raise DomainError(_("Phiên bản này đã được đánh dấu bắt buộc đọc."), status=409)
    ReadRequirement.objects.filter(article_id=version.article_id, superseded=False).update(
        superseded=True
    )
    req = ReadRequirement.objects.create(
        article_id=version.article_id,
        version=version,
        summary=_text(summary, _("tóm tắt thay đổi"), 500),
        unit=unit,
        due_on=due_on,
        created_by=actor,
        created_at=now,
    )
    audit.record(
        actor=actor,
        action="training.require_reading",
        obj=req,
        changes={"version": version.number, "unit": getattr(unit, "pk", None), "due": due_on},
    )
    return req


@transaction.atomic
def confirm_reading(
    *, requirement: ReadRequirement, user: Any, now: datetime | None = None
) -> ReadConfirmation:
    """The user has read the change. Twice is a no-op; only its audience confirms."""
    if not selectors.in_audience(requirement, user):
        raise Forbidden(_("Thay đổi này không áp dụng cho bạn."))
    conf, created = ReadConfirmation.objects.get_or_create(
        requirement=requirement, user=user, defaults={"confirmed_at": now or timezone.now()}
    )
    if created:
        audit.record(actor=user, action="training.confirm_reading", obj=requirement)
    return conf


@transaction.atomic
def remind(*, requirement: ReadRequirement, actor: Any, now: datetime | None = None) -> int:
    """Remind those who have not confirmed (the desk shows the reminder); returns how many.
    ``actor`` None is the daily job (every unit)."""
    if actor is not None:
        _lead(actor)
    scope = permissions.supervised_unit_ids(actor) if actor is not None else None
    missing = selectors.unconfirmed(requirement, scope=scope)
    if not missing:
        return 0
    ReadRequirement.objects.filter(pk=requirement.pk).update(
        reminders=requirement.reminders + 1, reminded_at=now or timezone.now()
    )
    requirement.refresh_from_db()
    audit.record(
        actor=actor,
        action="training.remind",
        obj=requirement,
        changes={"people": len(missing), "reminders": requirement.reminders},
    )
    return len(missing)


def remind_overdue(*, now: datetime | None = None) -> int:
    """The daily job: remind once a day on every open requirement past its due date that
    someone still has to confirm. Returns how many requirements were reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    n = 0
    for req in ReadRequirement.objects.filter(superseded=False, due_on__lt=today):
        last = req.reminded_at and timezone.localdate(req.reminded_at)
        if last != today and remind(requirement=req, actor=None, now=now):
            n += 1
    return n


# --------------------------------------------------------------------------- learning paths


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    choices: Sequence[tuple[str, bool]]  # (text, correct); exactly one correct


@dataclass(frozen=True)
class StepSpec:
    title: str
    article_id: int | None = None
    questions: Sequence[QuestionSpec] = field(default_factory=tuple)


@transaction.atomic
def create_path(
    *,
    title: str,
    steps: Sequence[StepSpec],
    actor: Any,
    description: str = "",
    pass_mark: int = 80,
    max_attempts: int = 3,
    now: datetime | None = None,
) -> LearningPath:
    _lead(actor)
    if not steps:
        raise DomainError(_("Lộ trình cần ít nhất một bài."))
    if not 0 < pass_mark <= 100:
        raise DomainError(_("Điểm đạt phải từ 1 đến 100."))
    if max_attempts < 0 or max_attempts > 20:
        raise DomainError(_("Số lần làm bài phải từ 0 (không giới hạn) đến 20."))
    wanted = {spec.article_id for spec in steps if spec.article_id}
    found = set(Article.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise DomainError(
            _("Không có bài viết tri thức mã %(ids)s.")
            % {"ids": ", ".join(str(i) for i in sorted(wanted - found))}
        )
    path = LearningPath.objects.create(
        title=_text(title, _("tên lộ trình"), 200),
        description=_text(description, _("mô tả"), 5000, required=False),
        pass_mark=pass_mark,
        max_attempts=max_attempts,
        created_by=actor,
        created_at=now or timezone.now(),
    )
    for i, spec in enumerate(steps):
        step = PathStep.objects.create(
            path=path,
            position=i,
            title=_text(spec.title, _("tên bài"), 200),
            article_id=spec.article_id,
        )
        for j, q in enumerate(spec.questions):
            if len(q.choices) < 2 or sum(1 for _t, ok in q.choices if ok) != 1:
                raise DomainError(
                    _("Mỗi câu hỏi cần ít nhất hai phương án và đúng một phương án đúng.")
                )
            question = Question.objects.create(
                step=step, position=j, text=_text(q.text, _("câu hỏi"), 500)
            )
            Choice.objects.bulk_create(
                Choice(
                    question=question, position=k, text=_text(t, _("phương án"), 300), correct=ok
                )
                for k, (t, ok) in enumerate(q.choices)
            )
    audit.record(
        actor=actor,
        action="training.path_created",
        obj=path,
        changes={"steps": len(steps), "pass_mark": pass_mark},
    )
    return path


@transaction.atomic
def enroll(*, path: LearningPath, user: Any, actor: Any, now: datetime | None = None) -> Enrollment:
    """Put ``user`` on the path (themself, or by their lead). Twice is a no-op."""
    if not path.is_active:
        raise DomainError(_("Lộ trình này không còn dùng."))
    if not permissions.can_take_training(user):
        raise DomainError(_("Người này không học được lộ trình."))
    if actor.pk != user.pk and not permissions.can_coach(actor, user):
        raise Forbidden(_("Bạn không giao lộ trình cho người này được."))
    enrollment, created = Enrollment.objects.get_or_create(
        path=path,
        user=user,
        defaults={"assigned_by": actor, "started_at": now or timezone.now()},
    )
    if created:
        audit.record(
            actor=actor,
            action="training.enrolled",
            obj=enrollment,
            changes={"path": path.pk, "user": user.pk},
        )
    return enrollment


def score_quiz(questions: Sequence[Question], answers: Mapping[int, int]) -> int:
    """Percentage of questions answered with their correct choice (0..100, rounded half up);
    an unanswered question is wrong. A step without questions scores 100 (reading only)."""
    if not questions:
        return 100
    right = 0
    for q in questions:
        correct = {c.pk for c in q.choices.all() if c.correct}
        if answers.get(q.pk) in correct:
            right += 1
    return (right * 200 + len(questions)) // (2 * len(questions))


def certificate_number(enrollment: Enrollment) -> str:
    done = enrollment.completed_at or timezone.now()
    return f"CSKH-{timezone.localtime(done):%Y}-{enrollment.pk:06d}"


@transaction.atomic
def submit_quiz(
    *,
    enrollment: Enrollment,
    step: PathStep,
    answers: Mapping[int, int],
    user: Any,
    now: datetime | None = None,
) -> QuizAttempt:
    """Score one attempt at a step's quiz. Steps go in order; a passed step is not retaken;
    the path's attempt limit holds. Passing the last step completes the path and issues the
    certificate number."""
    now = now or timezone.now()
    enrollment = Enrollment.objects.select_for_update().select_related("path").get(pk=enrollment.pk)
    if enrollment.user_id != user.pk:
        raise Forbidden(_("Đây không phải lộ trình của bạn."))
    path = enrollment.path
    steps = list(path.steps.all())
    if step.path_id != path.pk:
        raise DomainError(_("Bài này không thuộc lộ trình."))
    passed_ids = set(enrollment.attempts.filter(passed=True).values_list("step_id", flat=True))
    if step.pk in passed_ids:
        raise DomainError(_("Bạn đã đạt bài này."), status=409)
    before = steps[: [s.pk for s in steps].index(step.pk)]
    if any(s.pk not in passed_ids for s in before):
        raise DomainError(_("Hãy hoàn thành các bài trước theo thứ tự."))
    used = enrollment.attempts.filter(step=step).count()
    if path.max_attempts and used >= path.max_attempts:
        raise DomainError(
            _("Bạn đã dùng hết %(n)s lần làm bài này; hãy liên hệ trưởng ca.")
            % {"n": path.max_attempts},
            status=409,
        )
    questions = list(step.questions.prefetch_related("choices"))
    valid = {q.pk: {c.pk for c in q.choices.all()} for q in questions}
    clean = {qid: cid for qid, cid in answers.items() if cid in valid.get(qid, set())}
    score = score_quiz(questions, clean)
    attempt = QuizAttempt.objects.create(
        enrollment=enrollment,
        step=step,
        number=used + 1,
        score=score,
        passed=score >= path.pass_mark,
        answers={str(k): v for k, v in clean.items()},
        taken_at=now,
    )
    if attempt.passed and {s.pk for s in steps} <= passed_ids | {step.pk}:
        enrollment.completed_at = now
        enrollment.certificate_no = certificate_number(enrollment)
        enrollment.save(update_fields=["completed_at", "certificate_no"])
        audit.record(
            actor=user,
            action="training.path_completed",
            obj=enrollment,
            changes={"certificate": enrollment.certificate_no},
        )
    audit.record(
        actor=user,
        action="training.quiz_attempt",
        obj=enrollment,
        changes={"step": step.pk, "score": score, "passed": attempt.passed},
    )
    return attempt


# --------------------------------------------------------------------------- coaching


@transaction.atomic
def record_coaching(
    *,
    agent: Any,
    coach: Any,
    topic: str,
    actions: str,
    follow_up_on: date,
    held_on: date | None = None,
    notes: str = "",
    reviews: Sequence[Any] = (),
    now: datetime | None = None,
) -> CoachingSession:
    """A coaching session with the agreed actions and the date the lead checks them again;
    linked to the QA reviews discussed (the agent's own)."""
    if not permissions.can_coach(coach, agent):
        raise Forbidden(_("Bạn không ghi kèm cặp cho người này được."))
    now = now or timezone.now()
    held_on = held_on or timezone.localdate(now)
    if follow_up_on < held_on:
        raise DomainError(_("Ngày theo dõi lại phải sau ngày kèm cặp."))
    if any(r.agent_id != agent.pk for r in reviews):
        raise DomainError(_("Chỉ gắn được các đánh giá của chính tư vấn viên này."))
    session = CoachingSession.objects.create(
        agent=agent,
        coach=coach,
        held_on=held_on,
        topic=_text(topic, _("chủ đề"), 200),
        notes=_text(notes, _("nội dung trao đổi"), 5000, required=False),
        actions=_text(actions, _("hành động đã thống nhất"), 5000),
        follow_up_on=follow_up_on,
        created_at=now,
    )
    session.reviews.set(reviews)
    audit.record(
        actor=coach,
        action="training.coaching_recorded",
        obj=session,
        changes={"agent": agent.pk, "reviews": [r.pk for r in reviews], "follow_up": follow_up_on},
    )
    return session


@transaction.atomic
def acknowledge_coaching(
    *, session: CoachingSession, agent: Any, note: str = "", now: datetime | None = None
) -> CoachingSession:
    session = CoachingSession.objects.select_for_update().get(pk=session.pk)
    if session.agent_id != agent.pk:
        raise Forbidden(_("Đây không phải buổi kèm cặp của bạn."))
    if session.acknowledged_at is not None:
        raise DomainError(_("Bạn đã xác nhận buổi kèm cặp này."), status=409)
    session.acknowledged_at = now or timezone.now()
    session.agent_note = _text(note, _("ý kiến"), 2000, required=False)
    session.save(update_fields=["acknowledged_at", "agent_note"])
    audit.record(actor=agent, action="training.coaching_acknowledged", obj=session)
    return session


@transaction.atomic
def close_follow_up(
    *, session: CoachingSession, coach: Any, note: str, now: datetime | None = None
) -> CoachingSession:
    """The lead checked the agreed actions again (on or after the follow-up date)."""
    session = CoachingSession.objects.select_for_update().select_related("agent").get(pk=session.pk)
    if not permissions.can_coach(coach, session.agent):
        raise Forbidden(_("Bạn không theo dõi buổi kèm cặp này được."))
    if session.followed_up_at is not None:
        raise DomainError(_("Buổi kèm cặp này đã được theo dõi lại."), status=409)
    session.followed_up_at = now or timezone.now()
    session.follow_up_note = _text(note, _("kết quả theo dõi"), 5000)
    session.save(update_fields=["followed_up_at", "follow_up_note"])
    audit.record(actor=coach, action="training.follow_up_closed", obj=session)
    return session
