"""One customer never sees another's cases, photos or service points."""

import pytest

from cskh.cases import services as cases
from cskh.catalog.services import get_case_type
from cskh.portal.models import Photo


@pytest.fixture
def their_case(other_customer):
    return cases.open_case(
        customer=other_customer,
        case_type=get_case_type("billing"),
        description="Hóa đơn của người khác",
        service_point=other_customer.service_points.get(),
    )


def test_other_customers_case_is_404_everywhere(signed_in, their_case):
    n = their_case.number
    assert signed_in.get(f"/khach-hang/yeu-cau/{n}/").status_code == 404
    assert signed_in.get(f"/khach-hang/yeu-cau/{n.lower()}/").status_code == 404
    assert signed_in.get(f"/khach-hang/yeu-cau/{their_case.pk}/").status_code == 404
    r = signed_in.post(f"/khach-hang/yeu-cau/{n}/tra-loi", {"body": "xem trộm"})
    assert r.status_code == 404
    assert signed_in.post(f"/khach-hang/yeu-cau/{n}/mo-lai", {"reason": "x"}).status_code == 404
    assert n not in signed_in.get("/khach-hang/yeu-cau/").content.decode()
    assert their_case.events.filter(kind="interaction").count() == 0


def test_guessed_numbers_answer_404(signed_in, their_case):
    prefix, year, seq = their_case.number.split("-")
    for guess in range(1, 6):
        number = f"{prefix}-{year}-{guess:06d}"
        if number != their_case.number:
            assert signed_in.get(f"/khach-hang/yeu-cau/{number}/").status_code == 404


def test_other_customers_photo_is_404(signed_in, their_case, other_customer, png):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    photo = Photo(
        case=their_case,
        customer_id=other_customer.pk,
        content_type="image/png",
        size=10,
        created_at=timezone.now(),
    )
    photo.file.save("x.png", ContentFile(png().read()), save=True)
    assert signed_in.get(f"/khach-hang/anh/{photo.pk}").status_code == 404


def test_other_customers_service_point_cannot_be_used(signed_in, other_customer):
    sp = other_customer.service_points.get()
    r = signed_in.post(
        "/khach-hang/yeu-cau/moi/",
        {"service_point": str(sp.pk), "case_type": "billing", "description": "Thử điểm khác"},
    )
    assert r.status_code == 404
    from cskh.cases.models import Case

    assert not Case.objects.filter(service_point=sp).exists()
    page = signed_in.get("/khach-hang/yeu-cau/moi/").content.decode()
    assert sp.code not in page


def test_pages_need_a_signed_in_customer(client, world, their_case):
    for url in (
        "/khach-hang/yeu-cau/",
        f"/khach-hang/yeu-cau/{their_case.number}/",
        "/khach-hang/yeu-cau/moi/",
        "/khach-hang/su-co/",
    ):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/khach-hang/dang-nhap/")


def test_staff_login_is_not_a_customer_session(client, world, their_case):
    client.force_login(world["agent"])
    r = client.get("/khach-hang/yeu-cau/")
    assert r.status_code == 302
