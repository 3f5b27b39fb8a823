import itertools
from datetime import timedelta

import pytest

_seq = itertools.count(1)


@pytest.fixture
def pbx(db):
    from cskh.org.services import create_user

    return create_user(username="pbx", role="integration")


@pytest.fixture
def manager(db, center):
    from cskh.org.services import create_user

    return create_user(
        username="quanly",
        password="Matkhau!2026",
        role="manager",
        unit=center,
        email="quanly@cskh.local",
    )


@pytest.fixture
def make_case(world):
    """A case row as the desk would leave it, at a chosen time (rollups read rows only)."""
    from cskh.cases.models import Case
    from cskh.catalog.models import CaseType

    ctype = CaseType.objects.order_by("id").first()

    def _make(at, *, channel="phone", unit=None, resolved_after=None, due_after=None, **kw):
        n = next(_seq)
        fields = {
            "number": f"T{n:06d}",
            "customer": kw.pop("customer", world["customer"]),
            "case_type": kw.pop("case_type", ctype),
            "channel": channel,
            "status": "new",
            "is_open": True,
            "unit": unit if unit is not None else world["unit"],
            "created_at": at,
            "due_at": at + due_after if due_after is not None else None,
        }
        if resolved_after is not None:
            fields.update(status="resolved", is_open=False, resolved_at=at + resolved_after)
        fields.update(kw)
        return Case.objects.create(**fields)

    return _make


@pytest.fixture
def hours():
    return lambda h: timedelta(hours=h)
