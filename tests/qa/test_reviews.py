"""Scorecards, scoring with auto-fail, the agent's answer, calibration, pages and permissions."""

from decimal import Decimal

import pytest
from django.utils import timezone

from cskh.core.errors import DomainError
from cskh.qa import selectors, services
from cskh.qa.models import AttitudeFlag, Review


def met_all(review, **unmet):
    crit = list(review.scorecard.criteria.all())
    off = set(unmet.get("off", ()))
    return {c.pk: c.label not in off for c in crit}


def test_score_by_weight(world, lead, review):
    r = services.score_review(
        review=review, reviewer=lead, met=met_all(review, off=["Thấu cảm"]), comment="Tốt"
    )
    # weights 10 + 30 + 20 + 10 = 70; missing empathy (20) → 50/70
    assert r.score == Decimal("71.4") and not r.auto_failed
    assert r.status == Review.Status.SCORED and r.answers.count() == 6


def test_unmet_auto_fail_item_makes_zero(world, lead, review):
    r = services.score_review(
        review=review, reviewer=lead, met=met_all(review, off=["Xác minh danh tính"])
    )
    assert r.score == Decimal("0.0") and r.auto_failed


def test_scorecard_versions_keep_old_reviews(world, lead, review, scorecard):
    new = services.publish_scorecard(name=scorecard.name, criteria=[("Chào hỏi", 1, False)])
    assert new.version == 2 and new.is_active
    scorecard.refresh_from_db()
    assert not scorecard.is_active
    review.refresh_from_db()
    assert review.scorecard_id == scorecard.pk
    with pytest.raises(DomainError):
        services.publish_scorecard(name="x", criteria=[("Chỉ bắt buộc", 0, True)])


def test_agent_acknowledges_or_disputes(world, lead, review):
    agent = world["agent"]
    with pytest.raises(DomainError):  # not scored yet
        services.acknowledge(review=review, agent=agent)
    services.score_review(review=review, reviewer=lead, met=met_all(review))
    with pytest.raises(DomainError):  # reason required
        services.dispute(review=review, agent=agent, reason=" ")
    with pytest.raises(DomainError):  # not theirs
        services.acknowledge(review=review, agent=lead)
    r = services.dispute(review=review, agent=agent, reason="Khách đã được xác minh qua SMS")
    assert r.status == Review.Status.DISPUTED
    with pytest.raises(DomainError):  # answered once
        services.acknowledge(review=review, agent=agent)
    with pytest.raises(DomainError):  # reviewer cannot rescore a disputed review silently
        services.score_review(review=review, reviewer=lead, met={})


def test_agent_cannot_score(world, review):
    with pytest.raises(DomainError):
        services.score_review(review=review, reviewer=world["agent"], met={})


def test_sampling_is_idempotent_and_targets_complaints(world, case, scorecard):
    from cskh.cases.models import Case

    Case.objects.filter(pk=case.pk).update(complaint=True)
    first = services.sample_week(week=timezone.localdate(case.created_at), seed=3)
    assert [r.sample for r in first] == [Review.Sample.COMPLAINT]
    assert services.sample_week(week=timezone.localdate(case.created_at), seed=3) == []


def test_calibration_spread(world, lead, review, center):
    from cskh.org.services import create_user

    lead2 = create_user(username="truongca2", password="x", role="shift_lead", unit=center)
    services.score_review(review=review, reviewer=lead, met=met_all(review))
    review.refresh_from_db()
    made = services.open_calibration(review=review, reviewers=[lead, lead2])
    assert len(made) == 1  # lead already scored the original
    services.score_review(
        review=made[0], reviewer=lead2, met=met_all(review, off=["Kết thúc cuộc gọi"])
    )
    review.refresh_from_db()
    cal = selectors.calibration(review.calibration_key)
    assert [float(r.score) for r in cal["reviews"]] == [100.0, 85.7]
    assert cal["spread"] == pytest.approx(14.3)


def test_pages_and_not_yours_is_404(world, lead, review, client, center):
    from cskh.org.services import create_user

    other = create_user(username="tvv09", password="x", role="agent", unit=center)
    client.force_login(world["agent"])
    assert client.get("/qa/reviews/").status_code == 403
    assert client.get(f"/qa/reviews/{review.pk}/").status_code == 200
    client.force_login(other)
    assert client.get(f"/qa/reviews/{review.pk}/").status_code == 404
    assert client.post(f"/qa/reviews/{review.pk}/answer", {"action": "ack"}).status_code == 404
    client.force_login(lead)
    page = client.get("/qa/reviews/")
    assert page.status_code == 200 and review.case.number in page.content.decode()
    crit = list(review.scorecard.criteria.all())
    data = {f"c{c.pk}": "1" for c in crit} | {"comment": "Chuẩn"}
    assert client.post(f"/qa/reviews/{review.pk}/score", data).status_code == 302
    review.refresh_from_db()
    assert review.score == Decimal("100.0")
    client.force_login(world["agent"])
    assert "100" in client.get("/qa/mine/").content.decode()
    client.post(f"/qa/reviews/{review.pk}/answer", {"action": "ack", "text": "Cảm ơn anh"})
    review.refresh_from_db()
    assert review.status == Review.Status.ACKNOWLEDGED
    client.logout()
    assert client.get("/qa/mine/").status_code == 302


def test_flagged_reply_is_counted_when_sent(world, case):
    from cskh.cases.services import add_note

    add_note(case=case, body="Dạ chị chờ giúp em ạ.", public=True, actor=world["agent"])
    add_note(case=case, body="Mày tự ra điện lực mà hỏi đi", public=False, actor=world["agent"])
    assert AttitudeFlag.objects.count() == 0  # polite reply; internal notes are not replies
    add_note(case=case, body="Không biết, tự ra điện lực đi", public=True, actor=world["agent"])
    flag = AttitudeFlag.objects.get()
    assert flag.agent == world["agent"] and "dismissive" in flag.codes


def test_flagged_resolution_is_counted(world, case):
    from cskh.cases.services import transition

    transition(case=case, to="resolved", note="ko bik, tự ra điện lực đi", actor=world["agent"])
    assert AttitudeFlag.objects.get().codes == ["dismissive", "no_address", "teencode"]


def test_warning_partial(world, client, unit_staff):
    client.force_login(world["agent"])
    r = client.post("/qa/check-reply", {"body": "ko bik, tự xem đi"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-code="teencode"' in html and "qa-suggestion" in html
    assert client.post("/qa/check-reply", {"reply": "Dạ em cảm ơn anh ạ."}).content.strip() == b""
    client.force_login(unit_staff)
    assert client.post("/qa/check-reply", {"body": "x"}).status_code == 403


def test_admin_lists_are_read_only(admin_client, review):
    assert admin_client.get("/admin/qa/review/").status_code == 200
    assert admin_client.get(f"/admin/qa/scorecard/{review.scorecard_id}/change/").status_code == 200
    assert admin_client.get("/admin/qa/scorecard/add/").status_code == 403
