"""A small electricity network in Bến Thành: feeder F1 → transformers T1, T2, T3; feeder F2 → T9.

Each transformer has customers with a meter on it; `report(customer)` opens an outage case the
way the desk/API does (cases.services.open_case → hooks → incidents.on_case_opened).
"""

import pytest

from cskh.incidents import rules


@pytest.fixture(autouse=True)
def _fresh_rules(settings):
    settings.CSKH_INCIDENT_RULES = {}
    settings.CSKH_NOTIFY_ENQUEUE = False
    rules.clear_cache()
    yield
    rules.clear_cache()


@pytest.fixture
def network(profile, center, field_unit, ben_thanh):
    from cskh.customers.services import add_service_point, create_customer
    from cskh.incidents.services import ensure_network_entries

    layout = {"T1": "F1", "T2": "F1", "T3": "F1", "T9": "F2"}
    per_transformer: dict[str, list] = {}
    n = 0
    for t, f in layout.items():
        for _k in range(6):
            n += 1
            c = create_customer(
                full_name=f"Khách hàng {n:03d}",
                phones=[f"0909{n:06d}"],
                ward_code=ben_thanh.code,
                email=f"kh{n}@example.vn",
            )
            add_service_point(
                customer=c,
                code=f"PE{n:08d}",
                kind="meter",
                ward=ben_thanh,
                feeder_code=f,
                transformer_code=t,
            )
            per_transformer.setdefault(t, []).append(c)
    ensure_network_entries()
    return per_transformer


@pytest.fixture
def report(profile):
    from cskh.cases.services import open_case
    from cskh.catalog.models import CaseType

    outage = CaseType.objects.get(code="outage")

    def _report(customer, *, at=None, case_type=None, actor=None):
        sp = customer.service_points.first()
        return open_case(
            customer=customer,
            case_type=case_type or outage,
            description="Nhà tôi mất điện từ 10 phút trước.",
            service_point=sp,
            at=at,
            actor=actor,
        )

    return _report
