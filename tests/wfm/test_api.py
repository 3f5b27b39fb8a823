"""GET /api/v1/wfm/erlang and /api/v1/wfm/staffing."""

import pytest

REF = "calls=100&interval_minutes=30&aht_seconds=180&target_seconds=20"


@pytest.fixture
def lead_api(api_as, lead):
    return api_as(lead)


def test_erlang_c(lead_api):
    r = lead_api.get(f"/api/v1/wfm/erlang?model=c&agents=14&{REF}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"p_wait", "service_level", "asa_seconds", "occupancy", "p_abandon"}
    assert round(body["p_wait"], 4) == 0.1741
    assert round(body["service_level"], 4) == 0.8884
    assert round(body["asa_seconds"], 2) == 7.84
    assert round(body["occupancy"], 4) == 0.7143
    assert body["p_abandon"] is None


def test_erlang_a(lead_api):
    r = lead_api.get(f"/api/v1/wfm/erlang?model=a&agents=14&patience_seconds=300&{REF}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert round(body["p_abandon"], 4) == 0.0140
    assert round(body["service_level"], 4) == 0.9168


def test_staffing(lead_api):
    r = lead_api.get(
        f"/api/v1/wfm/staffing?model=c&service_level=0.8&max_occupancy=0.85&shrinkage=0.3&{REF}"
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["agents"], body["rostered"]) == (14, 20)
    assert set(body) == {
        "agents",
        "rostered",
        "service_level",
        "occupancy",
        "asa_seconds",
        "p_abandon",
    }


@pytest.mark.parametrize(
    "query",
    [
        "erlang?model=c&agents=14&calls=-5&interval_minutes=30&aht_seconds=180",
        "erlang?model=c&agents=14&calls=100&interval_minutes=0&aht_seconds=180",
        "erlang?model=c&agents=5&calls=100&interval_minutes=30&aht_seconds=180",  # A ≥ N
        "erlang?model=a&agents=14&calls=100&interval_minutes=30&aht_seconds=180",  # no patience
        "erlang?model=x&agents=14&calls=100&interval_minutes=30&aht_seconds=180",
        "erlang?model=a&agents=14&calls=100&aht_seconds=180&patience_seconds=-1",
        "erlang?model=c&agents=0&calls=100&interval_minutes=30&aht_seconds=180",
        "staffing?model=c&calls=1000000000&aht_seconds=180",
        "staffing?model=c&calls=100&aht_seconds=180&service_level=1",
        "staffing?model=c&calls=100&aht_seconds=180&shrinkage=1",
        "staffing?model=c&calls=100&aht_seconds=180&target_seconds=99999999",
        "staffing?model=a&calls=100000&aht_seconds=180&patience_seconds=1e9",
    ],
)
def test_bad_parameters_are_400_in_vietnamese(lead_api, query):
    r = lead_api.get(f"/api/v1/wfm/{query}")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "bad_parameters"
    assert r.json()["detail"]


def test_agents_may_not_use_the_calculator(api_as, agent):
    r = api_as(agent).get(f"/api/v1/wfm/erlang?model=c&agents=14&{REF}")
    assert r.status_code == 403


def test_anonymous_is_401(client):
    r = client.get(f"/api/v1/wfm/erlang?model=c&agents=14&{REF}")
    assert r.status_code == 401
