"""POST /api/v1/telephony/events through Django's test client."""

from datetime import timedelta

import pytest
from django.utils import timezone

JSON = "application/json"

pytestmark = pytest.mark.django_db

URL = "/api/v1/telephony/events"


def ev(call_id, event, number="0901234567", **kw):
    body = {"call_id": call_id, "event": event, "from_number": number, "to_number": "19001006"}
    body.setdefault("agent_extension", "1001")
    body.update(kw)
    return body


@pytest.mark.parametrize(
    "number", ["0901234567", "+84901234567", "84901234567", "0901 234 567", "090.123.4567"]
)
def test_ringing_any_vietnamese_format_finds_the_customer(world, pbx_client, number):
    from cskh.cases.models import Interaction

    r = pbx_client.post(URL, content_type=JSON, data=ev("c-" + number, "ringing", number))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["duplicate"] is False
    assert body["customers"] == [world["customer"].pk]
    inter = Interaction.objects.get(pk=body["interaction"])
    assert inter.from_address == "+84901234567"
    assert inter.customer_id == world["customer"].pk
    assert inter.agent_id == world["agent"].pk


def test_replay_is_idempotent(world, pbx_client):
    from cskh.cases.models import Interaction
    from cskh.telephony.models import CallEvent

    first = pbx_client.post(URL, content_type=JSON, data=ev("dup-1", "ringing"))
    assert first.status_code == 200
    again = pbx_client.post(URL, content_type=JSON, data=ev("dup-1", "ringing"))
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert Interaction.objects.filter(external_id="dup-1").count() == 1
    assert CallEvent.objects.filter(call_id="dup-1").count() == 1


@pytest.mark.parametrize(
    "body,status,code",
    [
        (ev("x1", "ringing", agent_extension="9999"), 404, "unknown_agent"),
        (ev("x2", "ringing", "12345"), 400, "bad_phone"),
        (ev("x3", "ringing", "09012345678901"), 400, "bad_phone"),
        ({"event": "ringing", "from_number": "0901234567"}, 400, "missing_fields"),
        (ev("x4", "transferred"), 400, "bad_event"),
        (ev("x5", "ringing", agent_extension=None), 400, "missing_agent"),
        (ev("x6", "ringing", at="not a date"), 400, "bad_at"),
        (ev("x7", "ringing", at="2026-13-45T99:00:00"), 400, "bad_at"),
    ],
)
def test_bad_events_get_4xx_json_and_are_logged(world, pbx_client, body, status, code, caplog):
    from cskh.cases.models import Interaction

    r = pbx_client.post(URL, content_type=JSON, data=body)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert r.json()["detail"]
    assert not Interaction.objects.exists()
    assert any("rejected call event" in rec.getMessage() for rec in caplog.records)


def test_only_integration_tokens(world, api_as):
    r = api_as(world["agent"]).post(URL, content_type=JSON, data=ev("a1", "ringing"))
    assert r.status_code == 403
    assert api_as().post(URL, content_type=JSON, data=ev("a2", "ringing")).status_code in (401, 403)


def test_ended_stores_duration_links_cases_and_sets_after_call_work(world, pbx_client):
    from cskh.cases.models import Interaction
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type
    from cskh.telephony.selectors import presence_state

    t0 = timezone.now() - timedelta(minutes=3)
    assert (
        pbx_client.post(
            URL, content_type=JSON, data=ev("call-9", "ringing", at=t0.isoformat())
        ).status_code
        == 200
    )
    r = pbx_client.post(
        URL,
        content_type=JSON,
        data=ev("call-9", "answered", at=(t0 + timedelta(seconds=5)).isoformat()),
    )
    assert r.status_code == 200
    assert presence_state(world["agent"]) == "on_call"
    inter = Interaction.objects.get(external_id="call-9")
    linked = open_case(
        customer=world["customer"],
        case_type=get_case_type("outage"),
        description="Mất điện cả xóm",
        actor=world["agent"],
        interaction=inter,
    )
    # logged during the call from another tab without the interaction id: linked at the end
    unlinked = open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="Hỏi hóa đơn tháng này",
        actor=world["agent"],
    )
    r = pbx_client.post(
        URL,
        content_type=JSON,
        data=ev(
            "call-9",
            "ended",
            at=(t0 + timedelta(seconds=185)).isoformat(),
            recording_url="https://pbx.example.vn/rec/call-9.mp3",
        ),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["duration_seconds"] == 180
    assert sorted(body["cases"]) == sorted([linked.number, unlinked.number])
    inter.refresh_from_db()
    assert inter.state == "ended"
    assert inter.recording_url.endswith("call-9.mp3")
    assert presence_state(world["agent"]) == "after_call_work"
    # replayed end changes nothing
    again = pbx_client.post(URL, content_type=JSON, data=ev("call-9", "ended"))
    assert again.json()["duplicate"] is True
    inter.refresh_from_db()
    assert inter.duration_seconds == 180


def test_missed_calls_merge_per_number_per_day(world, pbx_client):
    from cskh.telephony.models import CallbackTask

    for i, fmt in enumerate(["0912 345 678", "+84912345678", "84.912.345.678"]):
        r = pbx_client.post(
            URL, content_type=JSON, data=ev(f"m-{i}", "missed", fmt, agent_extension=None)
        )
        assert r.status_code == 200, r.text
        assert r.json()["callback_count"] == i + 1
    other = pbx_client.post(
        URL, content_type=JSON, data=ev("m-x", "missed", "0987654321", agent_extension=None)
    )
    assert other.json()["callback_count"] == 1
    tasks = list(CallbackTask.objects.order_by("id"))
    assert [(t.from_e164, t.count) for t in tasks] == [("+84912345678", 3), ("+84987654321", 1)]
    assert tasks[0].unit == world["center"]
    assert tasks[0].status == "open"
    # a replayed miss does not count twice
    pbx_client.post(
        URL, content_type=JSON, data=ev("m-0", "missed", "0912345678", agent_extension=None)
    )
    assert CallbackTask.objects.get(from_e164="+84912345678").count == 3


def test_by_username_and_unknown_caller(world, pbx_client):
    r = pbx_client.post(
        URL,
        content_type=JSON,
        data=ev("u-1", "answered", "0933000111", agent_extension=None, agent_username="tvv01"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["customers"] == []


def test_presence_api_set_by_agent_visible_to_lead(world, lead, api_as):
    agent = api_as(world["agent"])
    r = agent.post("/api/v1/desk/presence", content_type=JSON, data={"state": "available"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "available"
    assert (
        agent.post("/api/v1/desk/presence", content_type=JSON, data={"state": "asleep"}).status_code
        == 400
    )
    assert agent.get("/api/v1/desk/team").status_code == 403
    rows = {row["user"]: row["state"] for row in api_as(lead).get("/api/v1/desk/team").json()}
    assert rows["tvv01"] == "available"
