"""Tracking without signing in, outage status and subscriptions, public help pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.cases import services as cases
from cskh.catalog.services import get_case_type
from cskh.incidents import services as incidents
from cskh.incidents.models import IncidentSubscription


@pytest.fixture
def a_case(world, point):
    return cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="Hỏi hóa đơn, ghi chú riêng",
        service_point=point,
    )


def test_track_with_last_four_digits(client, a_case):
    r = client.post("/khach-hang/tra-cuu/", {"number": a_case.number.lower(), "last4": "4567"})
    body = r.content.decode()
    assert r.status_code == 200 and "Mới" in body and a_case.number in body
    assert "ghi chú riêng" not in body and "Nguyễn" not in body


def test_track_mismatch_is_one_404_answer(client, a_case):
    wrong_phone = client.post("/khach-hang/tra-cuu/", {"number": a_case.number, "last4": "0000"})
    no_case = client.post("/khach-hang/tra-cuu/", {"number": "CS-2020-999999", "last4": "4567"})
    assert wrong_phone.status_code == no_case.status_code == 404
    strip = lambda r: r.content.decode().replace(a_case.number, "").replace("CS-2020-999999", "")  # noqa: E731
    import re

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", strip(wrong_phone)) == token.sub("", strip(no_case))


def test_track_is_rate_limited(client, a_case, settings):
    settings.CSKH_PORTAL_TRACK_PER_MINUTE = 3
    for _ in range(3):
        client.post("/khach-hang/tra-cuu/", {"number": a_case.number, "last4": "0000"})
    r = client.post("/khach-hang/tra-cuu/", {"number": a_case.number, "last4": "4567"})
    assert r.status_code == 429


def test_outages_for_my_service_points_and_subscribe(
    signed_in, world, point, ben_thanh, other_customer
):
    live = incidents.create_incident(
        kind="unplanned_outage",
        title="Mất điện khu vực Bến Thành",
        scope={"wards": [ben_thanh.pk]},
        eta=timezone.now() + timedelta(hours=3),
        public_message="Đang sửa chữa đường dây.",
    )
    planned = incidents.create_incident(
        kind="planned_outage",
        title="Bảo trì trạm Lê Lợi",
        scope={"service_points": [point.code]},
        started_at=timezone.now() + timedelta(days=2),
        eta=timezone.now() + timedelta(days=2, hours=4),
    )
    elsewhere = incidents.create_incident(
        kind="unplanned_outage", title="Sự cố nơi khác", scope={"service_points": ["PE-OTHER-1"]}
    )
    body = signed_in.get("/khach-hang/su-co/").content.decode()
    assert "Mất điện khu vực Bến Thành" in body and "Dự kiến khôi phục" in body
    assert planned.title in body and "Sự cố nơi khác" not in body
    r = signed_in.post("/khach-hang/su-co/", {"incident": str(live.pk), "channel": "zalo"})
    assert r.status_code == 200 and "Đã đăng ký" in r.content.decode()
    assert IncidentSubscription.objects.filter(incident=live, customer_id=world["customer"].pk)
    world["customer"].refresh_from_db()
    assert world["customer"].preferred_channel == "zalo"
    # another area's incident does not exist for this customer
    r = signed_in.post("/khach-hang/su-co/", {"incident": str(elsewhere.pk), "channel": "sms"})
    assert r.status_code == 404


def test_email_subscription_needs_an_address(signed_in, world, point, ben_thanh):
    live = incidents.create_incident(
        kind="unplanned_outage", title="Mất điện", scope={"wards": [ben_thanh.pk]}
    )
    r = signed_in.post("/khach-hang/su-co/", {"incident": str(live.pk), "channel": "email"})
    assert r.status_code == 400 and not IncidentSubscription.objects.exists()


def test_help_pages_show_public_articles_searchable_without_diacritics(client, world, agent):
    from cskh.knowledge import services as kb

    kb.create_article(
        title="Cách đọc chỉ số công tơ điện",
        body="Chỉ số công tơ nằm trên mặt đồng hồ.",
        topic="procedure",
        public=True,
    ).article.versions.update(status="approved")
    kb.create_article(
        title="Quy trình nội bộ xử lý công tơ",
        body="Chỉ dành cho nhân viên.",
        topic="procedure",
    ).article.versions.update(status="approved")
    body = client.get("/khach-hang/tro-giup/?q=chi so cong to").content.decode()
    assert "Cách đọc chỉ số công tơ điện" in body
    assert "Quy trình nội bộ" not in body
    assert client.get("/khach-hang/tro-giup/quy-trinh-noi-bo-xu-ly-cong-to/").status_code == 404
    page = client.get("/khach-hang/tro-giup/cach-doc-chi-so-cong-to-dien/")
    assert page.status_code == 200 and "mặt đồng hồ" in page.content.decode()


def test_home_links_to_counter_booking(client, world):
    body = client.get("/khach-hang/").content.decode()
    assert 'href="/dat-lich/"' in body and "Đặt lịch hẹn tại quầy" in body
