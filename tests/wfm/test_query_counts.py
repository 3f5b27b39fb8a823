"""Query-count pins of the workforce pages: one agent or twenty cost the same."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cskh.org.services import create_user
from cskh.wfm.models import PresenceLog, Schedule, Shift
from cskh.wfm.services.schedules import ensure_patterns
from tests.querycounts import assert_one_and_many_cost_the_same, cache_without_sql

DAY = datetime(2026, 6, 15).date()


@pytest.fixture
def schedule(db):
    return Schedule.objects.create(first_day=DAY, last_day=DAY, created_at=timezone.now())


@pytest.mark.parametrize("url", ["/wfm/adherence/?day=2026-06-15", "/wfm/roster/"])
def test_pages_do_not_grow_with_agents(client, lead, center, schedule, settings, url):
    cache_without_sql(settings)
    pattern = ensure_patterns()[2]
    client.force_login(lead)
    start = timezone.make_aware(datetime(2026, 6, 15, 8, 0))

    def add(i):
        u = create_user(username=f"qc{i}", role="agent", unit=center, last_name="Ngô")
        Shift.objects.create(
            schedule=schedule,
            user=u,
            day=DAY,
            pattern=pattern,
            starts_at=start,
            ends_at=start + timedelta(hours=9),
        )
        PresenceLog.objects.create(user=u, state="available", at=start - timedelta(hours=1))
        PresenceLog.objects.create(user=u, state="on_call", at=start + timedelta(minutes=5))

    def fetch():
        r = client.get(url)
        assert r.status_code == 200
        return r.content.decode().count("<td>Ngô</td>")

    assert_one_and_many_cost_the_same(fetch, add)
