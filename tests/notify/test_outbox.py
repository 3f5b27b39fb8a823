"""Templates, preferences / opt-outs and the transactional outbox."""

import pytest
from django.db import transaction

from cskh.cases import services as cases
from cskh.catalog.services import get_case_type
from cskh.core.errors import DomainError
from cskh.customers.services import create_customer
from cskh.notify import services as notify
from cskh.notify.models import Notification, Template


def open_meter_case(world, customer=None):
    return cases.open_case(
        customer=customer or world["customer"],
        case_type=get_case_type("meter"),
        description="Công tơ chạy nhanh bất thường",
        actor=world["agent"],
    )


def test_opening_a_case_writes_the_received_message_in_the_same_transaction(world):
    case = open_meter_case(world)
    [n] = Notification.objects.filter(case=case)
    assert (n.template, n.channel, n.to, n.status) == (
        "case_received",
        "sms",
        "+84901234567",
        "pending",
    )
    assert case.number in n.body and "Công tơ điện" in n.body
    assert "Hẹn xử lý trước" in n.body  # due time rendered "HH:MM dd/mm/yyyy"

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        open_meter_case(world)
        assert Notification.objects.count() == 2  # visible inside the transaction…
        raise Boom
    assert Notification.objects.count() == 1  # …and rolled back with the case


def test_status_changes_that_matter_produce_messages_once(world):
    case = open_meter_case(world)
    cases.transition(
        case=case, to="waiting_customer", actor=world["agent"], note="Xin ảnh chụp chỉ số công tơ"
    )
    need = Notification.objects.get(case=case, template="need_info")
    assert "Xin ảnh chụp chỉ số công tơ" in need.body
    cases.transition(case=case, to="in_progress", actor=world["agent"])
    cases.transition(case=case, to="resolved", actor=world["agent"], note="Đã kiểm định lại")
    resolved = Notification.objects.get(case=case, template="case_resolved")
    assert "Đã kiểm định lại" in resolved.body
    # the same logical event twice (same dedupe key) queues one row
    again = notify.notify_customer(
        customer=world["customer"],
        template="case_resolved",
        context={"case_number": case.number},
        case=case,
        dedupe_key=f"case:{case.pk}:resolved:0",
    )
    assert again.pk == resolved.pk
    assert list(
        Notification.objects.filter(case=case).order_by("id").values_list("template", flat=True)
    ) == ["case_received", "need_info", "case_resolved"]


def test_admin_edited_template_with_variables_is_used(world):
    tpl = Template.objects.get(code="case_received", channel="sms")
    tpl.body = (
        "Kính gửi {{ customer_name|default:'Quý khách' }}: yêu cầu {{ case_number }} đã nhận."
    )
    tpl.save()
    case = open_meter_case(world)
    n = Notification.objects.get(case=case)
    assert n.body == f"Kính gửi Quý khách: yêu cầu {case.number} đã nhận."
    # the email channel keeps its own (default) text
    subject, body = notify.render("case_received", "email", {"case_number": "CS-1"})
    assert subject == "Đã tiếp nhận yêu cầu CS-1" and body.startswith("CSKH: Đã tiếp nhận")


def test_admin_rejects_a_broken_template_and_lists_templates(world, client):
    from cskh.org.services import create_user

    admin = create_user(username="qt", password="Matkhau!2026", role="admin")
    client.force_login(admin)
    tpl = Template.objects.get(code="case_resolved", channel="zalo")
    url = f"/admin/notify/template/{tpl.pk}/change/"
    assert client.get("/admin/notify/template/").status_code == 200
    resp = client.post(
        url,
        {"code": tpl.code, "channel": "zalo", "subject": "", "body": "{% if %}", "is_active": "on"},
    )
    assert resp.status_code == 200 and "Mẫu không hợp lệ" in resp.content.decode()
    tpl.refresh_from_db()
    assert tpl.body != "{% if %}"
    resp = client.post(
        url,
        {
            "code": tpl.code,
            "channel": "zalo",
            "subject": "",
            "body": "Đã xong {{ case_number }}",
            "zns_template_id": "231456",
            "is_active": "on",
        },
    )
    assert resp.status_code == 302
    assert notify.render("case_resolved", "zalo", {"case_number": "CS-9"})[1] == "Đã xong CS-9"


def test_preferences_and_opt_outs(world):
    zalo_fan = create_customer(
        full_name="Phạm Thu",
        phones=["0912000111"],
        email="thu@example.vn",
        preferred_channel="zalo",
    )
    no_sms = create_customer(
        full_name="Trương Hải", phones=["0912000222"], email="hai@example.vn", consent_sms=False
    )
    silent = create_customer(
        full_name="Lý Nam",
        phones=["0912000333"],
        email="nam@example.vn",
        consent_sms=False,
        consent_zalo=False,
        consent_email=False,
    )
    ctx = {"case_number": "CS-2026-000001", "case_type": "Mất điện"}
    a = notify.notify_customer(customer=zalo_fan, template="case_received", context=ctx)
    assert (a.channel, a.to) == ("zalo", "+84912000111")
    b = notify.notify_customer(customer=no_sms, template="case_received", context=ctx)
    assert b.channel != "sms"  # opted out of SMS: the next allowed channel
    # an explicit channel the customer opted out of is not used, nor silently replaced
    assert (
        notify.notify_customer(
            customer=no_sms, template="case_received", context=ctx, channel="sms"
        )
        is None
    )
    assert notify.notify_customer(customer=silent, template="case_received", context=ctx) is None
    skipped = Notification.objects.filter(customer=silent).get()
    assert skipped.status == "skipped" and skipped.skip_reason == "no_consent_or_address"
    with pytest.raises(DomainError):
        notify.notify_customer(
            customer=zalo_fan, template="case_received", context=ctx, channel="fax"
        )
    with pytest.raises(DomainError):
        notify.notify_customer(customer=zalo_fan, template="no_such_template", context=ctx)
    assert Notification.objects.filter(customer=zalo_fan).count() == 1  # bad input wrote nothing


def test_bulk_notify_is_idempotent_and_respects_consent(world):
    ids = [
        create_customer(
            full_name=f"Khách {i}", phones=[f"09120004{i:02d}"], consent_sms=i % 3 != 0
        ).pk
        for i in range(12)
    ]
    ctx = {"incident_number": "SC-7", "eta": None}
    queued = notify.notify_customers(
        customer_ids=ids, template="incident_outage", context=ctx, dedupe_prefix="incident:7:out"
    )
    again = notify.notify_customers(
        customer_ids=ids, template="incident_outage", context=ctx, dedupe_prefix="incident:7:out"
    )
    assert again == 0
    rows = Notification.objects.filter(template="incident_outage")
    assert rows.count() == 12
    # opted out of SMS but Zalo allowed → Zalo; nobody is dropped silently
    assert queued == 12 and rows.filter(channel="zalo").count() == 4


def test_notifications_api_lists_and_retries(world, api_as, settings):
    case = open_meter_case(world)
    n = Notification.objects.get(case=case)
    api = api_as(world["agent"])
    resp = api.get("/api/v1/notifications", query_params={"case": case.number})
    assert resp.status_code == 200
    assert [r["template"] for r in resp.json()] == ["case_received"]
    conflict = api.post(f"/api/v1/notifications/{n.pk}/retry")
    assert conflict.status_code == 409  # only failed messages can be retried
    Notification.objects.filter(pk=n.pk).update(status="failed")
    ok = api.post(f"/api/v1/notifications/{n.pk}/retry")
    assert ok.status_code == 200 and ok.json()["status"] == "pending"
    assert api.post("/api/v1/notifications/999999/retry").status_code == 404


def test_case_updates_render_their_extra_variables(world):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    case = open_meter_case(world)
    expected = datetime(2026, 12, 8, 14, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

    def update(template: str, key: str, **extra):
        return notify.notify_customer(
            customer=case.customer,
            template=template,
            context=notify.case_context(case, **extra),
            case=case,
            dedupe_key=f"case:{case.pk}:{key}",
        )

    n = update("case_dispatched", "dispatched:1", expected_at=expected)
    assert world["unit"].name in n.body and "14:30 08/12/2026" in n.body
    assert update("case_dispatched", "dispatched:1", expected_at=expected).pk == n.pk
    assert "đang trên đường" in update("technician_on_way", "on_way:1").body


def test_a_duplicate_key_returns_the_earlier_row_and_queues_nothing(
    world, django_capture_on_commit_callbacks, settings
):
    """The dedupe is ON CONFLICT DO NOTHING: no error, no second row, no second delivery."""
    settings.CSKH_NOTIFY_ENQUEUE = True  # delivery enqueued after commit (not run here)
    kwargs = {
        "customer": world["customer"],
        "template": "case_received",
        "context": {"case_number": "CS-2026-000001"},
        "dedupe_key": "test:dup",
    }
    with django_capture_on_commit_callbacks() as first_callbacks:
        first = notify.notify_customer(**kwargs)
    assert first.pk is not None and len(first_callbacks) == 1
    with django_capture_on_commit_callbacks() as again_callbacks:
        again = notify.notify_customer(**kwargs)
    assert again.pk == first.pk and again.created_at == first.created_at
    assert again_callbacks == []  # delivery is enqueued once, by the writer of the row
    assert Notification.objects.filter(dedupe_key="test:dup").count() == 1
    # a duplicate of a skipped row (customer unreachable) stays None, as the first call was
    world["customer"].consent_sms = world["customer"].consent_zalo = False
    world["customer"].consent_email = False
    skipped = {**kwargs, "dedupe_key": "test:skipped"}
    assert notify.notify_customer(**skipped) is None
    assert notify.notify_customer(**skipped) is None
    assert Notification.objects.get(dedupe_key="test:skipped").status == "skipped"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_transactions_racing_on_one_key_store_one_row(world):
    """The second writer waits for the first's commit, then sees the key taken: one row, and
    only the first writer takes it as its own (PostgreSQL: SQLite has one writer at a time)."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    kwargs = {
        "customer": world["customer"],
        "template": "case_received",
        "context": {"case_number": "CS-2026-000001"},
        "dedupe_key": "test:race",
    }
    first_written = threading.Event()
    second_started = threading.Event()
    results: dict[str, tuple[int, bool]] = {}

    def second() -> None:
        from django.db import connection as thread_connection

        try:
            first_written.wait(10)
            with transaction.atomic():
                second_started.set()
                row, created = notify._insert(_row(kwargs))  # blocks until the first commits
                results["second"] = (row.pk, created)
        finally:
            thread_connection.close()

    thread = threading.Thread(target=second)
    thread.start()
    with transaction.atomic():
        row, created = notify._insert(_row(kwargs))
        results["first"] = (row.pk, created)
        first_written.set()
        second_started.wait(10)
        _wait_for_a_lock_wait()  # the second INSERT now waits on this transaction's row
    thread.join(20)
    assert results["first"][1] is True and results["second"] == (results["first"][0], False)
    assert Notification.objects.filter(dedupe_key="test:race").count() == 1


def _wait_for_a_lock_wait() -> None:
    import time

    from django.db import connections

    with connections["default"].cursor() as cursor:
        for _attempt in range(100):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second writer never waited")


def _row(kwargs: dict) -> Notification:
    from django.utils import timezone

    now = timezone.now()
    return Notification(
        customer=kwargs["customer"],
        template=kwargs["template"],
        channel="sms",
        to="+84901234567",
        body="x",
        next_attempt_at=now,
        dedupe_key=kwargs["dedupe_key"],
        created_at=now,
    )


def test_a_new_key_is_one_insert_and_a_reused_one_is_an_error(world, django_assert_num_queries):
    """new_key: the caller vouches that no row holds the key (the "received" message of a case
    its transaction just opened): one INSERT, no read-back; breaking the promise raises
    instead of quietly returning another row."""
    from django.db import IntegrityError
    from django.db.models import prefetch_related_objects

    kwargs = {
        "customer": world["customer"],
        "template": "case_received",
        "context": {"case_number": "CS-2026-000001"},
        "dedupe_key": "test:new",
    }
    prefetch_related_objects([world["customer"]], "phones")  # read before counting
    notify.render("case_received", "sms", {})  # templates cached, as in a server
    with django_assert_num_queries(1):
        row = notify.notify_customer(**kwargs, new_key=True)
    assert row.pk is not None and row.to == "+84901234567"
    with pytest.raises(IntegrityError), transaction.atomic():
        notify.notify_customer(**kwargs, new_key=True)
    assert Notification.objects.filter(dedupe_key="test:new").count() == 1
