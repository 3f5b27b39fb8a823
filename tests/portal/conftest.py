import io
import re

import pytest

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _no_rate_limit_leftovers(db, settings, tmp_path):
    """Rate-limit counters live in the shared cache (Redis outlives a test); uploads go to a
    temporary media folder."""
    from django.core.cache import cache

    cache.delete_pattern("rl:*") if hasattr(cache, "delete_pattern") else cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.delete_pattern("rl:*") if hasattr(cache, "delete_pattern") else cache.clear()


@pytest.fixture
def png():
    def _png(name="anh.png"):
        f = io.BytesIO(PNG)
        f.name = name
        return f

    return _png


def last_code(e164: str) -> str:
    """The code in the newest sign-in message queued to this number (the outbox row: what
    the SMS gateway would deliver)."""
    from cskh.notify.models import Notification

    row = Notification.objects.filter(template="portal_otp", to=e164).order_by("-id").first()
    assert row is not None, "no sign-in message queued"
    return re.search(r"\b(\d{6})\b", row.body).group(1)


@pytest.fixture
def other_customer(db, profile, ben_thanh):
    from cskh.customers.services import add_service_point, create_customer

    c = create_customer(
        full_name="Trần Thị Bình",
        phones=["0912 345 678"],
        address="5 Pasteur, Phường Bến Thành",
        ward_code=ben_thanh.code,
    )
    add_service_point(
        customer=c, code="PE-OTHER-1", kind="meter", address="5 Pasteur", ward=ben_thanh
    )
    return c


@pytest.fixture
def point(customer):
    from cskh.customers.services import add_service_point

    return add_service_point(
        customer=customer, code="PE-AN-1", kind="meter", address="12 Lê Lợi", ward=customer.ward
    )


def sign_in(client, phone="0901234567"):
    """The real flow: ask for a code, read it from the outbox, enter it."""
    from cskh.core.phones import to_e164

    r = client.post("/khach-hang/dang-nhap/", {"phone": phone, "channel": "sms"})
    assert r.status_code == 302, r.content
    r = client.post("/khach-hang/dang-nhap/ma/", {"code": last_code(to_e164(phone))})
    assert r.status_code == 302, r.content
    return r


@pytest.fixture
def signed_in(client, world, point):
    sign_in(client)
    return client
