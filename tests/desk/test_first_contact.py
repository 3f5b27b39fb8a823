"""A case resolved on the call from the desk goes through open_case(resolved_on_call=True).

Auto-dispatch runs after commit, so these tests commit for real (a rolled-back test transaction
would never run it, and the first test could not fail)."""

import pytest

from cskh.cases.models import Case, CaseEvent
from cskh.dispatch.models import WorkOrder
from cskh.notify.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_field_case_resolved_on_the_call_is_never_dispatched(world, logged_in, settings):
    settings.CSKH_DISPATCH_AUTO = "field"
    client = logged_in(world["agent"])
    r = client.post(
        "/desk/log",
        {
            "customer": world["customer"].pk,
            "type": "meter",  # handled by the field unit: auto-dispatched when left open
            "description": "Hỏi chỉ số công tơ tháng này",
            "resolved": "on",
            "reply": "Đã đọc chỉ số cho khách, vụ việc {{so_vu_viec}}",
        },
    )
    assert r.status_code == 200
    case = Case.objects.get(customer=world["customer"])
    assert case.status == "resolved" and not case.is_open
    assert case.resolved_on_first_contact
    assert case.resolution == f"Đã đọc chỉ số cho khách, vụ việc {case.number}"
    assert not WorkOrder.objects.filter(case=case).exists()
    templates = list(
        Notification.objects.filter(case=case).order_by("id").values_list("template", flat=True)
    )
    assert "case_dispatched" not in templates
    assert templates == ["case_received", "case_resolved"]
    timeline = list(CaseEvent.objects.filter(case=case).order_by("id"))
    assert [(e.kind, e.data.get("to")) for e in timeline] == [
        ("created", None),
        ("status", "resolved"),
    ]
    assert timeline[1].body == case.resolution


def test_field_case_left_open_from_the_desk_is_still_dispatched(world, logged_in, settings):
    settings.CSKH_DISPATCH_AUTO = "field"
    client = logged_in(world["agent"])
    r = client.post(
        "/desk/log",
        {
            "customer": world["customer"].pk,
            "type": "meter",
            "description": "Công tơ chạy nhanh bất thường",
            "reply": "Điện lực sẽ kiểm tra, hạn {{han_xu_ly}}",
        },
    )
    assert r.status_code == 200
    case = Case.objects.get(customer=world["customer"])
    assert case.is_open and not case.resolved_on_first_contact
    assert WorkOrder.objects.filter(case=case, is_active=True).exists()
    reply = CaseEvent.objects.get(case=case, kind="reply")
    assert "{{han_xu_ly}}" not in reply.body and reply.public
