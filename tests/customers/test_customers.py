import pytest

from cskh.core.errors import DomainError
from cskh.core.phones import display, to_e164
from cskh.customers import selectors, services


@pytest.mark.parametrize(
    "raw",
    [
        "0901234567",
        "+84901234567",
        "84901234567",
        "090 123 4567",
        "0901.234.567",
        "(+84) 901-234-567",
        "0084901234567",
    ],
)
def test_vietnamese_formats_normalize_to_e164(raw):
    assert to_e164(raw) == "+84901234567"


@pytest.mark.parametrize("raw", ["", "123", "abc", "0901", "+1 202", "09012345678901234"])
def test_malformed_numbers_are_rejected(raw):
    with pytest.raises(DomainError) as exc:
        to_e164(raw)
    assert exc.value.code == "bad_phone"


def test_landline_and_display():
    assert to_e164("028 3822 1234") == "+842838221234"
    assert display("+84901234567") == "0901 234 567"


def test_lookup_by_any_phone_in_any_format(profile):
    c = services.create_customer(full_name="Trần Thị Mai", phones=["0901234567", "028 3765 4321"])
    assert selectors.find_by_phone("84 90 123 4567") == [c]
    assert selectors.find_by_phone("+842837654321") == [c]
    assert selectors.find_by_phone("0999999999") == []
    assert selectors.find_by_phone("not a phone") == []


def test_shared_phone_returns_all_customers(profile):
    a = services.create_customer(full_name="Bố", phones=["0901234567"])
    b = services.create_customer(full_name="Con", phones=["0901 234 567"])
    assert {c.id for c in selectors.find_by_phone("0901234567")} == {a.id, b.id}


def test_address_is_parsed_into_current_ward_and_old_names(profile):
    c = services.create_customer(
        full_name="Ngô Văn Dũng", phones=[], address="45 Lê Thánh Tôn, Phường Bến Thành, TP.HCM"
    )
    assert c.ward.name == "Phường Bến Thành"
    # old ward name (before 1/7/2025) still finds the new unit
    d = services.create_customer(
        full_name="Đỗ Thị E", phones=[], address="10 Pasteur, phường Bến Nghé, Quận 1"
    )
    assert d.ward is not None and d.ward.name == "Phường Sài Gòn"
    assert "Quận 1" in d.ward.legacy_names
    # an old ward split between current wards is the agent's pick (#21)
    from cskh.geo.address import WardChoiceNeeded

    with pytest.raises(WardChoiceNeeded) as exc:
        services.create_customer(
            full_name="Đỗ Thị F",
            phones=[],
            address="10 Nguyễn Thái Bình, phường Nguyễn Thái Bình, Quận 1",
        )
    wards = exc.value.resolution.candidates
    assert len(wards) > 1 and {w.province_name for w in wards} == {"Thành phố Hồ Chí Minh"}


def test_codes_and_folded_names(profile):
    c = services.create_customer(full_name="  Đặng   Hoàng  Yến ", phones=[])
    assert c.full_name == "Đặng Hoàng Yến"
    assert c.name_folded == "dang hoang yen"
    assert c.code.startswith("PE01") and len(c.code) == 13
    assert selectors.find_by_code(c.code.lower()) == c


def test_duplicate_code_rejected_and_nothing_saved(profile):
    from cskh.customers.models import Customer

    services.create_customer(full_name="A", phones=[], code="PE01000123456")
    with pytest.raises(DomainError) as exc:
        services.create_customer(full_name="B", phones=["0901234567"], code="PE01000123456")
    assert exc.value.status == 409
    assert Customer.objects.count() == 1


def test_update_is_audited(profile, agent):
    from cskh.core.models import AuditLog

    c = services.create_customer(full_name="Lý Văn F", phones=[])
    services.update_customer(customer=c, full_name="Lý Văn Phúc", actor=agent)
    log = AuditLog.objects.filter(action="customer.update").get()
    assert log.changes == {"full_name": ["Lý Văn F", "Lý Văn Phúc"]}
    with pytest.raises(DomainError):
        services.update_customer(customer=c, code="X")


def test_intake_lookups_load_the_primary_phone_with_the_customer(
    profile, django_assert_num_queries
):
    from cskh.customers.models import Phone

    c = services.create_customer(full_name="Trần Thị Mai", phones=["0901234567", "0912345678"])
    Phone.objects.filter(customer=c).update(is_primary=False)
    Phone.objects.filter(customer=c, e164="+84912345678").update(is_primary=True)
    bare = services.create_customer(full_name="Lê Văn Cường", phones=[])
    selectors.get_for_intake(bare.pk)  # the process caches (wards) filled, as in a server
    with django_assert_num_queries(1):
        [by_phone] = selectors.find_by_phone_for_intake("0901 234 567")
    with django_assert_num_queries(1):
        by_id = selectors.get_for_intake(c.pk)
    with django_assert_num_queries(0):
        assert by_phone.primary_phone() == by_id.primary_phone() == "+84912345678"
    assert selectors.get_for_intake(bare.pk).primary_phone() == ""
    assert selectors.get_for_intake(10**9) is None
    # without the look-up's value the phones are read (prefetched or not)
    assert selectors.find_by_phone("0901 234 567")[0].primary_phone() == "+84912345678"
