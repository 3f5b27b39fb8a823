"""A realistic hour of a 500-agent care center against one `cskh serve` (PostgreSQL).

Run it with `bench/locust/run.py` (it prepares the data, starts the server and prints p95 per
endpoint); this file only describes who does what, how often.

The rate, from the brief (issue #20 and the product brief): an agent takes 100–200 calls in an
8-hour shift, i.e. 12.5–25 calls an hour; we take the busy end, 25 calls/agent/hour.

    phone agents       400 × 25 calls/h           = 10,000 calls/h  = 2.78 calls/s
      per call: PBX ringing + answered + ended (3 API POSTs), the screen pop (GET pop),
      the card's case list, canned answers, the case logged (POST /desk/log), and two
      queue-view refreshes                       = 10 requests/call → 27.8 req/s
    written agents     100 × 12 conversations/h   = 1,200 conversations/h = 0.33/s
      per conversation: inbox list, conversation pane, 2 replies = 4 requests → 1.3 req/s
    portal customers   3,600 look-ups/h (tracking a request by number + last 4 digits of the
      phone, then the outage page)              = 1/s × 3 requests    → 3 req/s
    total                                                             ≈ 32 req/s

Each simulated person works at a constant pace (`constant_pacing`): one call every
3600/25 = 144 s for a phone agent, one conversation every 300 s for a written agent, one
look-up every 50 s for each of 50 portal "customers". The runner spawns them at
users/144 per second, so arrivals spread over the first pacing window, and resets the
statistics once everyone is working (`--reset-stats`): the figures are the steady state.

Not simulated: the agents' open live streams (/desk/live, idle SSE connections that cost no
thread; the screen-pop push latency is bench/bench_desk.py's), and sign-ins (the shift has
started: each agent's session is made by the runner, as the tests' `session_page` does).
"""

from __future__ import annotations

import json
import os
import random
import time

from locust import HttpUser, constant_pacing, task

DATA = json.loads(open(os.environ["CSKH_LOCUST_DATA"]).read())  # noqa: SIM115 — read once

CALLS_PER_AGENT_HOUR = 25
CONVERSATIONS_PER_WRITTEN_AGENT_HOUR = 12
LOOKUPS_PER_CUSTOMER_HOUR = 72  # 50 "customers" × 72 = 3,600 look-ups an hour
SCALE = float(os.environ.get("CSKH_LOCUST_SCALE", "1"))  # smoke runs: >1 compresses the hour

TYPES = ["billing", "billing", "outage", "meter", "payment"]
TEXTS = [
    "Khách hỏi về hóa đơn tháng {m}, tiền điện tăng cao so với tháng trước",
    "Mất điện từ {m} giờ sáng, cả dãy nhà đều mất",
    "Đề nghị kiểm tra công tơ, chỉ số nhảy bất thường tháng {m}",
    "Điện chập chờn, đèn nhấp nháy từ tối qua, tháng {m}",
]

_agents = iter(DATA["agents"])
_written = iter(DATA["written"])


def _pace(per_hour: float) -> float:
    return 3600.0 / per_hour / SCALE


class _Staff(HttpUser):
    abstract = True
    account: dict

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", self.account["session"])
        self.client.get("/desk/", name="(start) /desk/")  # sets the csrftoken cookie
        self.client.headers.update(
            {
                "X-CSRFToken": self.client.cookies.get("csrftoken") or "",
                "Referer": self.host + "/desk/",
                "HX-Request": "true",
            }
        )


class PhoneAgent(_Staff):
    """One call: the PBX rings, the card pops, the agent reads, logs the case, the call ends,
    the queue view refreshes."""

    fixed_count = len(DATA["agents"])
    wait_time = constant_pacing(_pace(CALLS_PER_AGENT_HOUR))

    def on_start(self) -> None:
        self.account = next(_agents)
        super().on_start()
        self.pbx = {"Authorization": f"Bearer {DATA['pbx_token']}"}

    def _event(self, call_id: str, event: str, phone: str) -> dict | None:
        with self.client.post(
            "/api/v1/telephony/events",
            json={
                "call_id": call_id,
                "event": event,
                "from_number": phone,
                "to_number": "19009000",
                "agent_extension": self.account["extension"],
            },
            headers=self.pbx,
            name=f"PBX event {event}",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}: {r.text[:120]}")
                return None
            return r.json()

    @task
    def call(self) -> None:
        customer = random.choice(DATA["customers"])
        call_id = f"locust-{self.account['extension']}-{time.time_ns()}"
        self._event(call_id, "ringing", customer["phone"])
        answered = self._event(call_id, "answered", customer["phone"])
        if not answered:
            return
        interaction = answered["interaction"]
        self.client.get(f"/desk/pop/{interaction}/", name="/desk/pop/[id]/ (screen pop)")
        self.client.get(
            f"/desk/customers/{customer['id']}/cases", name="/desk/customers/[id]/cases"
        )
        kind = random.choice(TYPES)
        self.client.get(
            "/desk/canned", params={"type": kind, "customer": customer["id"]}, name="/desk/canned"
        )
        month = random.randint(1, 12)
        with self.client.post(
            "/desk/log",
            data={
                "customer": customer["id"],
                "interaction": interaction,
                "type": kind,
                "description": random.choice(TEXTS).format(m=month),
                "priority": "3",
                "resolved": "on" if random.random() < 0.6 else "",
                "reply": "Đã giải thích và hướng dẫn khách hàng.",
            },
            name="/desk/log (case logged)",
            catch_response=True,
        ) as r:
            if r.status_code != 200 or "data-logged" not in r.text:
                r.failure(f"not logged: {r.status_code}")
        self._event(call_id, "ended", customer["phone"])
        for _ in range(2):
            self.client.get("/desk/queue/", name="/desk/queue/ (queue view)")


class WrittenAgent(_Staff):
    """One written conversation: the inbox, the conversation, two replies."""

    fixed_count = len(DATA["written"])
    wait_time = constant_pacing(_pace(CONVERSATIONS_PER_WRITTEN_AGENT_HOUR))

    def on_start(self) -> None:
        self.account = next(_written)
        super().on_start()
        self.client.headers["Referer"] = self.host + "/inbox/"

    @task
    def conversation(self) -> None:
        self.client.get("/inbox/", name="/inbox/ (written queue)")
        if not DATA["conversations"]:
            return
        conv = random.choice(DATA["conversations"])
        self.client.get(f"/inbox/c/{conv}/", name="/inbox/c/[id]/ (conversation)")
        for text in ("Dạ, em đã nhận thông tin của anh/chị.", "Em đã chuyển bộ phận kỹ thuật."):
            self.client.post(
                f"/inbox/c/{conv}/reply",
                data={"text": text, "public": "1"},
                name="/inbox/c/[id]/reply",
            )


class PortalCustomer(HttpUser):
    """A customer tracks a request on the public portal, then looks at the outage page. Each
    look-up comes from an address of its own (behind nginx the server reads it from
    X-Forwarded-For, trusted from 127.0.0.1 = FORWARDED_ALLOW_IPS), as real customers do: the
    per-address limits stay as they are."""

    fixed_count = DATA["portal_users"]
    wait_time = constant_pacing(_pace(LOOKUPS_PER_CUSTOMER_HOUR))

    @task
    def lookup(self) -> None:
        case = random.choice(DATA["cases"])
        address = f"100.{random.randint(64, 127)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        self.client.headers["X-Forwarded-For"] = address
        r = self.client.get("/khach-hang/tra-cuu/", name="/khach-hang/tra-cuu/ (form)")
        token = r.cookies.get("csrftoken") or self.client.cookies.get("csrftoken") or ""
        self.client.post(
            "/khach-hang/tra-cuu/",
            data={"number": case["number"], "last4": case["last4"], "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/khach-hang/tra-cuu/"},
            name="/khach-hang/tra-cuu/ (track)",
        )
        self.client.get("/khach-hang/su-co/", name="/khach-hang/su-co/ (outages)")
