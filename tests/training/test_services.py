"""Training services: mandatory reading, quizzes and certificates, coaching follow-ups."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.core.errors import DomainError, Forbidden
from cskh.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _require(version, teams, unit=None, days=3):
    from cskh.training.services import require_reading

    return require_reading(
        version=version,
        summary="Giá bậc 1 tăng",
        due_on=timezone.localdate() + timedelta(days=days),
        unit=unit,
        actor=teams["lead"],
    )


# --------------------------------------------------------------------------- mandatory reading


def test_required_change_reaches_its_audience_until_confirmed(teams, version):
    from cskh.training import selectors, services

    req = _require(version, teams, unit=teams["center"])
    # center and its team below; not the team outside, not the lead
    assert [r.pk for r in selectors.unread_for(teams["agent"])] == [req.pk]
    assert [r.pk for r in selectors.unread_for(teams["a1"])] == [req.pk]
    assert selectors.unread_for(teams["a2"]) == []
    assert selectors.unread_for(teams["lead"]) == []
    services.confirm_reading(requirement=req, user=teams["a1"])
    services.confirm_reading(requirement=req, user=teams["a1"])  # twice: one row
    assert req.confirmations.count() == 1
    assert selectors.unread_for(teams["a1"]) == []
    assert {u.username for u in selectors.unconfirmed(req)} == {"tvv01"}
    with pytest.raises(Forbidden):
        services.confirm_reading(requirement=req, user=teams["a2"])
    assert AuditLog.objects.filter(action="training.confirm_reading").count() == 1


def test_overview_counts_per_scope_and_team(teams, version):
    from cskh.training import selectors, services

    req = _require(version, teams)  # every agent
    services.confirm_reading(requirement=req, user=teams["a2"])
    (everyone,) = selectors.requirements_overview(None)
    assert (everyone["total"], everyone["confirmed"], everyone["missing"]) == (3, 1, 2)
    (team2,) = selectors.requirements_overview({teams["t2"].pk})
    assert (team2["total"], team2["confirmed"], team2["pct"]) == (1, 1, 100)
    by_team = {t["unit"]: t for t in selectors.requirement_teams(req, None)}
    assert [p.username for p, _at in by_team["Tổ 2"]["done"]] == ["a2"]
    assert [p.username for p in by_team["Tổ 1"]["missing"]] == ["a1"]


def test_reminder_counts_only_unconfirmed_in_the_leads_scope(teams, version):
    from cskh.training import services

    req = _require(version, teams)
    services.confirm_reading(requirement=req, user=teams["agent"])
    assert services.remind(requirement=req, actor=teams["lead2"]) == 1  # a2 only
    assert services.remind(requirement=req, actor=teams["lead"]) == 1  # a1 (center subtree)
    req.refresh_from_db()
    assert req.reminders == 2 and req.reminded_at is not None
    with pytest.raises(Forbidden):
        services.remind(requirement=req, actor=teams["agent"])


def test_new_requirement_supersedes_the_article_s_previous_one(teams, version, lead):
    from cskh.knowledge import services as kb
    from cskh.training import selectors

    first = _require(version, teams)
    v2 = kb.add_version(
        article=version.article,
        title="Biểu giá mới",
        body="Bậc 1: 2.000 đ",
        effective_from=None,
        author=teams["manager"],
    )
    v2 = kb.approve_version(version=v2, approver=lead)
    second = _require(v2, teams)
    first.refresh_from_db()
    assert first.superseded
    assert [r.pk for r in selectors.unread_for(teams["a1"])] == [second.pk]


def test_only_approved_versions_and_no_past_due_dates(teams, version):
    from cskh.knowledge import services as kb
    from cskh.training.services import require_reading

    draft = kb.add_version(
        article=version.article, title="Nháp", body="…", effective_from=None, author=teams["lead"]
    )
    with pytest.raises(DomainError):
        _require(draft, teams)
    with pytest.raises(DomainError):
        require_reading(
            version=version,
            summary="x",
            due_on=timezone.localdate() - timedelta(days=1),
            actor=teams["lead"],
        )
    with pytest.raises(Forbidden):
        require_reading(
            version=version, summary="x", due_on=timezone.localdate(), actor=teams["agent"]
        )
    _require(version, teams)
    with pytest.raises(DomainError):
        _require(version, teams)  # once per version


# --------------------------------------------------------------------------- quizzes


def _answers(step, right: int):
    out = {}
    for i, q in enumerate(step.questions.all()):
        choices = list(q.choices.all())
        good = next(c for c in choices if c.correct)
        bad = next(c for c in choices if not c.correct)
        out[q.pk] = good.pk if i < right else bad.pk
    return out


def test_score_quiz_counts_correct_choices_and_rounds():
    from types import SimpleNamespace

    from cskh.training.services import score_quiz

    class Qs(list):
        def all(self):
            return self

    qs = [
        SimpleNamespace(
            pk=i,
            choices=Qs(
                [
                    SimpleNamespace(pk=10 * i, correct=True),
                    SimpleNamespace(pk=10 * i + 1, correct=False),
                ]
            ),
        )
        for i in (1, 2, 3)
    ]
    assert score_quiz(qs, {1: 10, 2: 20, 3: 30}) == 100
    assert score_quiz(qs, {1: 10, 2: 20}) == 67  # unanswered is wrong; 66.7 rounds up
    assert score_quiz(qs, {1: 11}) == 0
    assert score_quiz([], {}) == 100


def test_pass_mark_attempt_limit_order_and_certificate(teams, path):
    from cskh.training import selectors, services

    agent = teams["a1"]
    e = services.enroll(path=path, user=agent, actor=agent)
    quiz, reading = list(path.steps.all())
    with pytest.raises(DomainError):  # steps in order
        services.submit_quiz(enrollment=e, step=reading, answers={}, user=agent)
    first = services.submit_quiz(enrollment=e, step=quiz, answers=_answers(quiz, 1), user=agent)
    assert (first.score, first.passed, first.number) == (50, False, 1)
    second = services.submit_quiz(enrollment=e, step=quiz, answers=_answers(quiz, 2), user=agent)
    assert (second.score, second.passed) == (100, True)
    with pytest.raises(DomainError):  # a passed step is not retaken
        services.submit_quiz(enrollment=e, step=quiz, answers=_answers(quiz, 2), user=agent)
    e.refresh_from_db()
    assert e.completed_at is None
    done = services.submit_quiz(enrollment=e, step=reading, answers={}, user=agent)
    assert done.passed and done.score == 100
    e.refresh_from_db()
    assert e.completed_at is not None
    assert e.certificate_no == f"CSKH-{timezone.localtime(e.completed_at):%Y}-{e.pk:06d}"
    steps = selectors.progress(e)
    assert [s["passed"] for s in steps] == [True, True]
    assert AuditLog.objects.filter(action="training.path_completed").count() == 1


def test_attempts_run_out(teams, path):
    from cskh.training import selectors, services

    agent = teams["a1"]
    e = services.enroll(path=path, user=agent, actor=teams["lead"])
    quiz = path.steps.first()
    for _ in range(2):
        services.submit_quiz(enrollment=e, step=quiz, answers={}, user=agent)
    with pytest.raises(DomainError) as exc:
        services.submit_quiz(enrollment=e, step=quiz, answers=_answers(quiz, 2), user=agent)
    assert exc.value.status == 409
    assert selectors.progress(e)[0]["exhausted"]
    # someone else cannot submit for the agent
    with pytest.raises(Forbidden):
        services.submit_quiz(enrollment=e, step=quiz, answers={}, user=teams["agent"])


def test_answers_for_other_questions_do_not_count(teams, path):
    from cskh.training import services

    agent = teams["a1"]
    e = services.enroll(path=path, user=agent, actor=agent)
    quiz = path.steps.first()
    good = _answers(quiz, 2)
    swapped = dict(zip(good, reversed(list(good.values())), strict=True))
    attempt = services.submit_quiz(enrollment=e, step=quiz, answers=swapped, user=agent)
    assert attempt.score == 0


def test_path_needs_one_correct_choice_per_question(teams):
    from cskh.training.services import QuestionSpec, StepSpec, create_path

    with pytest.raises(DomainError):
        create_path(
            title="Sai",
            actor=teams["manager"],
            steps=[StepSpec("B", questions=[QuestionSpec("?", [("a", True), ("b", True)])])],
        )
    with pytest.raises(Forbidden):
        create_path(title="X", actor=teams["agent"], steps=[StepSpec("B")])


def test_lead_assigns_only_within_scope(teams, path):
    from cskh.training import services

    services.enroll(path=path, user=teams["a2"], actor=teams["lead2"])
    with pytest.raises(Forbidden):
        services.enroll(path=path, user=teams["a1"], actor=teams["lead2"])
    with pytest.raises(Forbidden):
        services.enroll(path=path, user=teams["a1"], actor=teams["agent"])


# --------------------------------------------------------------------------- coaching


@pytest.fixture
def scored(world, teams):
    """A scored QA review of the center's agent."""
    from cskh.cases import services as cases
    from cskh.catalog.services import get_case_type
    from cskh.qa.services import publish_scorecard, sample_week, score_review

    card = publish_scorecard(name="Cuộc gọi", criteria=[("Chào", 10, False), ("Xác minh", 0, True)])
    case = cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="Hóa đơn cao",
        actor=world["agent"],
        assign_to_actor=True,
    )
    (review,) = sample_week(week=timezone.localdate(case.created_at), seed=1)
    met = {c.pk: False for c in card.criteria.all()}
    return score_review(review=review, reviewer=teams["lead"], met=met)


def test_coaching_follow_up_shows_when_due_and_agent_acknowledges(teams, scored):
    from cskh.training import selectors, services

    today = timezone.localdate()
    s = services.record_coaching(
        agent=teams["agent"],
        coach=teams["lead"],
        topic="Xác minh danh tính",
        actions="Hỏi mã khách hàng trước\nNghe lại 3 cuộc gọi",
        follow_up_on=today + timedelta(days=7),
        reviews=[scored],
    )
    assert s.action_list() == ["Hỏi mã khách hàng trước", "Nghe lại 3 cuộc gọi"]
    assert list(s.reviews.all()) == [scored]
    assert selectors.follow_ups_due(teams["lead"]) == []
    due = selectors.follow_ups_due(teams["lead"], today=today + timedelta(days=7))
    assert [x.pk for x in due] == [s.pk]
    assert selectors.follow_ups_due(teams["lead2"], today=today + timedelta(days=8)) == []
    assert selectors.follow_ups_due(teams["agent"], today=today + timedelta(days=8)) == []

    with pytest.raises(Forbidden):
        services.acknowledge_coaching(session=s, agent=teams["a1"])
    services.acknowledge_coaching(session=s, agent=teams["agent"], note="Em sẽ làm")
    with pytest.raises(DomainError):
        services.acknowledge_coaching(session=s, agent=teams["agent"])
    services.close_follow_up(session=s, coach=teams["lead"], note="Đã tiến bộ")
    assert selectors.follow_ups_due(teams["lead"], today=today + timedelta(days=30)) == []
    actions = set(
        AuditLog.objects.filter(action__startswith="training.coaching").values_list(
            "action", flat=True
        )
    )
    assert actions == {"training.coaching_recorded", "training.coaching_acknowledged"}


def test_coaching_rules(teams, scored):
    from cskh.training import services

    today = timezone.localdate()
    kw = dict(topic="T", actions="A", follow_up_on=today)
    with pytest.raises(Forbidden):  # not their team
        services.record_coaching(agent=teams["agent"], coach=teams["lead2"], **kw)
    with pytest.raises(Forbidden):  # an agent does not coach
        services.record_coaching(agent=teams["a1"], coach=teams["agent"], **kw)
    with pytest.raises(DomainError):  # reviews of someone else
        services.record_coaching(agent=teams["a1"], coach=teams["lead"], reviews=[scored], **kw)
    with pytest.raises(DomainError):  # follow-up before the session
        services.record_coaching(
            agent=teams["agent"],
            coach=teams["lead"],
            topic="T",
            actions="A",
            follow_up_on=today - timedelta(days=1),
        )
    with pytest.raises(DomainError):  # actions are required
        services.record_coaching(
            agent=teams["agent"], coach=teams["lead"], topic="T", actions=" ", follow_up_on=today
        )


def test_plain_text_path_format(teams):
    from cskh.training import quizformat
    from cskh.training.services import create_path

    steps = quizformat.parse(
        "## Giao tiếp\n? Xưng hô?\n* Anh/chị – em\n- Mày – tao\n\n## Đọc quy định\n"
    )
    assert [s.title for s in steps] == ["Giao tiếp", "Đọc quy định"]
    assert steps[0].questions[0].choices == [("Anh/chị – em", True), ("Mày – tao", False)]
    path = create_path(title="Mới", steps=steps, actor=teams["lead"])
    assert path.steps.count() == 2
    for bad in (
        "? Câu hỏi trước tên bài",
        "## B\n* phương án không có câu hỏi",
        "## B\n@ abc",
        "## B\nlinh tinh",
    ):
        with pytest.raises(DomainError):
            quizformat.parse(bad)
    with pytest.raises(DomainError):  # an article that does not exist
        create_path(title="X", steps=quizformat.parse("## B\n@ 999999"), actor=teams["lead"])


def test_daily_job_reminds_overdue_requirements_once_a_day(teams, version):
    from cskh.training.models import ReadRequirement
    from cskh.training.services import confirm_reading, remind_overdue

    req = _require(version, teams, days=1)
    assert remind_overdue() == 0  # not due yet
    later = timezone.now() + timedelta(days=3)
    assert remind_overdue(now=later) == 1
    assert remind_overdue(now=later) == 0  # once a day
    req.refresh_from_db()
    assert req.reminders == 1
    for who in ("agent", "a1", "a2"):
        confirm_reading(requirement=req, user=teams[who])
    assert remind_overdue(now=later + timedelta(days=1)) == 0  # everyone confirmed
    assert ReadRequirement.objects.get().reminders == 1
