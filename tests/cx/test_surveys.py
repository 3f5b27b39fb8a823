from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import signing as dj_signing
from django.test import override_settings

from cskh.core.errors import DomainError
from cskh.cx import signing
from cskh.cx.models import FollowUp, Rollup, Survey, SurveyOptOut
from cskh.cx.services import surveys
from cskh.notify.models import Notification

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=HCM)


def test_token_round_trip_and_tampering():
    token = signing.token_for(12345)
    assert signing.survey_id_from(token) == 12345
    assert len(token) < 24  # short enough for an SMS
    value, sig = token.split(".")
    assert signing.survey_id_from(f"{value}.{sig[:-1]}x") is None
    assert signing.survey_id_from(f"{int(value, 36) + 1:x}.{sig}") is None
    assert signing.survey_id_from("garbage") is None
    # a signature made with another salt is refused
    other = dj_signing.Signer(salt="other", sep=".").sign(value).split(".")[1][:16]
    assert signing.survey_id_from(f"{value}.{other}") is None


@pytest.mark.django_db
def test_resolved_case_schedules_survey_sent_outside_quiet_hours(resolve_case, world):
    case = resolve_case()
    survey = Survey.objects.get(case_id=case.pk)
    assert survey.touchpoint == "hotline"
    assert survey.agent_id == world["agent"].pk
    assert survey.team_id == world["center"].pk
    assert survey.status == "scheduled"
    # 22:00 is quiet: nothing goes out; 08:00 next day it is sent
    late = datetime(2026, 3, 10, 22, 0, tzinfo=HCM)
    survey.send_at = late - timedelta(hours=1)
    survey.save()
    assert surveys.tick(late)["sent"] == 0
    morning = datetime(2026, 3, 11, 8, 5, tzinfo=HCM)
    assert surveys.tick(morning)["sent"] == 1
    survey.refresh_from_db()
    assert survey.status == "sent" and survey.sent_at == morning
    note = Notification.objects.get(dedupe_key=f"cx:{survey.pk}:invite")
    assert "/s/" + signing.token_for(survey.pk) in note.body
    sent = Rollup.objects.get(kind="csat", dim="agent", key=str(world["agent"].pk))
    assert (sent.sent, sent.responses) == (1, 0)


def test_next_allowed_moves_out_of_quiet_hours():
    assert surveys.next_allowed(NOON) == NOON
    assert surveys.next_allowed(datetime(2026, 3, 10, 23, 30, tzinfo=HCM)) == datetime(
        2026, 3, 11, 8, 0, tzinfo=HCM
    )
    assert surveys.next_allowed(datetime(2026, 3, 11, 3, 0, tzinfo=HCM)) == datetime(
        2026, 3, 11, 8, 0, tzinfo=HCM
    )


def _sent_survey(resolve_case, when=NOON):
    case = resolve_case()
    survey = Survey.objects.get(case_id=case.pk)
    Survey.objects.filter(pk=survey.pk).update(send_at=when - timedelta(minutes=1))
    surveys.tick(when)
    survey.refresh_from_db()
    return survey


@pytest.mark.django_db
def test_link_works_once(resolve_case):
    survey = _sent_survey(resolve_case)
    token = signing.token_for(survey.pk)
    answered = surveys.answer(token=token, score="5", comment="Nhân viên nhiệt tình", now=NOON)
    assert answered.status == "answered" and answered.score == 5
    with pytest.raises(DomainError) as err:
        surveys.answer(token=token, score="1", now=NOON)
    assert err.value.code == "answered"
    survey.refresh_from_db()
    assert survey.score == 5  # the first answer stands
    row = Rollup.objects.get(kind="csat", dim="month", key="all")
    assert (row.sent, row.responses, row.high, row.low) == (1, 1, 1, 0)


@pytest.mark.django_db
def test_link_expires(resolve_case, settings):
    survey = _sent_survey(resolve_case)
    later = NOON + timedelta(days=settings.CSKH_CX_LINK_DAYS, minutes=1)
    with pytest.raises(DomainError) as err:
        surveys.answer(token=signing.token_for(survey.pk), score=4, now=later)
    assert err.value.status == 410
    surveys.tick(later)
    survey.refresh_from_db()
    assert survey.status == "expired"


@pytest.mark.django_db
def test_bad_score_is_refused_and_nothing_stored(resolve_case):
    survey = _sent_survey(resolve_case)
    for bad in ("0", "6", "abc", ""):
        with pytest.raises(DomainError) as err:
            surveys.answer(token=signing.token_for(survey.pk), score=bad, now=NOON)
        assert err.value.code == "bad_score"
    survey.refresh_from_db()
    assert survey.status == "sent" and survey.score is None


@pytest.mark.django_db
def test_one_reminder_at_most(resolve_case, settings):
    survey = _sent_survey(resolve_case)
    after = NOON + timedelta(hours=settings.CSKH_CX_REMINDER_HOURS, minutes=1)
    assert surveys.tick(after)["reminded"] == 1
    assert surveys.tick(after + timedelta(hours=49))["reminded"] == 0
    keys = Notification.objects.filter(dedupe_key__startswith=f"cx:{survey.pk}:")
    assert sorted(keys.values_list("dedupe_key", flat=True)) == [
        f"cx:{survey.pk}:invite",
        f"cx:{survey.pk}:reminder",
    ]


@pytest.mark.django_db
def test_fatigue_one_survey_per_customer_per_window(resolve_case, settings):
    first = _sent_survey(resolve_case)
    second = Survey.objects.get(case_id=resolve_case().pk)
    assert second.status == "suppressed" and second.suppress_reason == "fatigue"
    # after the window a new touchpoint is surveyed again
    Survey.objects.filter(pk=first.pk).update(
        created_at=first.created_at - timedelta(days=settings.CSKH_CX_FATIGUE_DAYS + 1),
        sent_at=first.sent_at - timedelta(days=settings.CSKH_CX_FATIGUE_DAYS + 1),
    )
    third = Survey.objects.get(case_id=resolve_case().pk)
    assert third.status == "scheduled"


@pytest.mark.django_db
@override_settings(CSKH_CX_FATIGUE_DAYS=3)
def test_fatigue_window_is_a_setting(resolve_case):
    first = _sent_survey(resolve_case)
    Survey.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(days=4))
    assert Survey.objects.get(case_id=resolve_case().pk).status == "scheduled"


@pytest.mark.django_db
def test_opt_out_is_honoured(resolve_case, world):
    survey = _sent_survey(resolve_case)
    surveys.opt_out_by_token(token=signing.token_for(survey.pk))
    assert SurveyOptOut.objects.filter(customer_id=world["customer"].pk).exists()
    Survey.objects.filter(pk=survey.pk).update(
        created_at=survey.created_at - timedelta(days=30),
        sent_at=survey.sent_at - timedelta(days=30),
    )
    later = Survey.objects.get(case_id=resolve_case().pk)
    assert later.status == "suppressed" and later.suppress_reason == "opt_out"


@pytest.mark.django_db
def test_channel_consent_is_honoured(resolve_case, world):
    c = world["customer"]
    c.consent_sms = c.consent_zalo = c.consent_email = False
    c.save()
    case = resolve_case()
    survey = Survey.objects.get(case_id=case.pk)
    Survey.objects.filter(pk=survey.pk).update(send_at=NOON - timedelta(minutes=1))
    surveys.tick(NOON)
    survey.refresh_from_db()
    assert survey.status == "suppressed" and survey.suppress_reason == "no_consent"
    assert not Rollup.objects.filter(kind="csat").exists()


@pytest.mark.django_db
def test_detractor_opens_followup_case_with_callback_sla(resolve_case, world):
    survey = _sent_survey(resolve_case)
    surveys.answer(token=signing.token_for(survey.pk), score=2, comment="Chờ quá lâu", now=NOON)
    f = FollowUp.objects.get(survey=survey)
    assert f.case.case_type.code == "cx_followup"
    assert f.case.customer_id == world["customer"].pk
    assert f.case.unit_id == world["center"].pk  # the agent's team
    assert "Chờ quá lâu" in f.case.description
    assert f.case.due_at is not None  # the callback SLA (1 working day)
    assert f.case.due_at - f.case.created_at <= timedelta(days=3)
    from cskh.cx.services import followups

    followups.record_outcome(
        followup=f, outcome="resolved", note="Đã xin lỗi", actor=world["agent"]
    )
    f.refresh_from_db()
    f.case.refresh_from_db()
    assert f.outcome == "resolved" and f.case.status == "resolved"
    # a follow-up case is not itself surveyed
    assert not Survey.objects.filter(case_id=f.case.pk).exists()


@pytest.mark.django_db
def test_promoter_is_not_followed_up(resolve_case):
    survey = _sent_survey(resolve_case)
    surveys.answer(token=signing.token_for(survey.pk), score=4, now=NOON)
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_conversation_closed_hook_schedules_written_survey(world):
    from cskh.core import hooks

    hooks.run(
        "conversation_closed",
        conversation_id=77,
        customer_id=world["customer"].pk,
        channel="zalo",
        agent_id=world["agent"].pk,
    )
    survey = Survey.objects.get(source_key="conv:77")
    assert survey.touchpoint == "written" and survey.channel == "zalo"
    # no customer known: harmless
    hooks.run(
        "conversation_closed", conversation_id=78, customer_id=None, channel="chat", agent_id=None
    )
    assert not Survey.objects.filter(source_key="conv:78").exists()


@pytest.mark.django_db
def test_counter_visit_completed_hook_schedules_counter_survey(world, settings):
    """The counters app fires `counter_visit_completed` through core/hooks; cx listens."""
    from cskh.core import hooks
    from cskh.cx.services import rollups

    assert (
        "cskh.cx.services.surveys.on_counter_visit_completed"
        in settings.CSKH_HOOKS["counter_visit_completed"]
    )
    office = world["agent"].unit
    hooks.run(
        "counter_visit_completed",
        visit_id=501,
        customer_id=world["customer"].pk,
        office_id=office.pk,
        agent_id=world["agent"].pk,
    )
    survey = Survey.objects.get(source_key="counter:501")
    assert survey.touchpoint == "counter" and survey.channel == "counter"
    assert (survey.office_id, survey.agent_id, survey.team_id) == (
        office.pk,
        world["agent"].pk,
        world["agent"].unit_id,
    )
    assert ("office", str(office.pk)) in rollups.keys_of(survey)
    # the same visit fired twice: one survey
    hooks.run("counter_visit_completed", visit_id=501, customer_id=world["customer"].pk)
    assert Survey.objects.filter(source_key="counter:501").count() == 1
    # a walk-in nobody identified: no survey
    hooks.run("counter_visit_completed", visit_id=502, customer_id=None)
    assert not Survey.objects.filter(source_key="counter:502").exists()
