"""Sign-in by one-time code: delivery through the outbox, hashing, expiry, attempts, limits,
no enumeration, session rotation, sign-out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.notify.models import Notification
from cskh.portal.models import OtpChallenge
from cskh.portal.selectors import CUSTOMER_KEY
from tests.portal.conftest import last_code, sign_in

E164 = "+84901234567"


def test_code_goes_through_the_outbox_and_signs_in(client, world, point):
    r = client.post("/khach-hang/dang-nhap/", {"phone": "0901 234 567", "channel": "zalo"})
    assert r.status_code == 302 and "/dang-nhap/ma/" in r["Location"]
    row = Notification.objects.get(template="portal_otp", to=E164)
    assert row.channel == "zalo" and row.status == "pending"
    code = last_code(E164)
    challenge = OtpChallenge.objects.get(phone_e164=E164)
    assert code not in challenge.code_hash and len(challenge.code_hash) == 64  # hashed only
    before = client.session.session_key
    r = client.post("/khach-hang/dang-nhap/ma/", {"code": code})
    assert r.status_code == 302 and r["Location"] == "/khach-hang/yeu-cau/"
    assert client.session[CUSTOMER_KEY] == world["customer"].pk
    assert client.session.session_key != before  # rotated on sign-in
    assert "_auth_user_id" not in client.session  # not a staff login
    page = client.get("/khach-hang/yeu-cau/")
    assert page.status_code == 200 and "Yêu cầu của tôi" in page.content.decode()


def test_a_used_code_cannot_sign_in_again(client, world):
    from cskh.portal.services import auth

    sign_in(client)
    code = last_code(E164)
    client.post("/khach-hang/dang-xuat/")
    assert CUSTOMER_KEY not in client.session
    assert client.get("/khach-hang/yeu-cau/").status_code == 302
    token = OtpChallenge.objects.get().token
    with pytest.raises(auth.WrongCode):
        auth.verify_code(token=token, code=code, ip="10.0.0.1")


def test_same_answer_for_unknown_phone_and_nothing_sent(client, world):
    known = client.post("/khach-hang/dang-nhap/", {"phone": "0901234567"})
    other = client.post("/khach-hang/dang-nhap/", {"phone": "0987654321"})
    assert known.status_code == other.status_code == 302
    assert known["Location"] == other["Location"]
    page = client.get(other["Location"])
    assert "Nếu số điện thoại có trong hồ sơ" in page.content.decode()
    assert not Notification.objects.filter(to="+84987654321").exists()
    # the unknown number's challenge never succeeds, whatever is typed
    r = client.post("/khach-hang/dang-nhap/ma/", {"code": "000000"})
    assert r.status_code == 400 and CUSTOMER_KEY not in client.session


def test_expired_code_is_refused(client, world):
    client.post("/khach-hang/dang-nhap/", {"phone": "0901234567"})
    OtpChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    r = client.post("/khach-hang/dang-nhap/ma/", {"code": last_code(E164)})
    assert r.status_code == 400 and CUSTOMER_KEY not in client.session


def test_brute_force_stops_after_the_attempt_limit(client, world, settings):
    settings.CSKH_PORTAL_OTP_ATTEMPTS = 5
    client.post("/khach-hang/dang-nhap/", {"phone": "0901234567"})
    code = last_code(E164)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        r = client.post("/khach-hang/dang-nhap/ma/", {"code": wrong})
        assert r.status_code == 400
    # the right code no longer works on this challenge
    r = client.post("/khach-hang/dang-nhap/ma/", {"code": code})
    assert r.status_code == 400 and CUSTOMER_KEY not in client.session
    assert OtpChallenge.objects.get().attempts == 5


def test_checks_per_ip_are_limited_across_challenges(client, world, settings):
    settings.CSKH_PORTAL_VERIFY_PER_IP = 3
    settings.CSKH_PORTAL_SENDS_PER_PHONE = 10
    for _ in range(3):
        client.post("/khach-hang/dang-nhap/", {"phone": "0901234567"})
        assert client.post("/khach-hang/dang-nhap/ma/", {"code": "111111"}).status_code == 400
    client.post("/khach-hang/dang-nhap/", {"phone": "0901234567"})
    r = client.post("/khach-hang/dang-nhap/ma/", {"code": last_code(E164)})
    assert r.status_code == 429 and CUSTOMER_KEY not in client.session


def test_sends_limited_per_phone_and_per_ip(client, world, settings):
    settings.CSKH_PORTAL_SENDS_PER_PHONE = 2
    settings.CSKH_PORTAL_SENDS_PER_IP = 4
    for _ in range(2):
        assert client.post("/khach-hang/dang-nhap/", {"phone": "0901234567"}).status_code == 302
    r = client.post("/khach-hang/dang-nhap/", {"phone": "0901234567"})
    assert r.status_code == 429
    assert Notification.objects.filter(template="portal_otp").count() == 2
    # another number from the same address: the per-address limit (4) stops it after 1 more
    assert client.post("/khach-hang/dang-nhap/", {"phone": "0912345678"}).status_code == 302
    assert client.post("/khach-hang/dang-nhap/", {"phone": "0912345679"}).status_code == 429


def test_bad_phone_is_a_form_error(client, world):
    r = client.post("/khach-hang/dang-nhap/", {"phone": "12ab"})
    assert r.status_code == 400 and "không hợp lệ" in r.content.decode()


@pytest.mark.parametrize("nxt", ["https://evil.example/", "//evil.example/", "/admin/"])
def test_next_is_only_a_portal_path(client, world, nxt):
    client.post("/khach-hang/dang-nhap/", {"phone": "0901234567", "next": nxt})
    r = client.post("/khach-hang/dang-nhap/ma/", {"code": last_code(E164), "next": nxt})
    assert r["Location"] == "/khach-hang/yeu-cau/"


def test_signed_in_customer_selector(rf, world):
    from django.contrib.sessions.backends.db import SessionStore

    from cskh.portal.selectors import signed_in_customer

    request = rf.get("/")
    request.session = SessionStore()
    assert signed_in_customer(request) is None
    request = rf.get("/")
    request.session = SessionStore()
    request.session[CUSTOMER_KEY] = world["customer"].pk
    assert signed_in_customer(request).pk == world["customer"].pk


def test_expired_codes_are_purged_by_the_daily_job(db):
    from datetime import timedelta

    from django.utils import timezone

    from cskh.portal.models import OtpChallenge
    from cskh.portal.tasks import purge_expired_codes
    from cskh.scheduler.jobs import JOBS

    now = timezone.now()
    for token, expired_ago in (("old", timedelta(days=2)), ("recent", timedelta(hours=1))):
        OtpChallenge.objects.create(
            token=token,
            phone_e164="+84901234567",
            code_hash="x",
            created_at=now - expired_ago - timedelta(minutes=5),
            expires_at=now - expired_ago,
        )
    assert "cskh.portal.tasks.purge_expired_codes" in {job.task for job in JOBS}
    assert purge_expired_codes.call() == 1
    assert list(OtpChallenge.objects.values_list("token", flat=True)) == ["recent"]
