"""The QA dashboard: per agent and team figures, weekly trend, scope per role."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world, lead, case, scorecard):
    """Reviews of two agents in two teams over two weeks (one calibration copy, one pending)."""
    from cskh.org.services import create_unit, create_user
    from cskh.qa.models import AttitudeFlag, Review
    from cskh.qa.services import week_start

    team = create_unit(code="TO2", name="Tổ 2", kind="team")
    other = create_user(username="a2", password="Matkhau!2026", role="agent", unit=team)
    this = week_start(timezone.localdate())
    last = this - timedelta(weeks=1)
    now = timezone.now()

    def review(agent, week, score, status="acknowledged", failed=False, sample="random"):
        return Review(
            case=case,
            agent=agent,
            reviewer=lead,
            scorecard=scorecard,
            sample=sample,
            week=week,
            status=status,
            score=Decimal(score),
            auto_failed=failed,
            created_at=now,
        )

    Review.objects.bulk_create(
        [
            review(world["agent"], last, "80"),
            review(world["agent"], last, "0", status="disputed", failed=True),
            review(world["agent"], this, "90", status="scored"),
            review(world["agent"], this, "10", sample="calibration"),  # not counted
            review(other, this, "70"),
        ]
    )
    Review.objects.create(
        case=case, agent=other, scorecard=scorecard, sample="random", week=this, created_at=now
    )  # pending: no score, not counted
    AttitudeFlag.objects.create(agent=other, codes=["rude"], score=0.9, excerpt="x", created_at=now)
    return {"agent": world["agent"], "other": other, "team": team, "this": this, "last": last}


def test_figures_per_agent_team_and_week(history):
    from cskh.qa.selectors import dashboard

    h = history
    data = dashboard(agent_ids=None, unit_ids=None, since=h["last"], until=h["this"])
    agents = {a["id"]: a for a in data["agents"]}
    mine = agents[h["agent"].pk]
    assert (mine["n"], mine["avg"], mine["fails"], mine["acked"], mine["disputed"]) == (
        3,
        56.7,
        1,
        1,
        1,
    )
    assert mine["fail_rate"] == 33.3 and mine["flags"] == 0
    assert (agents[h["other"].pk]["avg"], agents[h["other"].pk]["flags"]) == (70.0, 1)
    teams = {t["unit"]: t for t in data["teams"]}
    assert teams["Tổ 2"]["n"] == 1 and teams["Trung tâm CSKH"]["avg"] == 56.7
    trend = {t["week"]: t for t in data["trend"]}
    assert (trend[h["last"]]["n"], trend[h["last"]]["score"]) == (2, 40.0)
    assert (trend[h["this"]]["n"], trend[h["this"]]["score"]) == (2, 80.0)
    assert data["total"] == {"n": 4, "avg": 60.0, "flags": 1}
    scoped = dashboard(agent_ids=None, unit_ids={h["team"].pk}, since=h["last"], until=h["this"])
    assert [a["id"] for a in scoped["agents"]] == [h["other"].pk]


def test_page_scope_per_role(client, history, lead):
    from cskh.org.services import create_user

    h = history
    client.force_login(lead)  # the center's lead: the center's people only
    page = client.get("/qa/dashboard/?weeks=4").content.decode()
    # the other agent's cell, not the bare "a2" a random CSRF token can contain
    assert "Trần Lan" in page and ">a2</td>" not in page and "<polyline" in page
    client.force_login(create_user(username="ql", password="x", role="manager"))
    page = client.get(f"/qa/dashboard/?unit={h['team'].pk}").content.decode()
    assert ">a2</td>" in page and "Trần Lan" not in page
    client.force_login(h["other"])  # an agent: their own figures only
    page = client.get("/qa/dashboard/").content.decode()
    assert 'data-testid="total-n">1<' in page and "Trần Lan" not in page
    assert client.get("/qa/dashboard/?weeks=abc").status_code == 200
