from datetime import date, timedelta

import numpy as np
import pytest

from cskh.cx.models import Referral, RetentionEntry, RewardEntry
from cskh.cx.services import churn, referrals, retention


def test_reasons_are_vietnamese_and_strongest_first():
    x = np.zeros(len(churn.FEATURE_CODES))
    col = {c: i for i, c in enumerate(churn.FEATURE_CODES)}
    x[col["outage_30"]] = 3
    x[col["days_to_contract_end"]] = 20
    x[col["tenure_months"]] = 40
    contrib = np.zeros_like(x)
    contrib[col["outage_30"]] = 0.9
    contrib[col["days_to_contract_end"]] = 0.5
    contrib[col["tenure_months"]] = -0.3  # long tenure lowers risk: never a reason
    texts = [r["text"] for r in churn.reasons_for(x, contrib)]
    assert texts == ["3 lần báo mất mạng trong 30 ngày", "hợp đồng hết hạn sau 20 ngày"]


def test_a_pushing_feature_without_a_meaningful_value_is_no_reason():
    x = np.zeros(len(churn.FEATURE_CODES))
    contrib = np.full_like(x, 0.1)
    x[churn.FEATURE_CODES.index("nps_last")] = -1  # never answered NPS
    texts = [r["text"] for r in churn.reasons_for(x, contrib, k=5)]
    assert not any("NPS" in t for t in texts)


def test_holdout_assignment_is_deterministic_and_near_the_share():
    ids = range(1, 20001)
    held = [i for i in ids if retention.holdout(i, share=0.1)]
    assert 0.09 < len(held) / 20000 < 0.11
    assert held == [i for i in ids if retention.holdout(i, share=0.1)]
    assert not any(retention.holdout(i, share=0.0) for i in range(1, 200))


@pytest.mark.django_db
def test_cancellation_case_goes_to_save_desk_never_held_out(world, settings):
    from cskh.cases import services as cases
    from cskh.catalog.services import get_case_type

    settings.CSKH_CX_HOLDOUT_SHARE = 1.0  # everyone scored would be held out
    case = cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("general"),
        description="Tôi muốn hủy dịch vụ, chuyển sang nhà mạng khác",
        actor=world["agent"],
    )
    entry = RetentionEntry.objects.get(customer=world["customer"], is_open=True)
    assert entry.reason == "cancellation" and entry.case_id == case.pk
    assert entry.group == "treatment"


@pytest.mark.django_db
def test_holdout_entry_cannot_be_worked(world, settings):
    settings.CSKH_CX_HOLDOUT_SHARE = 1.0
    entry = retention.enqueue(customer_id=world["customer"].pk, reason="score")
    assert entry.group == "holdout"
    from cskh.core.errors import DomainError

    with pytest.raises(DomainError):
        retention.record_outcome(entry=entry, outcome="saved", actor=world["agent"])


def test_cancel_intent_in_text():
    assert retention.has_cancel_intent("Cho em HỦY HỢP ĐỒNG internet")
    assert retention.has_cancel_intent("mạng chậm quá em muốn chuyển sang Viettel")
    assert not retention.has_cancel_intent("Hỏi cước tháng này")


@pytest.fixture
def code(world):
    return referrals.issue_code(customer_id=world["customer"].pk, send=False)


@pytest.mark.django_db
def test_self_referral_by_phone_address_or_id_is_refused(world, code):
    from django.utils import timezone

    from cskh.cx.models import ContractAttributes

    r = referrals.submit(code=code.code, prospect_name="Bà Ba", prospect_phone="0901234567")
    assert r.status == "rejected" and r.reject_reason == "self_phone"
    r = referrals.submit(
        code=code.code,
        prospect_name="Bà Ba",
        prospect_phone="0912000001",
        prospect_address="12 lê lợi, phường bến thành",
    )
    assert r.reject_reason == "self_address"
    ContractAttributes.objects.create(
        customer=world["customer"],
        national_id_hash=referrals.id_hash("079 123 456 789"),
        imported_at=timezone.now(),
    )
    r = referrals.submit(
        code=code.code,
        prospect_name="Bà Ba",
        prospect_phone="0912000002",
        national_id="079123456789",
    )
    assert r.reject_reason == "self_id"
    from cskh.core.models import AuditLog

    assert AuditLog.objects.filter(action="cx.referral.rejected").count() == 3


@pytest.mark.django_db
def test_monthly_cap_per_referrer(world, code, settings):
    settings.CSKH_CX_REFERRAL_MONTHLY_CAP = 2
    results = [
        referrals.submit(code=code.code, prospect_name=f"Khách {i}", prospect_phone=f"091200010{i}")
        for i in range(3)
    ]
    assert [r.status for r in results] == ["pending", "pending", "rejected"]
    assert results[2].reject_reason == "cap"


@pytest.mark.django_db
def test_reward_after_contract_active_n_days_then_approved_and_paid(world, code, settings, lead):
    from cskh.customers.models import ServicePoint
    from cskh.customers.services import create_customer

    r = referrals.submit(code=code.code, prospect_name="Chị Tư", prospect_phone="0912000200")
    new = create_customer(full_name="Lê Thị Tư", phones=["0912000200"], address="5 Hai Bà Trưng")
    ServicePoint.objects.create(customer=new, code="SP-NEW-1", kind="subscription", status="active")
    today = date.today()
    referrals.convert(referral=r, customer_id=new.pk, active_since=today - timedelta(days=10))
    assert referrals.accrue() == 0  # not active long enough
    Referral.objects.filter(pk=r.pk).update(
        contract_active_since=today - timedelta(days=settings.CSKH_CX_REFERRAL_ACTIVE_DAYS + 1)
    )
    assert referrals.accrue() == 1
    assert referrals.accrue() == 0  # once
    referrals.advance_reward(referral=r, to="approved", actor=lead)
    referrals.advance_reward(referral=r, to="paid", actor=lead)
    kinds = list(
        RewardEntry.objects.filter(referral=r).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["earned", "approved", "paid"]


def test_estimator_fits_scores_explains_and_round_trips():
    """The shipped path: probabilities, linear contributions for the reasons, pickle blob."""
    from cskh.cx.churn_model import ChurnEstimator

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, len(churn.FEATURE_CODES)))
    y = (X[:, 0] + 0.5 * rng.normal(size=400) > 0.8).astype(int)
    model = ChurnEstimator(seed=0).fit(X, y)
    p = model.predict_proba(X)
    assert p.shape == (400,) and ((p >= 0) & (p <= 1)).all()
    assert p[y == 1].mean() > p[y == 0].mean() + 0.3
    contrib = model.contributions(X)
    assert contrib.shape == X.shape
    assert contrib[y == 1, 0].mean() > 0  # the driving feature pushes churners up
    again = ChurnEstimator.loads(model.dumps())
    assert np.allclose(again.predict_proba(X[:5]), p[:5])
