import pytest


@pytest.fixture
def office(db, field_unit, ben_thanh):
    """Office PGD01 of the field unit: A (counters 1, 2), B (counters 2, 3; one booking per
    slot)."""
    from cskh.counters.models import Counter, Office, Service

    office = Office.objects.create(
        code="PGD01",
        name="Phòng giao dịch Sài Gòn",
        unit=field_unit,
        ward=ben_thanh,
        address="12 Lê Lợi",
    )
    a = Service.objects.create(office=office, letter="A", name="Thanh toán tiền điện")
    b = Service.objects.create(office=office, letter="B", name="Hợp đồng", slot_capacity=1)
    for number, serves in ((1, [a]), (2, [a, b]), (3, [b])):
        c = Counter.objects.create(office=office, number=number)
        c.services.set(serves)
    return office


@pytest.fixture
def svc(office):
    return {s.letter: s for s in office.services.all()}


@pytest.fixture
def counters(office):
    return {c.number: c for c in office.counters.all()}


@pytest.fixture
def other_office(db, other_unit):
    from cskh.counters.models import Counter, Office, Service

    office = Office.objects.create(code="PGD02", name="Phòng giao dịch Gia Định", unit=other_unit)
    a = Service.objects.create(office=office, letter="A", name="Thanh toán")
    c = Counter.objects.create(office=office, number=1)
    c.services.set([a])
    return office


@pytest.fixture
def officer(db, field_unit):
    from cskh.org.services import create_user

    return create_user(
        username="gdv01",
        password="Matkhau!2026",
        role="counter_staff",
        unit=field_unit,
        first_name="Hoa",
        last_name="Phạm Thị",
    )


@pytest.fixture
def other_officer(db, other_unit):
    from cskh.org.services import create_user

    return create_user(
        username="gdv02", password="Matkhau!2026", role="counter_staff", unit=other_unit
    )


@pytest.fixture
def textintel_models():
    """open_case runs textintel's hook, whose models load (train) once per process."""
    from cskh.textintel import sentiment

    sentiment.analyze("mất điện từ sáng", "electricity")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the shared cache (Redis under PostgreSQL runs): each test
    starts from zero, as a new client would."""
    from django.core.cache import cache

    cache.delete_pattern("rl:*") if hasattr(cache, "delete_pattern") else cache.clear()
