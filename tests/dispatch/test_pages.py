"""The unit portal pages: isolation, the unit's steps, uploads, the leads' backlog."""

import pytest
from django.urls import reverse

from cskh.cases.models import Case
from cskh.dispatch import services
from cskh.dispatch.models import Attachment, WorkOrder
from tests.dispatch.conftest import png_bytes, upload


@pytest.fixture
def two(world, open_case, stranger):
    mine = services.dispatch_case(case=open_case(), actor=world["agent"])
    theirs = services.dispatch_case(case=open_case(customer=stranger), actor=world["agent"])
    return mine, theirs


def _login(client, user):
    client.force_login(user)
    return client


def test_unit_staff_lands_on_portal_and_sees_only_their_unit(client, two, unit_staff):
    mine, theirs = two
    _login(client, unit_staff)
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == reverse("portal:home")
    r = client.get(reverse("portal:home"))
    html = r.content.decode()
    assert r.status_code == 200
    assert mine.code in html and "Nguyễn Văn An" in html
    assert theirs.code not in html and "Trần Thị Bảy" not in html
    assert "Phiếu giao việc" in html and 'lang="vi"' in html
    r = client.get(reverse("portal:home"), {"unit": "PC-GD", "state": "all"})
    assert theirs.code not in r.content.decode()
    r = client.get(reverse("portal:detail", args=[mine.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert (
        "0901 234 567" in body
        and 'href="tel:+84901234567"' in body
        and "12 Lê Lợi" in body
        and "Nhận phiếu" in body
    )
    assert client.get(reverse("portal:detail", args=[theirs.pk])).status_code == 404
    for name, data in [
        ("accept", {}),
        ("note", {"body": "x"}),
        ("request_info", {"question": "x"}),
        ("complete", {"resolution": "x"}),
        ("reject", {"reason": "x"}),
        ("cancel", {"reason": "x"}),
        ("answer", {"answer": "x"}),
        ("redispatch", {"unit": "PC-SG", "reason": "x"}),
    ]:
        r = client.post(reverse(f"portal:{name}", args=[theirs.pk]), data)
        assert r.status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.status == "sent" and theirs.is_active
    assert client.get(reverse("portal:backlog")).status_code == 403
    assert client.get(reverse("portal:case", args=[mine.case.number])).status_code == 403


def test_files_are_served_only_to_the_unit(client, world, two, unit_staff, other_staff, media):
    mine, _theirs = two
    services.accept(work_order=mine, actor=unit_staff)
    services.complete(
        work_order=mine,
        resolution="Xong",
        photos=[upload("anh.png", png_bytes())],
        actor=unit_staff,
    )
    att = Attachment.objects.get()
    url = reverse("portal:file", args=[mine.pk, att.pk])
    r = _login(client, unit_staff).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content) == png_bytes()
    assert _login(client, other_staff).get(url).status_code == 404
    assert client.get(reverse("portal:detail", args=[mine.pk])).status_code == 404
    assert _login(client, world["agent"]).get(url).status_code == 200


def test_portal_steps_and_upload_errors(client, world, two, unit_staff, media, settings):
    mine, _theirs = two
    _login(client, unit_staff)
    detail = reverse("portal:detail", args=[mine.pk])
    r = client.post(reverse("portal:note", args=[mine.pk]), {"body": "Đang đi"})
    assert r.status_code == 409 and "Hãy nhận phiếu" in r.content.decode()
    r = client.post(reverse("portal:accept", args=[mine.pk]))
    assert r.status_code == 302 and r["Location"] == detail
    r = client.post(reverse("portal:note", args=[mine.pk]), {"body": "", "on_the_way": "1"})
    assert r.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "in_progress"
    settings.CSKH_DISPATCH_MAX_UPLOAD = 1000
    complete = reverse("portal:complete", args=[mine.pk])
    r = client.post(
        complete,
        {"resolution": "Đã xử lý", "photos": [upload("x.jpg", b"GIF89a....", "image/jpeg")]},
    )
    assert r.status_code == 415 and "không đúng định dạng" in r.content.decode()
    r = client.post(
        complete,
        {"resolution": "Đã xử lý", "photos": [upload("big.png", png_bytes() + b"\0" * 1000)]},
    )
    assert r.status_code == 413 and "quá lớn" in r.content.decode()
    mine.refresh_from_db()
    assert mine.status == "in_progress" and not Attachment.objects.exists()
    r = client.post(
        complete, {"resolution": "Đã thay dây", "photos": [upload("a.png", png_bytes())]}
    )
    assert r.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "done" and Attachment.objects.count() == 1
    assert Case.objects.get(pk=mine.case_id).status == "resolved"
    assert "Phiếu đã kết thúc" in client.get(detail).content.decode()


def test_redispatch_page_requires_reason(client, world, two, other_unit):
    mine, _theirs = two
    _login(client, world["agent"])
    url = reverse("portal:redispatch", args=[mine.pk])
    r = client.post(url, {"unit": "PC-GD", "reason": ""})
    assert r.status_code == 400 and "lý do" in r.content.decode().lower()
    assert WorkOrder.objects.filter(case=mine.case).count() == 1
    r = client.post(url, {"unit": "PC-GD", "reason": "Sai địa bàn"})
    new = WorkOrder.objects.get(case=mine.case, is_active=True)
    assert r.status_code == 302 and r["Location"] == reverse("portal:detail", args=[new.pk])
    assert new.unit == other_unit and new.previous_id == mine.pk


def test_center_dispatch_page(client, world, open_case, unit_staff):
    case = open_case(type_code="meter")
    _login(client, world["agent"])
    url = reverse("portal:case", args=[case.number])
    r = client.get(url)
    assert r.status_code == 200 and "Điện lực Sài Gòn" in r.content.decode()
    r = client.post(
        url, {"unit": "", "instructions": "Kiểm tra công tơ", "expected_at": "2001-01-01T08:00"}
    )
    assert r.status_code == 400 and not WorkOrder.objects.exists()
    r = client.post(url, {"unit": "", "instructions": "Kiểm tra công tơ"})
    wo = WorkOrder.objects.get(case=case)
    assert (
        r.status_code == 302 and wo.unit == world["unit"] and wo.instructions == "Kiểm tra công tơ"
    )
    r = client.post(url, {"unit": ""})
    assert r.status_code == 409


def test_backlog_page_for_leads(client, world, two, lead):
    mine, theirs = two
    WorkOrder.objects.filter(pk=theirs.pk).update(expected_at=theirs.created_at)  # overdue now
    _login(client, lead)
    r = client.get(reverse("portal:backlog"))
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-unit="PC-GD"' in html and 'data-unit="PC-SG"' in html
    assert 'data-unit="CSKH"' not in html  # the center has no work orders of its own
    assert theirs.code in html.split("overdue-list")[1]
    assert mine.code not in html.split("overdue-list")[1]
    r = client.get(reverse("portal:home"), {"state": "overdue"})
    assert theirs.code in r.content.decode() and mine.code not in r.content.decode()
    r = client.get(reverse("portal:home"), {"unit": "PC-SG"})
    assert mine.code in r.content.decode() and theirs.code not in r.content.decode()
