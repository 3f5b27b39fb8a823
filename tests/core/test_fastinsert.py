"""cskh.core.fastinsert: one-statement inserts give the rows and instances the ORM would."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cskh.core import fastinsert
from cskh.core.models import AuditLog
from cskh.notify.models import Notification


@pytest.mark.django_db
def test_create_stores_the_row_the_orm_would(customer, agent):
    log = AuditLog.objects.create(
        actor=agent,
        action="test.fast",
        object_type="customers.customer",
        object_id=str(customer.pk),
        changes={"tên": ["An", "Ân"], "n": 1},
    )
    assert log.pk is not None and not log._state.adding
    assert log.at is not None  # auto_now_add filled by pre_save
    stored = AuditLog.objects.get(pk=log.pk)
    assert stored.actor_id == agent.pk and stored.changes == {"tên": ["An", "Ân"], "n": 1}
    assert stored.at == log.at
    second = AuditLog.objects.create(action="test.fast", object_type="x", object_id="2")
    assert second.pk > log.pk and second.actor_id is None
    with pytest.raises(ValueError, match="append-only"):  # the model's own save() still runs
        log.save()


def _notification(customer, key: str) -> Notification:
    return Notification(
        customer=customer,
        template="case_received",
        channel="sms",
        to="+84901234567",
        body="Đã nhận yêu cầu",
        next_attempt_at=timezone.now(),
        created_at=timezone.now(),
        dedupe_key=key,
    )


@pytest.mark.django_db
def test_ignored_conflict_leaves_the_transaction_usable(customer):
    with transaction.atomic():
        first = _notification(customer, "k:1")
        assert fastinsert.insert(first, ignore_conflicts=True) is True
        again = _notification(customer, "k:1")
        assert fastinsert.insert(again, ignore_conflicts=True) is False  # no error raised
        assert again.pk is None
        assert Notification.objects.filter(dedupe_key="k:1").count() == 1  # still usable
    with pytest.raises(IntegrityError), transaction.atomic():  # without the flag: unique key
        fastinsert.insert(_notification(customer, "k:1"))
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_instances_that_do_not_fit_are_left_to_the_orm(customer):
    n = _notification(customer, "k:2")
    n.save()
    assert fastinsert.insert(n) is None  # primary key already set: an update, not an insert
    n.body = "Sửa"
    n.save()  # FastInsertModel.save falls through to the ORM update
    assert Notification.objects.get(pk=n.pk).body == "Sửa"


@pytest.mark.django_db
def test_rows_keyed_by_another_row_insert_with_their_key(world):
    from cskh.cases.services import open_case
    from cskh.catalog.models import CaseType
    from cskh.sla.models import SlaClock

    case = open_case(
        customer=world["customer"],
        case_type=CaseType.objects.get(code="billing"),
        description="Hóa đơn tăng bất thường",
    )
    clock = SlaClock.objects.get(case=case)  # start_clock: force_insert with the case as key
    assert clock.due_at == case.due_at
    fresh = SlaClock(case=case, calendar_id=clock.calendar_id, policy_code="x")
    assert fastinsert.insert(fresh) is None  # key set without force_insert: may be an update
