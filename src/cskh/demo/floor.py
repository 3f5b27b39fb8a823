"""The live part of a fresh demo: what the field-unit, incident and planned-outage screens show
on the first login, built through the apps' own services (so every journal, timeline, SLA clock
and outbox row is what production would write).

- the README's example customer (phone EXAMPLE_PHONE) with a meter on the network;
- work orders in every state for the busiest field units;
- a confirmed outage (everyone on its transformer told, with the ETA) and a suspected one
  waiting for the shift lead;
- planned outages next week (the public schedule and the idle desk show them).

A few hundred service calls: about a second at any demo size (it never scans the history).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from cskh.cases import services as cases
from cskh.cases.models import Case
from cskh.cases.states import OPEN_STATUSES
from cskh.catalog.models import CaseType
from cskh.customers import services as customers
from cskh.customers.models import Phone, ServicePoint
from cskh.demo.org import OrgInfo
from cskh.dispatch import services as dispatch
from cskh.geo.models import Ward
from cskh.incidents import services as incidents
from cskh.incidents.importer import Row
from cskh.incidents.models import Incident
from cskh.org.models import Unit, User
from cskh.telephony import services as telephony

EXAMPLE_PHONE = "0901234567"  # the README's API example
EXAMPLE_NAME = "Nguyễn Văn An"

# Rounds of work orders that take every state; the next cases stay "sent".
UNITS_WITH_EVERY_STATE = 2


def build(
    *, profile: str, org: OrgInfo, now: datetime, seed: int, log: Callable[[str], None]
) -> dict[str, Any]:
    rng = random.Random(seed * 7919 + 21)
    lead = User.objects.filter(role=User.Role.SHIFT_LEAD).order_by("pk").first()
    out: dict[str, Any] = {"example_customer": _example_customer(profile, now)}
    out["work_orders"] = _work_orders(org, lead, now, rng)
    out.update(_incidents(profile, lead, now))
    out["planned"] = _planned(now, rng)
    out["callbacks"] = _callbacks(now, rng)
    log(
        "[demo]   live floor: {wo} work orders, incident {live} confirmed, {sus} suspected, "
        "{planned} planned outages next week, {cb} callbacks promised, "
        "example customer {ex}".format(
            wo=sum(out["work_orders"].values()),
            live=out.get("confirmed", "—"),
            sus=out.get("suspected", "—"),
            planned=out["planned"],
            cb=out["callbacks"],
            ex=EXAMPLE_PHONE,
        )
    )
    return out


def _example_customer(profile: str, now: datetime) -> str:
    """The customer the README's `curl … ?phone=0901234567` finds, on a real transformer."""
    e164 = "+84" + EXAMPLE_PHONE[1:]
    existing = Phone.objects.filter(e164=e164).select_related("customer").first()
    if existing is not None:
        return existing.customer.code
    sp = (
        ServicePoint.objects.exclude(transformer_code="")
        .select_related("ward")
        .order_by("pk")
        .first()
    )
    ward = sp.ward if sp is not None else None
    customer = customers.create_customer(
        full_name=EXAMPLE_NAME,
        phones=[EXAMPLE_PHONE],
        ward_code=ward.code if ward else None,
        # the demo's code and address formats (unit number 00 is never a unit's)
        code="PE00000000001" if profile == "electricity" else "HCM-HD-00000000",
        address=f"12 Lê Lợi, {ward.name}, Thành phố Hồ Chí Minh" if ward else "12 Lê Lợi",
        email="nguyenvanan@example.vn",
    )
    if sp is not None:
        customers.add_service_point(
            customer=customer,
            code=f"{sp.code[:2]}9{customer.code[-10:]}",  # from the code, not the pk (stable)
            kind=sp.kind,
            ward=sp.ward,
            feeder_code=sp.feeder_code,
            transformer_code=sp.transformer_code,
        )
    return customer.code


def _callbacks(now: datetime, rng: random.Random) -> int:
    """Callbacks the first agents promised today: some due within the hour (the desk reminds
    them), some later today or tomorrow, one already made."""
    agents = list(User.objects.filter(role=User.Role.AGENT, is_active=True).order_by("pk")[:5])
    phones = list(Phone.objects.select_related("customer").order_by("pk")[:40])
    if not agents or not phones:
        return 0
    notes = (
        "Khách hẹn gọi lại sau giờ làm để báo kết quả kiểm tra.",
        "Gọi lại xác nhận lịch kỹ thuật đến nhà.",
        "Khách đang bận, hẹn gọi lại để tư vấn gói cước.",
        "Báo khách tiến độ xử lý hóa đơn.",
    )
    n = 0
    for i, agent in enumerate(agents):
        for k, minutes in enumerate((25 + 10 * i, 180 + 30 * i, 60 * 22)):
            phone = phones[(3 * i + k) % len(phones)]
            row = telephony.schedule_callback(
                actor=agent,
                customer=phone.customer,
                due_at=now + timedelta(minutes=minutes),
                phone=phone.e164,
                note=rng.choice(notes),
                now=now,
            )
            n += 1
            if i == 0 and k == 2:
                telephony.finish_scheduled_callback(callback=row, actor=agent)
    return n


STATES = ("sent", "accepted", "in_progress", "done", "rejected", "redispatched", "cancelled")


DESCRIPTIONS = {
    "meter": "Công tơ nhà tôi chạy nhanh bất thường, nhờ kiểm tra giúp.",
    "billing": "Hóa đơn tháng này tăng gấp đôi, nhờ kiểm tra chỉ số.",
    "new_connection": "Tôi muốn đăng ký lắp đặt mới cho nhà trọ.",
    "contract_change": "Tôi cần sang tên hợp đồng cho chủ nhà mới.",
    "hazard": "Dây điện trước nhà bị võng thấp, rất nguy hiểm.",
    "equipment": "Modem nhà tôi hỏng đèn, cần đổi thiết bị.",
    "relocation": "Tôi chuyển nhà, cần dời dịch vụ sang địa chỉ mới.",
    "new_service": "Tôi muốn nâng cấp gói cước và lắp thêm truyền hình.",
}


def _new_field_cases(org: OrgInfo, n: int, now: datetime, rng: random.Random) -> list[Case]:
    """Today's calls about field work (not outages: those group into incidents)."""
    types = list(
        CaseType.objects.filter(
            profile__is_active=True, handler_unit_kind="field", groups_incidents=False
        ).order_by("sort_order")
    )
    points = list(
        ServicePoint.objects.filter(ward__isnull=False)
        .select_related("customer")
        .order_by("pk")[: 40 * n]
    )
    if not types or not points:
        return []
    out = []
    for i, sp in enumerate(rng.sample(points, min(n, len(points)))):
        ct = types[i % len(types)]
        case = cases.open_case(
            customer=sp.customer,
            case_type=ct,
            description=DESCRIPTIONS.get(ct.code, "Nhờ đơn vị đến kiểm tra tại nhà."),
            service_point=sp,
            at=now - timedelta(minutes=13 * (i + 1)),
        )
        if case.unit_id in org.staff and case.is_open:
            out.append(case)
    return out


def _work_orders(
    org: OrgInfo, lead: User | None, now: datetime, rng: random.Random
) -> dict[str, int]:
    """The newest open field cases: the first rounds take every state in turn, the rest stay
    "sent" (a unit's morning inbox)."""
    counts: dict[str, int] = {}
    agent = lead or (org.agents[0] if org.agents else None)
    units = list(Unit.objects.filter(pk__in=list(org.staff)).order_by("pk"))
    cases_ = list(
        Case.objects.filter(
            unit_id__in=list(org.staff),
            is_open=True,
            status__in=OPEN_STATUSES,
            case_type__handler_unit_kind="field",
            work_orders__isnull=True,
        )
        .exclude(status="waiting_customer")
        .order_by("-created_at")[: len(STATES) * UNITS_WITH_EVERY_STATE + len(units)]
    )
    wanted = len(STATES) * UNITS_WITH_EVERY_STATE + len(units)
    if len(cases_) < wanted:  # a small demo has few open field cases: today's calls add some
        cases_ += _new_field_cases(org, wanted - len(cases_), now, rng)
    for i, case in enumerate(cases_):
        state = STATES[i % len(STATES)] if i < len(STATES) * UNITS_WITH_EVERY_STATE else "sent"
        staff = org.staff.get(case.unit_id or 0)
        if staff is None:
            continue
        wo = dispatch.dispatch_case(
            case=case,
            actor=agent,
            instructions="Kiểm tra tại nhà khách hàng, gọi trước khi đến.",
            check_permission=agent is not None,
        )
        if state in ("accepted", "in_progress", "done"):
            wo = dispatch.accept(work_order=wo, actor=staff)
        if state in ("in_progress", "done"):
            wo = dispatch.add_progress_note(work_order=wo, actor=staff, on_the_way=True)
        if state == "done":
            dispatch.complete(
                work_order=wo,
                actor=staff,
                resolution="Đã kiểm tra và khắc phục tại chỗ, khách hàng xác nhận.",
            )
        elif state == "rejected":
            dispatch.reject(
                work_order=wo, actor=staff, reason="Địa chỉ không thuộc địa bàn đơn vị."
            )
        elif state == "redispatched":
            others = [u for u in units if u.pk != case.unit_id]
            if not others:
                continue
            dispatch.redispatch(
                work_order=wo,
                unit=rng.choice(others),
                actor=agent,
                reason="Khách hàng ở địa bàn khác.",
            )
        elif state == "cancelled":
            dispatch.cancel(work_order=wo, actor=agent, reason="Khách hàng báo sự cố đã tự hết.")
        counts[state] = counts.get(state, 0) + 1
    return dict(sorted(counts.items()))


REPORTS = {
    "electricity": "Khu vực nhà tôi mất điện từ nãy đến giờ, hàng xóm cũng vậy.",
    "telecom": "Nhà tôi mất mạng, đèn LOS đỏ từ nãy đến giờ, hàng xóm cũng vậy.",
}


def _incidents(profile: str, lead: User | None, now: datetime) -> dict[str, Any]:
    """Three reports on each of two transformers: detection opens two suspected incidents;
    the lead confirms the first (everyone on it is told, with the ETA)."""
    grouping = (
        CaseType.objects.filter(profile__code=profile, groups_incidents=True)
        .order_by("sort_order")
        .first()
    )
    if grouping is None:
        return {}
    busy: list[str] = []
    feeders: set[str] = set()
    for feeder, code in (  # two transformers on different feeders: no feeder escalation
        ServicePoint.objects.exclude(transformer_code="")
        .values("feeder_code", "transformer_code")
        .annotate(n=Count("pk"))
        .filter(n__gte=4)
        .order_by("-n", "transformer_code")
        .values_list("feeder_code", "transformer_code")[:50]
    ):
        if feeder not in feeders:
            feeders.add(feeder)
            busy.append(code)
        if len(busy) == 2:
            break
    out: dict[str, Any] = {}
    for k, code in enumerate(busy):
        points = list(
            ServicePoint.objects.filter(transformer_code=code)
            .select_related("customer")
            .order_by("pk")[:3]
        )
        for j, sp in enumerate(points):
            cases.open_case(
                customer=sp.customer,
                case_type=grouping,
                description=REPORTS.get(profile, REPORTS["electricity"]),
                service_point=sp,
                at=now - timedelta(minutes=40 - 5 * j - k),
            )
    live = list(Incident.objects.filter(status=Incident.Status.SUSPECTED).order_by("pk"))
    if live:
        confirmed = incidents.transition(
            incident=live[0], to=Incident.Status.CONFIRMED, actor=lead, note="Đã xác minh."
        )
        out["confirmed"] = confirmed.code
    if len(live) > 1:
        out["suspected"] = live[1].code
    return out


def _planned(now: datetime, rng: random.Random) -> int:
    """Planned outages next week on a few transformers, through the schedule import."""
    start_day = timezone.localtime(now).replace(hour=7, minute=30, second=0, microsecond=0)
    start_day += timedelta(days=7 - start_day.weekday())  # next Monday
    seen = dict(  # transformer → one of its wards (a GROUP BY, not a scan in Python)
        ServicePoint.objects.exclude(transformer_code="")
        .exclude(ward__isnull=True)
        .values("transformer_code")
        .annotate(ward=Min("ward_id"))
        .order_by("transformer_code")
        .values_list("transformer_code", "ward")[:40]
    )
    chosen = rng.sample(sorted(seen), min(4, len(seen)))
    wards = dict(Ward.objects.filter(pk__in=[seen[c] for c in chosen]).values_list("pk", "name"))
    rows = []
    for i, code in enumerate(chosen):
        ward_id = seen[code]
        start = start_day + timedelta(days=i)
        rows.append(
            Row(
                line=i + 1,
                code=f"DEMO-{start:%y%m%d}-{i + 1}",
                ward_id=ward_id,
                area_label=wards.get(ward_id, code),
                level="transformer",
                scope_code=code,
                start=start,
                end=start + timedelta(hours=4, minutes=30),
                reason="Bảo trì, thay thiết bị định kỳ.",
            )
        )
    if not rows:
        return 0
    return int(incidents.import_planned(rows=rows, filename="demo")["created"])


__all__ = ["EXAMPLE_PHONE", "build"]
