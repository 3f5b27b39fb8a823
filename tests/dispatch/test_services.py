"""Work order services: dispatch, the unit's steps, redispatch, timeline, notifications."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.cases.models import Case, CaseEvent
from cskh.core.errors import DomainError
from cskh.core.models import AuditLog
from cskh.dispatch import selectors, services
from cskh.dispatch.models import Attachment, WorkOrder, WorkOrderEvent
from cskh.notify.models import Notification
from tests.dispatch.conftest import png_bytes, upload


def _actions(case) -> list[str]:
    return [
        e.data.get("action")
        for e in CaseEvent.objects.filter(case=case, kind="dispatch").order_by("id")
    ]


def _templates(case) -> list[str]:
    return list(
        Notification.objects.filter(case=case).order_by("id").values_list("template", flat=True)
    )


def test_dispatch_creates_work_order_with_field_facts(world, open_case):
    from cskh.customers.services import add_service_point

    customer = world["customer"]
    sp = add_service_point(
        customer=customer,
        code="PE0100123456",
        kind="meter",
        address="12 Lê Lợi (công tơ ngoài cổng)",
        ward=customer.ward,
        feeder_code="471BT",
        transformer_code="T-BT-07",
    )
    from cskh.cases import services as case_services
    from cskh.catalog.services import get_case_type

    case = case_services.open_case(
        customer=customer,
        case_type=get_case_type("meter"),
        description="Công tơ quay nhanh bất thường",
        service_point=sp,
        actor=world["agent"],
    )
    wo = services.dispatch_case(case=case, actor=world["agent"], instructions="Mang công tơ mẫu")
    assert wo.unit == world["unit"] and wo.status == "sent" and wo.is_active
    assert wo.customer_name == "Nguyễn Văn An"
    assert wo.contact_phone == "+84901234567"
    assert wo.address == "12 Lê Lợi (công tơ ngoài cổng)"
    assert wo.ward_name.startswith("Phường Bến Thành")
    assert wo.service_point_code == "PE0100123456"
    assert wo.network_position == "471BT / T-BT-07"
    assert wo.description == "Công tơ quay nhanh bất thường"
    assert wo.instructions == "Mang công tơ mẫu"
    case.refresh_from_db()
    assert wo.expected_at == case.due_at
    assert case.status == "waiting_unit" and case.unit == world["unit"]
    assert _actions(case) == ["dispatched"]
    ev = CaseEvent.objects.get(case=case, kind="dispatch")
    assert "Điện lực Sài Gòn" in ev.body and wo.code in ev.body
    assert ev.actor == world["agent"]
    assert WorkOrderEvent.objects.filter(work_order=wo, kind="dispatched").count() == 1
    assert AuditLog.objects.filter(action="dispatch.dispatched", object_id=str(wo.pk)).exists()
    n = Notification.objects.get(case=case, template="case_dispatched")
    assert "Điện lực Sài Gòn" in n.body and "dự kiến hoàn thành trước" in n.body
    assert n.to == "+84901234567" and n.status == "pending"


def test_dispatch_twice_conflicts_and_changes_nothing(world, dispatched):
    case = dispatched.case
    with pytest.raises(DomainError) as exc:
        services.dispatch_case(case=case, actor=world["agent"])
    assert exc.value.status == 409 and exc.value.code == "already_dispatched"
    assert WorkOrder.objects.filter(case=case).count() == 1
    assert _actions(case) == ["dispatched"]


def test_dispatch_needs_a_field_unit_and_a_center_actor(world, open_case, unit_staff):
    from cskh.customers.services import create_customer

    nowhere = create_customer(full_name="Phạm Văn Cường", phones=["0987654321"])
    case = open_case(customer=nowhere)
    assert case.unit == world["center"]  # routed to the default (center) unit
    with pytest.raises(DomainError) as exc:
        services.dispatch_case(case=case, actor=world["agent"])
    assert exc.value.code == "no_unit" and exc.value.status == 400
    with pytest.raises(DomainError) as exc:
        services.dispatch_case(case=case, actor=world["agent"], unit=world["center"])
    assert exc.value.code == "bad_unit"
    with pytest.raises(DomainError) as exc:
        services.dispatch_case(case=case, actor=unit_staff, unit=world["unit"])
    assert exc.value.status == 403
    assert not WorkOrder.objects.exists()
    wo = services.dispatch_case(case=case, actor=world["agent"], unit=world["unit"])
    case.refresh_from_db()
    assert case.unit == world["unit"] and wo.address == ""
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-3:] == ["assignment", "dispatch", "status"]


def test_dispatch_rejects_closed_case_and_past_deadline(world, open_case):
    from cskh.cases import services as case_services

    case = open_case()
    with pytest.raises(DomainError) as exc:
        services.dispatch_case(
            case=case, actor=world["agent"], expected_at=timezone.now() - timedelta(hours=1)
        )
    assert exc.value.code == "bad_expected_at"
    case_services.transition(case=case, to="resolved", note="Đã có điện lại", actor=world["agent"])
    with pytest.raises(DomainError) as exc:
        services.dispatch_case(case=case, actor=world["agent"])
    assert exc.value.status == 409
    assert not WorkOrder.objects.exists()


def test_accept_note_on_the_way_and_complete(world, dispatched, unit_staff, media):
    wo = dispatched
    case = wo.case
    with pytest.raises(DomainError) as exc:
        services.add_progress_note(work_order=wo, body="Đang đi", actor=unit_staff)
    assert exc.value.code == "not_accepted"
    with pytest.raises(DomainError) as exc:
        services.complete(work_order=wo, resolution="Xong", actor=unit_staff)
    assert exc.value.code == "not_accepted"

    services.accept(work_order=wo, actor=unit_staff)
    with pytest.raises(DomainError) as exc:
        services.accept(work_order=wo, actor=unit_staff)
    assert exc.value.status == 409
    services.add_progress_note(work_order=wo, body="Đã liên hệ khách hàng", actor=unit_staff)
    services.add_progress_note(work_order=wo, on_the_way=True, actor=unit_staff)
    services.add_progress_note(work_order=wo, on_the_way=True, body="Kẹt xe", actor=unit_staff)
    wo.refresh_from_db()
    assert wo.status == "in_progress" and wo.started_at and wo.accepted_at
    services.complete(
        work_order=wo,
        resolution="Thay cầu chì hạ thế, đã có điện",
        photos=[upload("hien-truong.png", png_bytes())],
        actor=unit_staff,
    )
    wo.refresh_from_db()
    case.refresh_from_db()
    assert wo.status == "done" and not wo.is_active and wo.done_at
    assert case.status == "resolved" and case.resolution == "Thay cầu chì hạ thế, đã có điện"
    assert _actions(case) == [
        "dispatched",
        "accepted",
        "progress",
        "on_the_way",
        "on_the_way",
        "done",
    ]
    ev = CaseEvent.objects.filter(case=case, kind="dispatch").order_by("id")
    assert all(e.actor == unit_staff for e in ev[1:])
    assert "Đã liên hệ khách hàng" in ev[2].body
    # dispatched (with time), technician on the way (once), resolved (via the case)
    assert _templates(case) == [
        "case_received",
        "case_dispatched",
        "technician_on_way",
        "case_resolved",
    ]
    att = Attachment.objects.get(work_order=wo)
    assert att.purpose == "result" and att.content_type == "image/png"
    assert att.uploaded_by == unit_staff
    assert (media / att.file.name).read_bytes() == png_bytes()
    assert att.file.name.startswith(f"dispatch/{wo.pk}/") and att.file.name.endswith(".png")
    with pytest.raises(DomainError) as exc:
        services.add_progress_note(work_order=wo, body="Thêm", actor=unit_staff)
    assert exc.value.code == "work_order_closed"


def test_request_info_from_center_and_answer(world, dispatched, unit_staff):
    wo = dispatched
    services.accept(work_order=wo, actor=unit_staff)
    with pytest.raises(DomainError):
        services.request_info(work_order=wo, question="  ", actor=unit_staff)
    with pytest.raises(DomainError):
        services.request_info(work_order=wo, question="?", target="boss", actor=unit_staff)
    services.request_info(work_order=wo, question="Nhà số mấy trong hẻm?", actor=unit_staff)
    wo.refresh_from_db()
    case = Case.objects.get(pk=wo.case_id)
    assert wo.info_requested and case.status == "in_progress"
    rows, _c = selectors.list_for_user(world["agent"], state="info")
    assert [r.pk for r in rows] == [wo.pk]
    with pytest.raises(DomainError) as exc:
        services.provide_info(work_order=wo, answer="12/3", actor=unit_staff)
    assert exc.value.status == 403
    services.provide_info(work_order=wo, answer="Hẻm 12, nhà 12/3", actor=world["agent"])
    wo.refresh_from_db()
    case.refresh_from_db()
    assert not wo.info_requested and case.status == "waiting_unit"
    assert _actions(case) == ["dispatched", "accepted", "info_requested", "info_provided"]
    assert "need_info" not in _templates(case)


def test_request_info_from_customer_pauses_clock_and_messages_customer(
    world, dispatched, unit_staff
):
    from cskh.sla.models import SlaClock

    wo = dispatched
    services.request_info(
        work_order=wo,
        question="Cho biết mã khách hàng trên hóa đơn",
        target="customer",
        actor=unit_staff,
    )
    case = Case.objects.get(pk=wo.case_id)
    assert case.status == "waiting_customer"
    assert SlaClock.objects.get(case=case).state == SlaClock.State.PAUSED
    n = Notification.objects.get(case=case, template="need_info")
    assert "Cho biết mã khách hàng trên hóa đơn" in n.body
    services.provide_info(work_order=wo, answer="PE0100999999", actor=world["agent"])
    case.refresh_from_db()
    assert case.status == "waiting_unit"
    assert SlaClock.objects.get(case=case).state == SlaClock.State.RUNNING


def test_redispatch_requires_reason_and_records_it(world, dispatched, other_unit, media):
    wo = dispatched
    case = wo.case
    Attachment.objects.create(
        work_order=wo,
        file="dispatch/x/anh.png",
        stored_name="anh.png",
        original_name="anh-khach-gui.png",
        content_type="image/png",
        size=10,
        created_at=timezone.now(),
    )
    for reason in ["", "   "]:
        with pytest.raises(DomainError) as exc:
            services.redispatch(work_order=wo, unit=other_unit, reason=reason, actor=world["agent"])
        assert exc.value.code == "missing_text" and exc.value.status == 400
    with pytest.raises(DomainError) as exc:
        services.redispatch(work_order=wo, unit=world["unit"], reason="x", actor=world["agent"])
    assert exc.value.code == "same_unit"
    wo.refresh_from_db()
    assert wo.status == "sent" and wo.is_active and WorkOrder.objects.count() == 1

    new = services.redispatch(
        work_order=wo,
        unit=other_unit,
        reason="Địa chỉ thuộc địa bàn Gia Định",
        actor=world["agent"],
    )
    wo.refresh_from_db()
    case.refresh_from_db()
    assert wo.status == "redispatched" and not wo.is_active
    assert wo.reason == "Địa chỉ thuộc địa bàn Gia Định"
    assert new.unit == other_unit and new.previous_id == wo.pk and new.is_active
    assert new.instructions == "Mang thang dài" and new.expected_at == wo.expected_at
    assert new.attachments.get().original_name == "anh-khach-gui.png"
    assert case.unit == other_unit and case.status == "waiting_unit"
    ev = CaseEvent.objects.filter(case=case, kind="dispatch").order_by("id").last()
    assert ev.data["action"] == "redispatched"
    assert ev.data["reason"] == "Địa chỉ thuộc địa bàn Gia Định"
    assert "Địa chỉ thuộc địa bàn Gia Định" in ev.body
    assignment = CaseEvent.objects.filter(case=case, kind="assignment").last()
    assert assignment.body == "Địa chỉ thuộc địa bàn Gia Định"
    assert Notification.objects.filter(case=case, template="case_dispatched").count() == 2
    with pytest.raises(DomainError) as exc:  # the old order cannot be moved again
        services.redispatch(work_order=wo, unit=world["unit"], reason="x", actor=world["agent"])
    assert exc.value.code == "superseded"


def test_reject_then_redispatch_and_cancel(world, dispatched, unit_staff, other_unit):
    wo = dispatched
    with pytest.raises(DomainError):
        services.reject(work_order=wo, reason="", actor=unit_staff)
    with pytest.raises(DomainError) as exc:  # only the center withdraws a work order
        services.cancel(work_order=wo, reason="Không làm", actor=unit_staff)
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.redispatch(work_order=wo, unit=other_unit, reason="x", actor=unit_staff)
    assert exc.value.status == 403
    services.reject(work_order=wo, reason="Không thuộc địa bàn", actor=unit_staff)
    wo.refresh_from_db()
    assert wo.status == "rejected" and not wo.is_active
    assert Case.objects.get(pk=wo.case_id).status == "in_progress"
    new = services.redispatch(
        work_order=wo, unit=other_unit, reason="Đơn vị SG trả lại", actor=world["agent"]
    )
    assert new.previous_id == wo.pk
    with pytest.raises(DomainError):
        services.cancel(work_order=new, reason=" ", actor=world["agent"])
    services.cancel(work_order=new, reason="Khách hàng tự khắc phục", actor=world["agent"])
    new.refresh_from_db()
    case = Case.objects.get(pk=wo.case_id)
    assert new.status == "cancelled" and case.status == "in_progress"
    assert _actions(case) == ["dispatched", "rejected", "redispatched", "cancelled"]


def test_resolving_the_case_withdraws_the_open_work_order(world, dispatched):
    from cskh.cases import services as case_services

    case_services.transition(
        case=dispatched.case, to="resolved", note="Khách báo đã có điện", actor=world["agent"]
    )
    dispatched.refresh_from_db()
    assert dispatched.status == "cancelled" and not dispatched.is_active
    assert _actions(dispatched.case) == ["dispatched", "cancelled"]
    assert Case.objects.get(pk=dispatched.case_id).status == "resolved"


def test_auto_dispatch_runs_after_commit(transactional_db, world, open_case, settings):
    """Real commits: the work order appears once the case's transaction has committed."""
    from django.db import transaction

    from cskh.cases import services as case_services
    from cskh.catalog.services import get_case_type

    settings.CSKH_DISPATCH_AUTO = "off"
    assert not WorkOrder.objects.filter(case=open_case()).exists()

    settings.CSKH_DISPATCH_AUTO = "field"
    with transaction.atomic():
        case = open_case(type_code="hazard", description="Dây điện đứt rơi xuống đường")
        # Nothing is dispatched inside the case's own transaction: cases is not re-entered.
        assert not WorkOrder.objects.filter(case=case).exists()
        assert Case.objects.get(pk=case.pk).status == "new"
    wo = WorkOrder.objects.get(case=case)
    assert wo.unit == world["unit"] and wo.created_by == world["agent"]
    case.refresh_from_db()
    assert case.status == "waiting_unit"
    assert services.auto_dispatch(case.pk, world["agent"].pk) is None  # idempotent
    assert WorkOrder.objects.filter(case=case).count() == 1

    general = open_case(type_code="general")
    on_call = case_services.open_case(
        customer=world["customer"],
        case_type=get_case_type("meter"),
        description="Hỏi chỉ số công tơ",
        resolved_on_call=True,
        resolution="Đã đọc chỉ số cho khách",
        actor=world["agent"],
    )
    assert not WorkOrder.objects.filter(case__in=[general, on_call]).exists()

    settings.CSKH_DISPATCH_AUTO = "hazard"
    assert not WorkOrder.objects.filter(case=open_case(type_code="meter")).exists()
    assert WorkOrder.objects.filter(case=open_case(type_code="hazard")).exists()


def test_auto_dispatch_skips_cases_linked_to_an_incident(
    transactional_db, world, open_case, stranger, settings
):
    """Asked of incidents' selectors after commit, whatever the order of the hooks."""
    from cskh.incidents.services import create_incident

    settings.CSKH_DISPATCH_AUTO = "field"
    create_incident(
        kind="unplanned_outage",
        title="Mất điện phường",
        scope={"wards": [world["customer"].ward_id]},
    )
    linked = open_case(type_code="outage")
    assert Case.objects.get(pk=linked.pk).events.filter(kind="incident").exists()
    assert not WorkOrder.objects.filter(case=linked).exists()
    # The same case type outside the incident's scope is dispatched.
    assert WorkOrder.objects.filter(case=open_case(stranger, type_code="outage")).exists()


def test_work_order_events_are_append_only(dispatched):
    event = WorkOrderEvent.objects.filter(work_order=dispatched).first()
    event.body = "sửa lịch sử"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert WorkOrderEvent.objects.get(pk=event.pk).body != "sửa lịch sử"


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("bao-cao.jpg", b"khong phai anh", 415, "bad_file_type"),
        ("script.png", b"<script>alert(1)</script>", 415, "bad_file_type"),
        ("tai-lieu.docx", b"PK\x03\x04 zip", 415, "bad_file_type"),
        ("rong.png", b"", 400, "empty_file"),
        ("lon.png", png_bytes() + b"\0" * 2048, 413, "file_too_large"),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(
    world, dispatched, unit_staff, media, settings, name, data, status, code
):
    settings.CSKH_DISPATCH_MAX_UPLOAD = 1024
    wo = dispatched
    services.accept(work_order=wo, actor=unit_staff)
    with pytest.raises(DomainError) as exc:
        services.complete(
            work_order=wo,
            resolution="Đã xử lý",
            photos=[upload("ok.png", png_bytes()), upload(name, data)],
            actor=unit_staff,
        )
    assert (exc.value.status, exc.value.code) == (status, code)
    assert str(exc.value.message)
    wo.refresh_from_db()
    assert wo.status == "accepted" and wo.is_active
    assert not Attachment.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    assert Case.objects.get(pk=wo.case_id).status == "waiting_unit"


def test_upload_types_come_from_settings(world, dispatched, unit_staff, media, settings):
    settings.CSKH_DISPATCH_UPLOAD_TYPES = {"application/pdf": ".pdf"}
    services.accept(work_order=dispatched, actor=unit_staff)
    with pytest.raises(DomainError) as exc:
        services.complete(
            work_order=dispatched,
            resolution="x",
            photos=[upload("a.png", png_bytes())],
            actor=unit_staff,
        )
    assert exc.value.status == 415
    services.complete(
        work_order=dispatched,
        resolution="Biên bản kèm theo",
        photos=[upload("bien-ban.pdf", b"%PDF-1.7\n%%EOF\n", "application/octet-stream")],
        actor=unit_staff,
    )
    att = Attachment.objects.get()
    assert att.content_type == "application/pdf" and att.file.name.endswith(".pdf")


def test_query_level_isolation(world, open_case, unit_staff, other_staff, stranger, lead):
    mine = services.dispatch_case(case=open_case(), actor=world["agent"])
    theirs = services.dispatch_case(case=open_case(customer=stranger), actor=world["agent"])
    assert theirs.unit.code == "PC-GD"
    assert list(selectors.visible_work_orders(unit_staff)) == [mine]
    assert list(selectors.visible_work_orders(other_staff)) == [theirs]
    assert set(selectors.visible_work_orders(lead)) == {mine, theirs}
    rows, _c = selectors.list_for_user(unit_staff, state="all")
    assert rows == [mine]
    rows, _c = selectors.list_for_user(unit_staff, state="all", unit="PC-GD")
    assert rows == []
    with pytest.raises(DomainError) as exc:
        selectors.get_for_user(unit_staff, theirs.pk)
    assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        selectors.customer_of(unit_staff, theirs.pk)
    assert exc.value.status == 404
    assert selectors.customer_of(unit_staff, mine.pk) == world["customer"]
    for step in (
        lambda: services.accept(work_order=theirs, actor=unit_staff),
        lambda: services.add_progress_note(work_order=theirs, body="x", actor=unit_staff),
        lambda: services.request_info(work_order=theirs, question="x", actor=unit_staff),
        lambda: services.complete(work_order=theirs, resolution="x", actor=unit_staff),
        lambda: services.reject(work_order=theirs, reason="x", actor=unit_staff),
    ):
        with pytest.raises(DomainError) as exc:
            step()
        assert exc.value.status == 404
    theirs.refresh_from_db()
    assert theirs.status == "sent"
    assert selectors.backlog(unit_staff)[0]["unit"] == world["unit"]
    assert len(selectors.backlog(unit_staff)) == 1


def test_backlog_counts_open_and_overdue(world, open_case, stranger, lead, unit_staff):
    a = services.dispatch_case(case=open_case(), actor=world["agent"])
    services.dispatch_case(case=open_case(customer=stranger), actor=world["agent"])
    services.dispatch_case(
        case=open_case(customer=stranger, type_code="meter"), actor=world["agent"]
    )
    services.accept(work_order=a, actor=unit_staff)
    later = timezone.now() + timedelta(days=30)
    rows = {r["unit"].code: r for r in selectors.backlog(lead, now=later)}
    assert (rows["PC-GD"]["open"], rows["PC-GD"]["overdue"], rows["PC-GD"]["new"]) == (2, 2, 2)
    assert (rows["PC-SG"]["open"], rows["PC-SG"]["overdue"], rows["PC-SG"]["new"]) == (1, 1, 0)
    rows = {r["unit"].code: r for r in selectors.backlog(lead)}
    assert rows["PC-SG"]["overdue"] == 0
    services.complete(work_order=a, resolution="Xong", actor=unit_staff)
    rows = {r["unit"].code: r for r in selectors.backlog(lead)}
    assert rows["PC-SG"]["open"] == 0 and set(rows) == {"PC-SG", "PC-GD"}
    assert [w.unit.code for w in selectors.overdue(lead, now=later)].count("PC-GD") == 2


def test_keyset_pagination_walks_every_work_order_once(world, open_case, lead):
    from cskh.customers.services import create_customer

    ids = []
    for i in range(7):
        c = create_customer(
            full_name=f"Khách {i}", phones=[f"090800000{i}"], ward_code=world["customer"].ward_id
        )
        ids.append(services.dispatch_case(case=open_case(customer=c), actor=world["agent"]).pk)
    seen, cursor = [], None
    while True:
        rows, cursor = selectors.list_for_user(lead, cursor=cursor, limit=3)
        seen += [r.pk for r in rows]
        if not cursor:
            break
    assert seen == sorted(ids, reverse=True)
    seen, cursor = [], None
    while True:
        rows, cursor = selectors.list_for_user(lead, cursor=cursor, limit=2, order="expected_at")
        seen += [r.expected_at for r in rows]
        if not cursor:
            break
    assert len(seen) == 7 and seen == sorted(seen)
