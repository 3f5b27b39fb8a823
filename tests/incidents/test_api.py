"""/api/v1/incidents through the test client: happy path and the error contract (4xx, nothing
changed)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.incidents.models import Incident, IncidentCase, IncidentEvent

JSON = "application/json"
pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Incident.objects.count(),
        IncidentEvent.objects.count(),
        list(Incident.objects.order_by("id").values_list("status", "eta")),
    )


def test_create_list_transition_and_cases(api_as, network, lead, report, ben_thanh):
    client = api_as(lead)
    eta = (timezone.now() + timedelta(hours=2)).isoformat()
    r = client.post(
        "/api/v1/incidents",
        content_type=JSON,
        data={
            "kind": "unplanned_outage",
            "title": "Sự cố tuyến F1",
            "scope": {"feeders": ["F1"]},
            "eta": eta,
            "public_message": "Đang khắc phục sự cố tuyến F1.",
        },
    )
    assert r.status_code == 201, r.text
    inc = r.json()
    assert inc["status"] == "confirmed" and inc["unit"] == "PC-SG"
    assert inc["scopes"] == [
        {"level": "feeder", "code": "F1", "ward": ben_thanh.code, "ward_name": ben_thanh.name}
    ]
    case = report(network["T2"][1])
    items = client.get(
        "/api/v1/incidents", query_params={"status": "active", "ward": str(ben_thanh.code)}
    ).json()["items"]
    assert [i["id"] for i in items] == [inc["id"]]
    assert client.get(
        "/api/v1/incidents", query_params={"status": "active", "ward": "Bến Thành"}
    ).json()["items"]
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/subscribers",
        content_type=JSON,
        data={"customer_id": network["T1"][0].pk},
    )
    assert r.status_code == 201 and r.json()["created"] is True
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/subscribers", content_type=JSON, data={"customer_id": 10**9}
    )
    assert r.status_code == 404
    cases = client.get(f"/api/v1/incidents/{inc['id']}/cases").json()
    assert [c["number"] for c in cases["items"]] == [case.number]
    assert cases["items"][0]["how"] == "at_creation"
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/transitions", content_type=JSON, data={"to": "restoring"}
    )
    assert r.status_code == 200 and r.json()["status"] == "restoring"
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/transitions",
        content_type=JSON,
        data={"to": "resolved", "note": "Xong"},
    )
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert Incident.objects.get(pk=inc["id"]).cascade_pending  # picked up by the task / tick
    assert client.get("/api/v1/incidents", query_params={"status": "active"}).json()["items"] == []


BAD_CREATES = [
    ({"kind": "alien", "title": "x", "scope": {"feeders": ["F1"]}}, 400, "bad_kind"),
    ({"title": "x", "scope": {}}, 400, "missing_scope"),
    ({"title": "x", "scope": {"transformers": ["NOPE"]}}, 400, "bad_scope"),
    ({"title": "x", "scope": {"wards": [1]}}, 400, "bad_scope"),
    ({"title": "   ", "scope": {"feeders": ["F1"]}}, 400, "missing_title"),
    ({"title": "x", "scope": {"feeders": ["F1"]}, "status": "resolved"}, 400, "bad_status"),
    ({"title": "x", "scope": {"feeders": ["F1"]}, "unit": "NOPE"}, 400, "bad_unit"),
    (
        {
            "title": "x",
            "scope": {"feeders": ["F1"]},
            "started_at": "2026-01-02T10:00:00+07:00",
            "eta": "2026-01-02T09:00:00+07:00",
        },
        400,
        "bad_eta",
    ),
    ({"title": "x"}, 422, "validation"),
    ({"title": "x", "scope": {"feeders": "F1", "wards": ["abc"]}}, 422, "validation"),
]


def test_create_errors_change_nothing(api_as, network, lead, agent):
    client = api_as(lead)
    before = snapshot()
    for payload, status, code in BAD_CREATES:
        r = client.post("/api/v1/incidents", content_type=JSON, data=payload)
        assert r.status_code == status, (payload, r.text)
        assert r.json()["code"] == code and r.json()["detail"], payload
        assert snapshot() == before, payload
    ok = {"title": "x", "scope": {"feeders": ["F1"]}}
    assert api_as(agent).post("/api/v1/incidents", content_type=JSON, data=ok).status_code == 403
    assert api_as().post("/api/v1/incidents", content_type=JSON, data=ok).status_code in (401, 403)
    assert snapshot() == before


def test_transition_errors_change_nothing(api_as, network, lead, agent, report):
    from cskh.incidents.services import create_incident

    inc = create_incident(
        kind="unplanned_outage", title="Sự cố T9", scope={"transformers": ["T9"]}, actor=lead
    )
    client = api_as(lead)
    before = snapshot()
    cases = [
        (client, f"/api/v1/incidents/{inc.pk}/transitions", {"to": "suspected"}, 409),
        (client, f"/api/v1/incidents/{inc.pk}/transitions", {"to": "bogus"}, 400),
        (client, f"/api/v1/incidents/{inc.pk}/transitions", {"to": "merged"}, 400),
        (client, f"/api/v1/incidents/{inc.pk}/transitions", {"to": "cancelled"}, 409),
        (
            client,
            f"/api/v1/incidents/{inc.pk}/transitions",
            {"to": "merged", "merge_into": inc.pk},
            400,
        ),
        (client, f"/api/v1/incidents/{inc.pk}/transitions", {"to": "restoring", "eta": "x"}, 422),
        (
            client,
            f"/api/v1/incidents/{inc.pk}/transitions",
            {"to": "restoring", "eta": "2000-01-01T00:00:00Z"},
            400,
        ),
        (client, "/api/v1/incidents/999999/transitions", {"to": "resolved"}, 404),
        (api_as(agent), f"/api/v1/incidents/{inc.pk}/transitions", {"to": "resolved"}, 403),
        (api_as(), f"/api/v1/incidents/{inc.pk}/transitions", {"to": "resolved"}, (401, 403)),
    ]
    for c, url, body, status in cases:
        r = c.post(url, content_type=JSON, data=body)
        assert r.status_code in (status if isinstance(status, tuple) else (status,)), r.text
        assert "detail" in r.json()
        assert snapshot() == before, body
    assert client.get("/api/v1/incidents/999999/cases").status_code == 404
    assert client.get("/api/v1/incidents", query_params={"status": "nope"}).status_code == 400
    assert (
        client.get("/api/v1/incidents", query_params={"ward": "Phường Không Có"}).status_code == 400
    )
    assert IncidentCase.objects.count() == 0
