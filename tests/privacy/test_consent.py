"""Consent per purpose, enforced by the outbox at enqueue (notify) and so by cx surveys and
referral offers."""

import pytest

from cskh.customers.models import Customer
from cskh.customers.services import record_consent
from cskh.notify.models import Notification
from cskh.notify.services import notify_customer, notify_customers

pytestmark = pytest.mark.django_db


def test_service_messages_go_by_default_other_purposes_follow_consent(world, settings):
    c = world["customer"]
    assert notify_customer(customer=c, template="case_received", context={}) is not None
    assert Notification.objects.filter(customer=c).last().purpose == "service"
    # referral offers are opt-in: nothing sent without a consent on record
    assert notify_customer(customer=c, template="cx_referral", context={}) is None
    skipped = Notification.objects.filter(customer=c, template="cx_referral").get()
    assert skipped.status == "skipped" and skipped.skip_reason == "no_consent_purpose"
    record_consent(customer=c, purpose="referral", granted=True, channel="agent")
    row = notify_customer(customer=c, template="cx_referral", context={}, dedupe_key="r2")
    assert row is not None and row.purpose == "referral" and row.status == "pending"


def test_withdrawn_survey_consent_stops_surveys(world):
    c = world["customer"]
    assert notify_customer(customer=c, template="cx_survey", context={}) is not None
    record_consent(customer=c, purpose="survey", granted=False, channel="sms")
    assert notify_customer(customer=c, template="cx_survey", context={}) is None
    # a service message still goes (the contract is its legal basis)
    assert notify_customer(customer=c, template="case_received", context={}) is not None


def test_explicit_purpose_and_settings_default(world, settings):
    c = world["customer"]
    settings.CSKH_CONSENT_DEFAULTS = {"service": True, "survey": False}
    assert notify_customer(customer=c, template="cx_survey", context={}) is None
    assert (
        notify_customer(customer=c, template="case_received", context={}, purpose="marketing")
        is None
    )
    record_consent(customer=c, purpose="marketing", granted=True, channel="paper")
    assert (
        notify_customer(customer=c, template="case_received", context={}, purpose="marketing")
        is not None
    )


def test_restricted_customer_gets_service_messages_only(world):
    from cskh.customers.services import set_restricted

    c = set_restricted(customer=world["customer"], restricted=True)
    assert notify_customer(customer=c, template="cx_survey", context={}) is None
    assert notify_customer(customer=c, template="case_received", context={}) is not None


def test_bulk_send_respects_consent(world):
    from cskh.customers.services import create_customer

    ids = [
        create_customer(full_name=f"Khách {i}", phones=[f"09120005{i:02d}"]).pk for i in range(4)
    ]
    for pk in ids[:2]:
        record_consent(
            customer=Customer.objects.get(pk=pk), purpose="survey", granted=False, channel="agent"
        )
    queued = notify_customers(
        customer_ids=ids, template="cx_survey", context={}, dedupe_prefix="nps-test"
    )
    assert queued == 2
    reasons = set(
        Notification.objects.filter(customer_id__in=ids[:2]).values_list("skip_reason", flat=True)
    )
    assert reasons == {"no_consent_purpose"}


def test_cx_survey_is_suppressed_without_consent(world):
    from django.utils import timezone

    from cskh.cx.models import Survey
    from cskh.cx.services import surveys

    c = world["customer"]
    record_consent(customer=c, purpose="survey", granted=False, channel="agent")
    now = timezone.now()
    s = Survey.objects.create(
        kind="csat", touchpoint="hotline", source_key="t:1", customer=c, send_at=now, created_at=now
    )
    assert surveys.send_one(s, now) == "suppressed"
    s.refresh_from_db()
    assert s.suppress_reason == "no_consent"


def test_referral_offer_respects_consent(world):
    from cskh.cx.services import referrals

    c = world["customer"]
    referrals.issue_code(customer_id=c.pk)
    row = Notification.objects.get(customer=c, template="cx_referral")
    assert row.status == "skipped"  # no referral consent on record
