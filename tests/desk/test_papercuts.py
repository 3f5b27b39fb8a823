"""Small things an agent or lead reads on every call (#21): one phone format, the ward once,
dates with their year, channel labels, a due-soon tile that counts its own list, and a name
search that does not talk about "this number"."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _open(world, minutes_ago=0, type_code="outage"):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type

    return open_case(
        customer=world["customer"],
        case_type=get_case_type(type_code),  # outage: 24/7, 120 minutes
        description="Mất điện cả khu phố",
        actor=world["agent"],
        at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_card_prints_phone_ward_once_and_dates_with_the_year(world, client):
    case = _open(world)
    client.force_login(world["agent"])
    html = client.get(f"/desk/customers/{world['customer'].pk}/card").content.decode()
    assert "0901 234 567" in html and "+84901234567" not in html
    assert html.count("Phường Bến Thành") == 1
    due = timezone.localtime(case.due_at).strftime("%H:%M %d/%m/%Y")
    assert due in html


def test_case_timeline_labels_the_channel(world, client):
    from cskh.cases.models import CaseEvent

    case = _open(world)
    CaseEvent.objects.create(
        case=case,
        kind="interaction",
        data={"channel": "phone", "duration": 42},
        created_at=timezone.now(),
    )
    client.force_login(world["agent"])
    html = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "Điện thoại · 42s" in html and re.search(r">\s*phone\b", html) is None


def test_due_soon_tile_counts_the_list_it_opens(world, lead, client):
    from cskh.desk import selectors

    overdue = _open(world, minutes_ago=180)
    soon = _open(world, minutes_ago=30)
    client.force_login(lead)
    html = client.get("/desk/supervisor/").content.decode()
    tile = re.search(r'<span class="n">(\d+)</span><span>Sắp đến hạn', html)
    assert tile and tile.group(1) == "1"
    rows, _cursor = selectors.queue(lead, view="due")
    assert [c.pk for c in rows] == [soon.pk]
    assert overdue.pk not in [c.pk for c in rows]


def test_name_search_pick_list_does_not_speak_of_a_number(world, client):
    from cskh.customers.services import create_customer

    create_customer(full_name="Nguyễn Văn An", phones=["0912 345 678"], address="5 Lý Tự Trọng")
    client.force_login(world["agent"])
    html = client.get("/desk/customers/find", {"q": "Nguyễn Văn An"}).content.decode()
    assert "khớp với" in html and "dùng số này" not in html
    assert 'value="Nguyễn Văn An"' not in html  # the name is not offered as a phone number
