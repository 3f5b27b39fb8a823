"""Erasure: the person disappears everywhere (search by name, phone, address included) while
the case statistics stay. Runs on SQLite and PostgreSQL (DATABASE_URL)."""

import pytest

from cskh.cases.models import Case, CaseEvent, Interaction
from cskh.core.errors import DomainError
from cskh.core.models import AuditLog
from cskh.customers import selectors as customer_selectors
from cskh.customers.models import Customer
from cskh.notify.models import Notification
from cskh.privacy import services
from cskh.search import selectors as search

pytestmark = pytest.mark.django_db


def _refs(user, q, kind):
    return [h.id for h in search.search(user, q, kind=kind)]


def test_erased_customer_is_not_findable_and_statistics_stay(pworld):
    an, agent, case = pworld["customer"], pworld["agent"], pworld["case"]
    # before: found by name, phone, address, and their case by its text
    assert an.pk in _refs(agent, "nguyen van an", "customer")
    assert an.pk in _refs(agent, "0901 234", "customer")
    assert an.pk in _refs(agent, "12 le loi", "customer")
    assert case.number in _refs(agent, "12 le loi", "case")
    before = Case.objects.filter(customer=an).values(
        "number", "case_type_id", "unit_id", "channel", "status", "created_at"
    )
    before = list(before)
    assert Notification.objects.filter(customer=an).exists()

    summary = services.erase_customer(customer=an, actor=pworld["dpo"])

    an.refresh_from_db()
    assert an.anonymised_at is not None and an.full_name != "Nguyễn Văn An"
    assert an.address == "" and an.email == "" and not an.phones.exists()
    # not findable by name, phone or address, neither as a customer nor through a case
    for q in ("nguyen van an", "0901 234", "+84901234567", "12 le loi", "Lê Lợi"):
        assert an.pk not in _refs(agent, q, "customer"), q
        assert case.number not in _refs(agent, q, "case"), q
    assert customer_selectors.find_by_phone("0901234567") == []
    # statistics: the same cases, types, units, channels, statuses and times
    after = list(
        Case.objects.filter(customer=an).values(
            "number", "case_type_id", "unit_id", "channel", "status", "created_at"
        )
    )
    assert after == before
    stored = Case.objects.get(pk=case.pk)
    assert "Lê Lợi" not in stored.description and "0901" not in stored.description
    assert not CaseEvent.objects.filter(case=case, body__contains="0901").exists()
    call = Interaction.objects.get(pk=pworld["call"].pk)
    assert (call.from_address, call.recording_url, call.summary) == ("", "", "")
    assert call.started_at is not None
    for n in Notification.objects.filter(customer=an):
        assert n.to == "" and "0901" not in n.body and n.status != "pending"
    # the audit trail keeps the act, not the values
    assert AuditLog.objects.filter(action="privacy.erased", object_id=str(an.pk)).exists()
    assert not AuditLog.objects.filter(
        object_type="customers.customer", object_id=str(an.pk), changes__has_key="phone"
    ).exists()
    assert summary["cases"]["cases"] == 1
    # the other customer is untouched
    other = Customer.objects.get(pk=pworld["other"].pk)
    assert other.full_name == "Trần Thị Bình" and other.phones.count() == 1
    assert other.pk in _refs(agent, "tran thi binh", "customer")


def test_erasing_twice_is_refused(pworld):
    services.erase_customer(customer=pworld["customer"], actor=pworld["dpo"])
    customer = Customer.objects.get(pk=pworld["customer"].pk)
    with pytest.raises(DomainError) as exc:
        services.erase_customer(customer=customer, actor=pworld["dpo"])
    assert exc.value.status == 409


def test_erased_customer_gets_no_more_messages(pworld):
    from cskh.notify.services import notify_customer

    services.erase_customer(customer=pworld["customer"], actor=pworld["dpo"])
    customer = Customer.objects.get(pk=pworld["customer"].pk)
    assert notify_customer(customer=customer, template="case_received", context={}) is None


def test_conversations_and_identities_are_erased(pworld):
    from django.utils import timezone

    from cskh.conversations.models import ChannelIdentity, Conversation, Message

    an = pworld["customer"]
    now = timezone.now()
    ident = ChannelIdentity.objects.create(
        channel="zalo",
        external_id="zalo-user-1",
        display_name="An Nguyễn",
        phone="+84901234567",
        customer=an,
        created_at=now,
    )
    conv = Conversation.objects.create(
        channel="zalo",
        identity=ident,
        external_thread_id="t1",
        customer=an,
        subject="Hỏi hoá đơn",
        last_message_at=now,
        created_at=now,
    )
    Message.objects.create(
        conversation=conv,
        channel="zalo",
        direction="in",
        text="Tôi là An, số 0901234567",
        status="received",
        sent_at=now,
    )
    services.erase_customer(customer=an, actor=pworld["dpo"])
    ident.refresh_from_db()
    assert (ident.display_name, ident.phone) == ("", "") and ident.external_id != "zalo-user-1"
    assert Message.objects.filter(conversation=conv).count() == 1  # counted, not readable
    assert "0901" not in Message.objects.get(conversation=conv).text
    assert Conversation.objects.get(pk=conv.pk).subject == ""
