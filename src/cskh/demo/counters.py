"""Transaction offices for the demo: one office per field unit (up to three), its services and
counters, a counter officer each, and a year of ticket history (bulk inserts) whose waiting
times come from a small queue simulation: arrivals peak at 8–10 h and 14–15 h, each service
has its own counters and service-time distribution, so the figures page shows the morning
queue and the no-shows. Today's queue gets a few waiting walk-ins through the services."""

from __future__ import annotations

import heapq
import math
import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cskh.core import dbstats
from cskh.demo import data

# (letter, name, median service minutes, counters serving it)
SERVICES = {
    "electricity": [
        ("A", "Thanh toán tiền điện", 3.0, (1, 2)),
        ("B", "Hợp đồng mua bán điện, cấp điện mới", 12.0, (3,)),
        ("C", "Khiếu nại, kiến nghị, thay đổi thông tin", 8.0, (4,)),
    ],
    "telecom": [
        ("A", "Thanh toán cước", 3.0, (1, 2)),
        ("B", "Đăng ký, thay đổi dịch vụ", 10.0, (3,)),
        ("C", "SIM, thiết bị, khiếu nại", 8.0, (4,)),
    ],
}
# share of the day's arrivals per hour (07:30–11:30, 13:00–17:00)
HOURS = {7: 0.6, 8: 1.6, 9: 1.7, 10: 1.3, 11: 0.5, 13: 0.8, 14: 1.4, 15: 1.2, 16: 0.8}
SERVICE_MIX = (0.62, 0.18, 0.20)
NO_SHOW = 0.04


def build(
    *, profile: str, seed: int, now: datetime, days: int = 365, per_day: int = 130
) -> dict[str, int]:
    from cskh.counters.models import Counter, Office, Service, Ticket
    from cskh.org.models import ServiceArea, Unit, User

    rng = random.Random(seed + 15)
    units = list(Unit.objects.filter(kind=Unit.Kind.FIELD, is_active=True).order_by("code")[:3])
    specs = SERVICES.get(profile, SERVICES["electricity"])
    password = make_password(data.DEMO_PASSWORD)
    offices = []
    with transaction.atomic():
        for i, unit in enumerate(units, start=1):
            area = ServiceArea.objects.filter(unit=unit).select_related("ward").first()
            office, _created = Office.objects.get_or_create(
                code=f"PGD{i:02d}",
                defaults={
                    "name": f"Phòng giao dịch {unit.name}",
                    "unit": unit,
                    "ward": area.ward if area else None,
                    "address": f"{10 + 7 * i} Nguyễn Huệ" + (f", {area.ward.name}" if area else ""),
                },
            )
            services = {}
            for letter, name, _m, _c in specs:
                services[letter], _ = Service.objects.get_or_create(
                    office=office, letter=letter, defaults={"name": name}
                )
            for n in range(1, 5):
                counter, _ = Counter.objects.get_or_create(
                    office=office, number=n, defaults={"name": f"Quầy {n}"}
                )
                serves = [services[s[0]] for s in specs if n in s[3]]
                if n == 4:
                    serves = list(services.values())  # the last counter helps every queue
                counter.services.set(serves)
            username = f"gdv{i:02d}"
            if not User.objects.filter(username=username).exists():
                User.objects.create(
                    username=username,
                    password=password,
                    role=User.Role.COUNTER_STAFF,
                    unit=unit,
                    first_name=["Hoa", "Nam", "Thảo"][i - 1],
                    last_name=["Phạm Thị", "Võ Văn", "Đỗ Ngọc"][i - 1],
                )
            offices.append(office)
        if Ticket.objects.filter(office__in=offices).exists():
            return {"counters_ticket": 0}
        rows = 0
        for office in offices:
            rows += _history(office, specs, rng, now=now, days=days, per_day=per_day)
    dbstats.analyze([Ticket._meta.db_table])
    _today(offices, rng, now=now)
    return {"counters_ticket": rows + 0}


def _history(office, specs, rng: random.Random, *, now: datetime, days: int, per_day: int) -> int:
    from cskh.counters.models import Counter, NumberSeq, Service, Ticket

    counters = {c.number: c for c in Counter.objects.filter(office=office)}
    services = {s.letter: s for s in Service.objects.filter(office=office)}
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    size = rng.uniform(0.8, 1.3)
    batch: list[Ticket] = []
    seqs: list[NumberSeq] = []
    total = 0
    for back in range(days, 0, -1):
        day: date = today - timedelta(days=back)
        if day.weekday() == 6:
            continue
        weekday = per_day * (70 / 130 if day.weekday() == 5 else 1.0)
        volume = size * weekday * (1.25 if day.day <= 10 else 1.0)
        arrivals: list[tuple[datetime, str]] = []
        for hour, weight in HOURS.items():
            mean = volume * weight / sum(HOURS.values())
            n = int(rng.gauss(mean, 3)) if mean >= 10 else _poisson(rng, mean)
            first = 30 if hour == 7 else 0
            for _k in range(max(0, n)):
                minute = rng.uniform(first, 60)
                at = datetime.combine(day, time(hour), tzinfo=tz) + timedelta(minutes=minute)
                letter = rng.choices([s[0] for s in specs], SERVICE_MIX)[0]
                arrivals.append((at, letter))
        arrivals.sort()
        free: dict[str, list[tuple[datetime, int]]] = {
            letter: [(datetime.combine(day, time(7, 30), tzinfo=tz), c) for c in nums]
            for letter, _n, _m, nums in specs
        }
        median = {s[0]: s[2] for s in specs}
        seq: dict[str, int] = {}
        for at, letter in arrivals:
            seq[letter] = seq.get(letter, 0) + 1
            ready, number = heapq.heappop(free[letter])
            # the lunch break: nobody is called between 11:30 and 13:00
            called = max(at, ready)
            lunch = datetime.combine(day, time(11, 30), tzinfo=tz)
            if lunch <= called < lunch + timedelta(minutes=90):
                called = lunch + timedelta(minutes=90)
            called += timedelta(seconds=rng.uniform(5, 40))
            absent = rng.random() < NO_SHOW
            service = 0.0 if absent else rng.lognormvariate(0, 0.5) * median[letter] * 60
            start = called + timedelta(seconds=0 if absent else rng.uniform(15, 60))
            end = (
                start + timedelta(seconds=service) if not absent else called + timedelta(seconds=90)
            )
            heapq.heappush(free[letter], (end, number))
            batch.append(
                Ticket(
                    office=office,
                    service=services[letter],
                    day=day,
                    number=f"{letter}{seq[letter]:03d}",
                    state=Ticket.State.NO_SHOW if absent else Ticket.State.DONE,
                    counter=counters[number],
                    issued_at=at,
                    queued_at=at,
                    called_at=called,
                    serving_at=None if absent else start,
                    ended_at=end,
                    wait_seconds=int((called - at).total_seconds()),
                    service_seconds=None if absent else int((end - start).total_seconds()),
                )
            )
        for letter, value in seq.items():
            seqs.append(NumberSeq(service=services[letter], day=day, value=value))
        if len(batch) >= 5000:
            Ticket.objects.bulk_create(batch, batch_size=2000)
            total += len(batch)
            batch = []
    Ticket.objects.bulk_create(batch, batch_size=2000)
    NumberSeq.objects.bulk_create(seqs, batch_size=2000, ignore_conflicts=True)
    return total + len(batch)


def _poisson(rng: random.Random, mean: float) -> int:
    """Arrivals in an hour of a small office (Knuth's method; small means only)."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _today(offices, rng: random.Random, *, now: datetime) -> None:
    """A few walk-ins waiting now, through the services (numbers, live push)."""
    from cskh.counters import services as counter_services

    for office in offices:
        letters = list(office.services.filter(is_active=True))
        for _k in range(rng.randint(3, 6)):
            counter_services.issue_ticket(office=office, service=rng.choice(letters))
