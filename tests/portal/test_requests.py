"""My requests: list, customer-visible timeline, SLA words, reply with photos, reopen, new
request through open_case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.cases import services as cases
from cskh.cases.models import Case, CaseEvent
from cskh.catalog.services import get_case_type
from cskh.portal.models import Photo
from cskh.portal.selectors import expectation


@pytest.fixture
def phoned_case(world, point):
    """A case an agent logged from a call, with an internal note and a public reply."""
    case = cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="KH gọi hỏi hóa đơn; ghi chú nội bộ: khách khó tính",
        actor=world["agent"],
        service_point=point,
    )
    cases.add_note(case=case, body="Nội bộ: kiểm tra chỉ số công tơ", actor=world["agent"])
    cases.add_note(
        case=case, body="Chúng tôi đang kiểm tra chỉ số.", public=True, actor=world["agent"]
    )
    return case


def test_list_shows_status_and_sla_in_plain_words(signed_in, phoned_case):
    body = signed_in.get("/khach-hang/yeu-cau/").content.decode()
    assert phoned_case.number in body
    assert "Mới" in body
    assert "Dự kiến xử lý trước" in body and " ngày " in body


def test_list_pages_newest_first_twenty_at_a_time(signed_in, world, point, other_customer):
    from cskh.portal.selectors import PAGE_SIZE

    billing = get_case_type("billing")
    mine = [
        cases.open_case(customer=world["customer"], case_type=billing, description=f"Hỏi số {i}")
        for i in range(PAGE_SIZE + 3)
    ]
    theirs = cases.open_case(customer=other_customer, case_type=billing, description="Khác")
    first = signed_in.get("/khach-hang/yeu-cau/")
    body = first.content.decode()
    shown = [c.number for c in mine if c.number in body]
    assert shown == [c.number for c in mine[-PAGE_SIZE:]]  # the newest page
    assert f"?truoc={mine[-PAGE_SIZE].pk}" in body and theirs.number not in body
    older = signed_in.get(f"/khach-hang/yeu-cau/?truoc={mine[-PAGE_SIZE].pk}").content.decode()
    assert [c.number for c in mine if c.number in older] == [c.number for c in mine[:3]]
    assert "?truoc=" not in older and "Mới nhất" in older
    # a guessed cursor never shows anyone else's cases
    guessed = signed_in.get(f"/khach-hang/yeu-cau/?truoc={theirs.pk + 1}").content.decode()
    assert theirs.number not in guessed
    assert signed_in.get("/khach-hang/yeu-cau/?truoc=abc").status_code == 200


def test_expectation_words(phoned_case):
    local = timezone.localtime(phoned_case.due_at)
    text = expectation(phoned_case, now=phoned_case.created_at)
    assert (
        text == f"Dự kiến xử lý trước {local:%H:%M} ngày {local:%d/%m}" or str(local.year) in text
    )
    late = expectation(phoned_case, now=phoned_case.due_at + timedelta(minutes=1))
    assert late.startswith("Đã quá thời hạn dự kiến")


def test_timeline_hides_internal_notes_and_staff_names(signed_in, phoned_case, settings):
    body = signed_in.get(f"/khach-hang/yeu-cau/{phoned_case.number}/").content.decode()
    assert "Chúng tôi đang kiểm tra chỉ số." in body
    assert "Nội bộ" not in body and "khách khó tính" not in body
    assert "Trần" not in body and "Lan" not in body  # the agent is Trần … Lan
    assert "Nhân viên CSKH" in body
    settings.CSKH_PORTAL_STAFF_FIRST_NAME = True
    body = signed_in.get(f"/khach-hang/yeu-cau/{phoned_case.number}/").content.decode()
    assert "Lan · CSKH" in body and "Trần" not in body


def test_reply_with_photo(signed_in, phoned_case, png):
    cases.transition(case=phoned_case, to="waiting_customer", note="Cần ảnh công tơ")
    r = signed_in.post(
        f"/khach-hang/yeu-cau/{phoned_case.number}/tra-loi",
        {"body": "Ảnh công tơ đây ạ", "photos": [png("congto.png")]},
    )
    assert r.status_code == 302
    event = CaseEvent.objects.filter(case=phoned_case, kind="interaction").get()
    assert event.data["direction"] == "in" and event.body == "Ảnh công tơ đây ạ"
    photo = Photo.objects.get(case=phoned_case)
    assert photo.event_id == event.pk and photo.content_type == "image/png"
    phoned_case.refresh_from_db()
    assert phoned_case.status == "in_progress"  # back to work, SLA clock resumed
    page = signed_in.get(f"/khach-hang/yeu-cau/{phoned_case.number}/").content.decode()
    assert f"/khach-hang/anh/{photo.pk}" in page
    img = signed_in.get(f"/khach-hang/anh/{photo.pk}")
    assert img.status_code == 200 and img["Content-Type"] == "image/png"


def test_upload_type_checked_by_content(signed_in, phoned_case):
    import io

    fake = io.BytesIO(b"<?php echo 'x'; ?>" + b"\0" * 100)
    fake.name = "anh.png"
    r = signed_in.post(
        f"/khach-hang/yeu-cau/{phoned_case.number}/tra-loi", {"body": "x", "photos": [fake]}
    )
    assert r.status_code == 415
    assert not Photo.objects.exists()
    assert not CaseEvent.objects.filter(case=phoned_case, kind="interaction").exists()


def test_upload_size_limited(signed_in, phoned_case, png, settings):
    settings.CSKH_PORTAL_MAX_UPLOAD = 50
    r = signed_in.post(
        f"/khach-hang/yeu-cau/{phoned_case.number}/tra-loi", {"body": "x", "photos": [png()]}
    )
    assert r.status_code == 413 and not Photo.objects.exists()


def test_too_many_files(signed_in, phoned_case, png, settings):
    settings.CSKH_PORTAL_MAX_FILES = 1
    r = signed_in.post(
        f"/khach-hang/yeu-cau/{phoned_case.number}/tra-loi",
        {"body": "x", "photos": [png("a.png"), png("b.png")]},
    )
    assert r.status_code == 400 and not Photo.objects.exists()


def test_reopen_within_days_only(signed_in, phoned_case, settings):
    settings.CSKH_PORTAL_REOPEN_DAYS = 7
    cases.transition(case=phoned_case, to="resolved", note="Đã điều chỉnh hóa đơn")
    page = signed_in.get(f"/khach-hang/yeu-cau/{phoned_case.number}/").content.decode()
    assert "Đã điều chỉnh hóa đơn" in page and "Mở lại yêu cầu" in page
    r = signed_in.post(
        f"/khach-hang/yeu-cau/{phoned_case.number}/mo-lai", {"reason": "Vẫn sai số tiền"}
    )
    assert r.status_code == 302
    phoned_case.refresh_from_db()
    assert phoned_case.status == "in_progress" and phoned_case.reopen_count == 1
    cases.transition(case=phoned_case, to="resolved", note="Đã sửa lần 2")
    Case.objects.filter(pk=phoned_case.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    r = signed_in.post(f"/khach-hang/yeu-cau/{phoned_case.number}/mo-lai", {"reason": "Lại sai"})
    assert r.status_code == 409
    phoned_case.refresh_from_db()
    assert phoned_case.status == "resolved"


def test_new_request_goes_through_open_case(signed_in, world, point, png):
    r = signed_in.post(
        "/khach-hang/yeu-cau/moi/",
        {
            "service_point": str(point.pk),
            "case_type": "billing",
            "description": "Hóa đơn tháng này cao bất thường",
            "photos": [png()],
        },
    )
    assert r.status_code == 302
    case = Case.objects.get(channel="web")
    assert r["Location"] == f"/khach-hang/yeu-cau/{case.number}/"
    assert case.customer_id == world["customer"].pk and case.service_point_id == point.pk
    assert case.unit is not None and case.due_at is not None  # routed, SLA set
    assert case.type_confirmed
    assert Photo.objects.get(case=case).event_id is None
    from cskh.notify.models import Notification

    assert Notification.objects.filter(case=case, template="case_received").exists()


def test_new_request_without_type_is_suggested(signed_in, world, point):
    r = signed_in.post(
        "/khach-hang/yeu-cau/moi/",
        {"description": "Nhà tôi bị mất điện từ sáng đến giờ, cả xóm cũng mất"},
    )
    assert r.status_code == 302
    case = Case.objects.get(channel="web")
    assert not case.type_confirmed
    assert case.case_type.code == "outage"


def test_new_request_needs_text(signed_in):
    r = signed_in.post("/khach-hang/yeu-cau/moi/", {"description": "  "})
    assert r.status_code == 400
    assert not Case.objects.exists()
