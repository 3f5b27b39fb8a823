"""Free words over case texts: the most recent matching cases first, keyset-paged, per unit."""

import pytest

from cskh.core.errors import DomainError
from cskh.search import selectors


def open_many(world, n, description="Mất điện từ sáng", customer=None):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type

    outage = get_case_type("outage")
    return [
        open_case(
            customer=customer or world["customer"],
            case_type=outage,
            description=f"{description} ({i})",
        )
        for i in range(n)
    ]


def test_cases_come_newest_first_in_keyset_pages(world):
    cases = open_many(world, 5)
    agent = world["agent"]
    page, cursor = selectors.search_page(agent, "mat dien", kind="case", limit=2)
    assert [h.id for h in page] == [cases[4].number, cases[3].number]
    assert cursor
    page, cursor = selectors.search_page(agent, "mat dien", kind="case", limit=2, cursor=cursor)
    assert [h.id for h in page] == [cases[2].number, cases[1].number]
    page, cursor = selectors.search_page(agent, "mat dien", kind="case", limit=2, cursor=cursor)
    assert [h.id for h in page] == [cases[0].number]
    assert cursor is None


def test_unit_staff_pages_only_their_units_cases(world, other_unit, unit_staff):
    from cskh.customers.services import create_customer

    ward = other_unit.service_areas.first().ward
    elsewhere = create_customer(
        full_name="Trần Thị Bình", phones=["0912888777"], ward_code=ward.code
    )
    mine = open_many(world, 3)
    theirs = open_many(world, 3, customer=elsewhere)
    seen = []
    cursor = None
    while True:
        page, cursor = selectors.search_page(
            unit_staff, "mat dien", kind="case", limit=2, cursor=cursor
        )
        seen += [h.id for h in page]
        if cursor is None:
            break
    assert seen == [c.number for c in reversed(mine)]
    assert not {c.number for c in theirs} & set(seen)
    # customers: only those with a case in the unit, on both databases
    assert [h.id for h in selectors.search(unit_staff, "tran thi binh")] == []
    assert [h.id for h in selectors.search(world["agent"], "tran thi binh")] == [elsewhere.pk]


def test_customer_becomes_visible_to_a_unit_when_a_case_moves_there(world, other_unit, unit_staff):
    from cskh.cases.services import assign
    from cskh.customers.services import create_customer

    ward = other_unit.service_areas.first().ward
    binh = create_customer(full_name="Trần Thị Bình", phones=["0912888777"], ward_code=ward.code)
    (case,) = open_many(world, 1, customer=binh)
    assert selectors.search(unit_staff, "tran thi binh") == []
    assign(case=case, unit=world["unit"], actor=world["agent"])
    assert [h.id for h in selectors.search(unit_staff, "tran thi binh")] == [binh.pk]


def test_bad_cursors_are_rejected(world):
    open_many(world, 1)
    for cursor, kind in [("xyz", "case"), ("WyJhIl0", "case"), ("WzFd", "customer")]:
        with pytest.raises(DomainError) as exc:
            selectors.search_page(world["agent"], "mat dien", kind=kind, cursor=cursor)
        assert exc.value.code == "bad_cursor" and exc.value.status == 400


def test_api_pages_cases_with_next_cursor(client, world):
    from tests.conftest import make_token

    cases = open_many(world, 3)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(world['agent'])}"
    r = client.get("/api/v1/search", {"q": "mat dien", "kind": "case", "limit": 2})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [i["id"] for i in body["items"]] == [cases[2].number, cases[1].number]
    r = client.get(
        "/api/v1/search", {"q": "mat dien", "kind": "case", "limit": 2, "cursor": body["next"]}
    )
    assert [i["id"] for i in r.json()["items"]] == [cases[0].number]
    assert r.json()["next"] is None
    r = client.get("/api/v1/search", {"q": "mat dien", "kind": "case", "cursor": "!!"})
    assert r.status_code == 400


def test_an_old_case_is_found_by_its_whole_number_in_the_global_search(world):
    """The global search looks at recent cases only for words; a case number goes to the
    keys (number stored as digits too), whatever the case's age."""
    first = open_many(world, 1)[0]
    for q in (first.number, first.number.lower().replace("-", " ")):
        hits = selectors.search(world["agent"], q)
        assert [h.id for h in hits if h.kind == "case"] == [first.number], q
