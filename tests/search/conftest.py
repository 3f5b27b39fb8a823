import pytest


@pytest.fixture
def sworld(world, other_unit, unit_staff):
    """The search world: the fixture customer Nguyễn Văn An (Bến Thành → field unit PC-SG) with
    an outage case, and a customer in another unit's ward with a case there."""
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type
    from cskh.customers.services import create_customer

    outage = get_case_type("outage")
    an = world["customer"]
    case_an = open_case(
        customer=an, case_type=outage, description="Mất điện cả khu phố từ sáng, đường Lê Lợi"
    )
    ward = other_unit.service_areas.first().ward
    binh = create_customer(
        full_name="Trần Thị Bình",
        phones=["0912 888 777"],
        address="45 Đường Nguyễn Trãi",
        ward_code=ward.code,
        code="PE01000999888",
    )
    case_binh = open_case(
        customer=binh, case_type=outage, description="Dây điện đứt trước nhà, mất điện toàn bộ"
    )
    return {
        **world,
        "other_unit": other_unit,
        "unit_staff": unit_staff,
        "an": an,
        "binh": binh,
        "case_an": case_an,
        "case_binh": case_binh,
    }
