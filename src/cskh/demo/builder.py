"""Deterministic, realistic demo data built in memory and bulk-inserted.

Same profile + size + seed → the same customers (codes, names, phones, addresses), the same
network and the same case history (case numbers, texts, timelines), on SQLite and PostgreSQL.
Randomness is drawn from independent streams per block of customers and per day of cases, so
results do not depend on chunk sizes.

Invariants kept although the per-row services are bypassed: folded names
(``cskh.textintel.normalize.fold``), E.164 phones, unique case numbers ``CS-YYYY-NNNNNN`` in
chronological order with ``CaseCounter`` updated, SLA due times computed with
``cskh.sla.calendar`` for every case, routing by ``cskh.catalog.services.route``.
"""

from __future__ import annotations

import bisect
import calendar as pycal
import contextlib
import itertools
import json
import math
import random
import time
from array import array
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cskh.cases.models import Case, CaseCounter, CaseEvent, Interaction
from cskh.catalog.models import CaseType
from cskh.catalog.services import install_profile
from cskh.customers.models import Customer, Phone, ServicePoint
from cskh.demo import data
from cskh.demo.bulk import Sink
from cskh.demo.org import HCMC, OrgInfo, build_org
from cskh.geo.models import Ward
from cskh.sla.calendar import add_business_minutes
from cskh.sla.services import calendar_spec
from cskh.textintel.normalize import fold

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BLOCK = 5_000  # customers per random stream
DAY = 86_400
HOUR_WEIGHTS = [1, 0.6, 0.4, 0.3, 0.4, 1, 3, 7, 10, 10, 9, 8, 5, 7, 9, 9, 8, 6, 5, 5, 4, 3, 2, 1.5]
HOTLINE = {"electricity": "+841900545454", "telecom": "+8418001091"}


def _cum(weights):
    return list(itertools.accumulate(weights))


def _pick(rng_random, items, cum):
    return items[bisect.bisect(cum, rng_random() * cum[-1])]


@dataclass
class WardInfo:
    code: int
    name: str
    rural: bool
    unit_id: int
    streets: list[str]
    t_base: int  # index of the ward's first transformer/splitter in the global list
    t_count: int


class Builder:
    def __init__(
        self,
        *,
        profile: str,
        customers: int,
        seed: int,
        cases_per_customer: float = 3.0,
        now: datetime | None = None,
        log=print,
    ):
        self.profile = profile
        self.n = customers
        self.seed = seed
        self.cpc = cases_per_customer
        self.now = now or timezone.now()
        self.log = log
        self.electricity = profile == "electricity"
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    # ------------------------------------------------------------------ driver

    def run(self) -> OrgInfo:
        started = time.perf_counter()
        # SQLite checks the (deferred) foreign keys of every inserted row at commit; the rows
        # built here reference ids created in the same run, so skip that (PostgreSQL instead
        # drops and re-validates its FK constraints in bulk, see Sink.drop_secondary).
        checks = (
            connection.constraint_checks_disabled()
            if connection.vendor == "sqlite"
            else contextlib.nullcontext()
        )
        with checks, transaction.atomic():
            self._step("profile", lambda: install_profile(self.profile))
            self.org = self._step(
                "org", lambda: build_org(self.profile, seed=self.seed, customers=self.n)
            )
            self._prepare()
            self.sink = Sink()
            tables = [
                Customer._meta.db_table,
                Phone._meta.db_table,
                ServicePoint._meta.db_table,
                Case._meta.db_table,
                CaseEvent._meta.db_table,
                Interaction._meta.db_table,
                Interaction.cases.through._meta.db_table,
            ]
            restore = self._step("drop indexes", lambda: self.sink.drop_secondary(tables))
            self._step("customers", self._customers)
            self._step("cases", self._cases)
            self._step("indexes", lambda: self.sink.restore(restore, self.log))
            self.sink.fix_sequences(tables[:-1])
            self._step("analyze", lambda: self.sink.analyze(tables))
        self._step("extras", self._extras)
        self.timings["total"] = time.perf_counter() - started
        self.counts.update(self.sink.rows_written)
        return self.org

    def _step(self, name, fn):
        t = time.perf_counter()
        self.log(f"[demo] {name}…")
        result = fn()
        self.timings[name] = time.perf_counter() - t
        self.log(f"[demo] {name}: {self.timings[name]:.1f} s")
        return result

    def _extras(self):
        """Content owned by other apps, when those apps provide it."""
        try:
            from cskh.knowledge import services as knowledge
        except ImportError:
            knowledge = None
        if knowledge is not None and hasattr(knowledge, "install_demo_content"):
            knowledge.install_demo_content(self.profile)
        try:
            from cskh.incidents import services as incidents
        except ImportError:
            incidents = None
        if incidents is not None and hasattr(incidents, "ensure_network_entries"):
            incidents.ensure_network_entries()

    # ------------------------------------------------------------------ preparation

    def _prepare(self):
        org = self.org
        wards = list(Ward.objects.filter(province_id=HCMC).order_by("code"))
        weights = []
        for w in wards:
            if w.name.startswith("Đặc khu"):
                weights.append(0.03)
            elif w.is_rural:
                weights.append(0.5)
            else:
                weights.append(1.0)
        self.ward_cum = _cum(weights)
        total_w = self.ward_cum[-1]
        # Network: per ward a number of transformers (electricity, ≈ 1 per 100–250 customers)
        # or splitters (telecom, ≈ 1 per 16–32 subscribers), grouped under feeders / OLTs.
        self.t_codes: list[tuple[str, str]] = []  # (feeder/OLT, transformer/splitter)
        per_unit_feeder: dict[int, int] = {}
        per_unit_t: dict[int, int] = {}
        self.wards: list[WardInfo] = []
        for w, weight in zip(wards, weights, strict=True):
            rng = random.Random(f"{self.seed}:net:{w.code}")
            unit_id = org.ward_unit[w.code]
            ab = org.abbr[unit_id]
            expected = self.n * weight / total_w
            if self.electricity:
                count = max(1, round(expected / rng.randint(100, 250)))
                per_feeder = rng.randint(6, 10)
            else:
                count = max(1, round(expected / rng.randint(16, 32)))
                per_feeder = rng.randint(32, 64)
            base = len(self.t_codes)
            for k in range(count):
                if k % per_feeder == 0:
                    per_unit_feeder[unit_id] = per_unit_feeder.get(unit_id, 0) + 1
                f = per_unit_feeder[unit_id]
                per_unit_t[unit_id] = per_unit_t.get(unit_id, 0) + 1
                t = per_unit_t[unit_id]
                if self.electricity:
                    self.t_codes.append((f"{ab}-{470 + f}", f"{ab}-T{t:04d}"))
                else:
                    self.t_codes.append((f"OLT-{ab}-{f:02d}", f"SPL-{ab}-{f:02d}-{t:04d}"))
            srng = random.Random(f"streets:{w.code}")
            self.wards.append(
                WardInfo(
                    code=w.code,
                    name=w.name,
                    rural=w.is_rural,
                    unit_id=unit_id,
                    streets=srng.sample(data.STREETS, 12),
                    t_base=base,
                    t_count=count,
                )
            )
        self.t_members: list[list[int]] = [[] for _ in self.t_codes]
        # Case types, SLA, routing table
        self.types = list(
            CaseType.objects.filter(profile__code=self.profile, is_active=True).select_related(
                "sla_policy__calendar"
            )
        )
        self.route = self._route_table()
        self.unit_codes = {u.pk: u.code for u in org.units.values()}
        from cskh.org.models import Unit

        self.unit_codes.update(dict(Unit.objects.values_list("pk", "code")))

    def _route_table(self) -> dict[tuple[str, int], int | None]:
        """(case type code, ward index) → unit id: the same answer as
        ``cskh.catalog.services.route`` (tests compare them), computed in memory."""
        from cskh.catalog.models import RoutingRule
        from cskh.org.models import ServiceArea, Unit

        rules = list(
            RoutingRule.objects.filter(is_active=True)
            .order_by("order", "id")
            .values_list("case_type_id", "ward_id", "unit_id")
        )
        field_by_ward: dict[int, int] = {}
        for ward_id, unit_id in (
            ServiceArea.objects.filter(unit__kind=Unit.Kind.FIELD, unit__is_active=True)
            .order_by("unit__code")
            .values_list("ward_id", "unit_id")
        ):
            field_by_ward.setdefault(ward_id, unit_id)
        default = Unit.objects.filter(is_default=True, is_active=True).values_list("pk", flat=True)
        default = default.first()

        def first(ct_id, ward):
            for r_ct, r_ward, r_unit in rules:
                if r_ct == ct_id and r_ward == ward:
                    return r_unit
            return None

        table = {}
        for ct in self.types:
            for i, w in enumerate(self.wards):
                unit = first(ct.pk, w.code) or first(ct.pk, None) or first(None, w.code)
                if unit is None:
                    unit = (
                        field_by_ward.get(w.code, default)
                        if ct.handler_unit_kind == "field"
                        else default
                    )
                table[ct.code, i] = unit
        return table

    # ------------------------------------------------------------------ customers

    def _phone(self, k: int) -> str:
        """k-th demo mobile number (unique for k < 2**28), E.164."""
        prefixes = self._prefixes
        space = len(prefixes) * 10_000_000
        x = (k * 2_654_435_761 + 12_345_678 + self.seed * 7_919) % space
        return f"+84{prefixes[x // 10_000_000][1:]}{x % 10_000_000:07d}"

    @property
    def _prefixes(self):
        return [p for p, _w in data.MOBILE_PREFIXES]

    def _customers(self):
        s = self.sink
        n = self.n
        self.cust_base = s.next_id(Customer._meta.db_table)
        sp_next = s.next_id(ServicePoint._meta.db_table)
        self.cust_ward = array("H", bytes(2 * n))
        self.cust_sp = array("q", bytes(8 * n))
        prefixes = self._prefixes
        space = len(prefixes) * 10_000_000
        assert math.gcd(2_654_435_761, space) == 1
        fam = [f for f, _ in data.FAMILY_NAMES]
        fam_cum = _cum([w for _, w in data.FAMILY_NAMES])
        mm = [m for m, _ in data.MIDDLE_MALE]
        mm_cum = _cum([w for _, w in data.MIDDLE_MALE])
        mf = [m for m, _ in data.MIDDLE_FEMALE]
        mf_cum = _cum([w for _, w in data.MIDDLE_FEMALE])
        gm, gf = data.GIVEN_MALE, data.GIVEN_FEMALE
        dom = [d for d, _ in data.EMAIL_DOMAINS]
        dom_cum = _cum([w for _, w in data.EMAIL_DOMAINS])
        plans_t = [p for p, _ in data.TELECOM_PLANS]
        plans_cum = _cum([w for _, w in data.TELECOM_PLANS])
        province = "Thành phố Hồ Chí Minh"
        now_ts = int(self.now.timestamp())
        window_start = now_ts - 366 * DAY
        ward_cum = self.ward_cum
        wards = self.wards
        T, F, NULL = s.true, s.false, s.null
        ts = s.ts
        c_cols = [
            "id",
            "code",
            "full_name",
            "name_folded",
            "email",
            "zalo_id",
            "segment",
            "tags",
            "address",
            "ward_id",
            "consent_sms",
            "consent_zalo",
            "consent_email",
            "consent_marketing",
            "preferred_channel",
            "created_at",
            "updated_at",
        ]
        p_cols = ["customer_id", "e164", "label", "is_primary"]
        sp_cols = [
            "id",
            "customer_id",
            "code",
            "kind",
            "plan",
            "start_date",
            "status",
            "address",
            "ward_id",
            "feeder_code",
            "transformer_code",
        ]
        unit_no = self.org.unit_no
        elec = self.electricity
        t_codes = self.t_codes
        t_members = self.t_members
        cust_tr = array("I", bytes(4 * n))
        self.cust_tr = cust_tr
        last_report = time.perf_counter()
        for block_start in range(0, n, BLOCK):
            rng = random.Random(f"{self.seed}:cust:{block_start // BLOCK}")
            rnd = rng.random
            randint = rng.randint
            choice = rng.choice
            crow, prow, sprow = [], [], []
            for i in range(block_start, min(n, block_start + BLOCK)):
                cid = self.cust_base + i
                wi = bisect.bisect(ward_cum, rnd() * ward_cum[-1])
                w = wards[wi]
                self.cust_ward[i] = wi
                # name / segment
                r = rnd()
                segment = "residential"
                female = rnd() < 0.52
                family = fam[bisect.bisect(fam_cum, rnd() * fam_cum[-1])]
                if female:
                    middle = mf[bisect.bisect(mf_cum, rnd() * mf_cum[-1])]
                    given = choice(gf)
                else:
                    middle = mm[bisect.bisect(mm_cum, rnd() * mm_cum[-1])]
                    given = choice(gm)
                if r < 0.035:
                    segment = "business"
                    name = (
                        f"{choice(data.COMPANY_KINDS)} {choice(data.COMPANY_WORDS)} "
                        f"{choice(data.COMPANY_NAMES)}"
                    )
                elif r < 0.04:
                    segment = "government"
                    name = choice(data.GOVERNMENT_NAMES).format(ward=w.name)
                else:
                    name = f"{family} {middle} {given}"
                    if r > 0.995:
                        segment = "vip"
                # tags
                tags = []
                if segment == "vip" or rnd() < 0.008:
                    tags.append("vip")
                if segment == "residential" and rnd() < 0.025:
                    tags.append("vulnerable")
                if segment == "residential" and rnd() < 0.004:
                    tags.append("medical")
                # address
                if w.rural and rnd() < 0.4:
                    street_part = f"Tổ {randint(1, 25)}, {choice(data.HAMLETS)}"
                    street = choice(w.streets)
                else:
                    street = choice(w.streets)
                    h = randint(1, 480)
                    q = rnd()
                    if q < 0.45:
                        house = str(h)
                    elif q < 0.85:
                        house = f"{h}/{randint(1, 60)}"
                    elif q < 0.95:
                        house = f"{h}/{randint(1, 40)}/{randint(1, 20)}"
                    else:
                        house = f"{h}{choice('ABC')}"
                    street_part = f"{house} {street}"
                address = f"{street_part}, {w.name}, {province}"
                # contact
                email = ""
                if rnd() < (0.85 if segment != "residential" else 0.3):
                    local = fold(f"{given}{family}").replace(" ", "")
                    if segment in ("business", "government"):
                        local = f"lienhe{i % 1000}"
                    email = f"{local}{(i * 37) % 1000}@{dom[bisect.bisect(dom_cum, rnd() * dom_cum[-1])]}"
                zalo = str(5_000_000_000_000_000_000 + rng.getrandbits(58)) if rnd() < 0.45 else ""
                phones = [self._phone(2 * i)]
                if rnd() < 0.15:
                    phones.append(self._phone(2 * i + 1))
                created = now_ts - 366 * DAY - randint(0, 12 * 365) * DAY - randint(0, DAY)
                pref = "zalo" if zalo and rnd() < 0.5 else "sms"
                if elec:
                    code = f"PE{unit_no[w.unit_id]:02d}{i + 1:09d}"
                else:
                    code = f"HCM-HD-{i + 1:08d}"
                crow.append(
                    (
                        str(cid),
                        code,
                        name,
                        fold(name),
                        email,
                        zalo,
                        segment,
                        json.dumps(tags) if tags else "[]",
                        address,
                        str(w.code),
                        T if rnd() < 0.95 else F,
                        T if zalo else F,
                        T if email else F,
                        T if rnd() < 0.2 else F,
                        pref,
                        ts(created),
                        ts(created),
                    )
                )
                for k, e164 in enumerate(phones):
                    prow.append((str(cid), e164, "" if k == 0 else "Số phụ", T if k == 0 else F))
                # service points on the network
                tl = randint(0, w.t_count - 1)
                tg = w.t_base + tl
                cust_tr[i] = tg
                t_members[tg].append(i)
                feeder, transformer = t_codes[tg]
                start = date.fromtimestamp(max(created, 0) + randint(0, 30) * DAY)
                status = "active"
                if rnd() < 0.01:
                    status = "suspended"
                self.cust_sp[i] = sp_next
                if elec:
                    n_sp = 1 if segment == "residential" else randint(1, 3)
                    for k in range(n_sp):
                        sprow.append(
                            (
                                str(sp_next),
                                str(cid),
                                f"{code}{k + 1:03d}",
                                "meter",
                                data.ELECTRICITY_PLANS[segment],
                                start.isoformat(),
                                status,
                                address,
                                str(w.code),
                                feeder,
                                transformer,
                            )
                        )
                        sp_next += 1
                else:
                    plan = plans_t[bisect.bisect(plans_cum, rnd() * plans_cum[-1])]
                    services = [("FTTH", plan)]
                    if "Combo" in plan or rnd() < 0.1:
                        services.append(("IPTV", "Truyền hình IPTV"))
                    for kind, plan_name in services:
                        sprow.append(
                            (
                                str(sp_next),
                                str(cid),
                                f"HCM-{kind}-{i + 1:08d}",
                                "subscription",
                                plan_name,
                                start.isoformat(),
                                status,
                                address,
                                str(w.code),
                                feeder,
                                transformer,
                            )
                        )
                        sp_next += 1
            s.write(Customer._meta.db_table, c_cols, crow)
            s.write(Phone._meta.db_table, p_cols, prow)
            s.write(ServicePoint._meta.db_table, sp_cols, sprow)
            if time.perf_counter() - last_report > 10:
                last_report = time.perf_counter()
                self.log(f"[demo]   customers {block_start + len(crow):,}/{n:,}")
        _ = window_start, NULL

    # ------------------------------------------------------------------ cases

    def _day_plan(self):
        """Per local day of the past year: number of cases and the case-type distribution."""
        mix = data.ELECTRICITY_MIX if self.electricity else data.TELECOM_MIX
        codes = [c for c in mix if any(t.code == c for t in self.types)]
        today = timezone.localtime(self.now, VN).date()
        days = [today - timedelta(days=k) for k in range(365, -1, -1)]
        bill_day = 5 if self.electricity else 1
        day_weights, type_cums = [], []
        for d in days:
            rainy = 5 <= d.month <= 10
            hot = 3 <= d.month <= 6
            since_bill = (d.day - bill_day) % pycal.monthrange(d.year, d.month)[1]
            billing_factor = 2.6 if since_bill < 4 else 1.6 if since_bill < 10 else 0.55
            weights = []
            for c in codes:
                w = mix[c]
                if c in data.RAINY_TYPES:
                    w *= 1.8 if rainy else 0.7
                if c in data.BILLING_TYPES:
                    w *= billing_factor * (1.3 if hot and self.electricity else 1.0)
                weights.append(w)
            weekday = d.weekday()
            base = 0.55 if weekday == 6 else 0.85 if weekday == 5 else 1.0
            day_weights.append(base * sum(weights))
            type_cums.append(_cum(weights))
        total = round(self.n * self.cpc)
        scale = total / sum(day_weights)
        raw = [w * scale for w in day_weights]
        counts = [int(x) for x in raw]
        rest = sorted(range(len(raw)), key=lambda k: raw[k] - counts[k], reverse=True)
        for k in rest[: total - sum(counts)]:
            counts[k] += 1
        return days, counts, codes, type_cums

    def _cases(self):
        if self.n == 0 or self.cpc <= 0:
            return
        s = self.sink
        days, counts, codes, type_cums = self._day_plan()
        types = {t.code: t for t in self.types}
        texts = data.ELECTRICITY_TEXTS if self.electricity else data.TELECOM_TEXTS
        resolutions = data.ELECTRICITY_RESOLUTIONS if self.electricity else data.TELECOM_RESOLUTIONS
        ch_items = [c for c, _ in data.CHANNEL_MIX]
        ch_cum = _cum([w for _, w in data.CHANNEL_MIX])
        hour_cum = _cum(HOUR_WEIGHTS)
        now_ts = int(self.now.timestamp())
        T, F, NULL = s.true, s.false, s.null
        ts = s.ts
        org = self.org
        agents = [u.pk for u in org.agents]
        staff = {uid: u.pk for uid, u in org.staff.items()}
        pbx = org.integration.pk if org.integration else None
        hotline = HOTLINE[self.profile]
        prefix = settings.CSKH_CASE_NUMBER_PREFIX
        counters = dict(CaseCounter.objects.values_list("year", "value"))
        case_id = s.next_id(Case._meta.db_table)
        inter_id = s.next_id(Interaction._meta.db_table)
        m2m = Interaction.cases.through
        m2m_table = m2m._meta.db_table
        m2m_cols = [
            m2m._meta.get_field("interaction").column,
            m2m._meta.get_field("case").column,
        ]
        # Per case type: SLA (calendar spec, targets by priority/rurality), texts, flags
        tinfo = {}
        for code in codes:
            ct = types[code]
            pol = ct.sla_policy
            spec = calendar_spec(pol.calendar) if pol else None
            targets = {}
            if pol:
                for prio in (1, 2, 3, 4):
                    for rural in (False, True):
                        targets[prio, rural] = pol.targets(prio, rural=rural)
            tinfo[code] = (ct, spec, targets)
        case_cols = [
            "id",
            "number",
            "customer_id",
            "service_point_id",
            "case_type_id",
            "type_confirmed",
            "channel",
            "priority",
            "status",
            "is_open",
            "subject",
            "description",
            "assigned_agent_id",
            "unit_id",
            "created_by_id",
            "first_response_due_at",
            "due_at",
            "first_responded_at",
            "resolved_at",
            "closed_at",
            "resolved_on_first_contact",
            "resolution",
            "sentiment",
            "complaint",
            "urgent",
            "reopen_count",
            "created_at",
            "updated_at",
        ]
        ev_cols = ["case_id", "kind", "actor_id", "public", "body", "data", "created_at"]
        it_cols = [
            "id",
            "channel",
            "direction",
            "state",
            "external_id",
            "customer_id",
            "agent_id",
            "from_address",
            "to_address",
            "started_at",
            "answered_at",
            "ended_at",
            "duration_seconds",
            "recording_url",
            "summary",
        ]
        st_json = {
            (a, b): json.dumps({"from": a, "to": b, "reopen": False})
            for a in ("new", "in_progress", "resolved")
            for b in ("in_progress", "waiting_unit", "waiting_customer", "resolved", "closed")
        }
        cluster_types = {"outage", "internet_down"}
        cust_ward, cust_sp = self.cust_ward, self.cust_sp
        t_members = self.t_members
        wards = self.wards
        n = self.n
        frequent = max(1, n // 50)
        cust_base = self.cust_base
        route_tbl = self.route
        unit_codes = self.unit_codes
        last_report = time.perf_counter()
        total_cases = sum(counts)
        done = 0
        open_count = 0
        for d, count, cum in zip(days, counts, type_cums, strict=True):
            if not count:
                continue
            rng = random.Random(f"{self.seed}:day:{d.isoformat()}")
            rnd = rng.random
            randint = rng.randint
            choice = rng.choice
            gauss = rng.gauss
            day0 = int(datetime(d.year, d.month, d.day, tzinfo=VN).timestamp())
            # wide-area outages: a few transformers/splitters fail, their customers call
            clusters = []
            for _k in range(max(1, count // 300)):
                tg = rng.randrange(len(t_members))
                if t_members[tg]:
                    clusters.append((tg, day0 + randint(0, DAY - 3 * 3600)))
            planned = []
            for _k in range(count):
                code = codes[bisect.bisect(cum, rnd() * cum[-1])]
                if code in cluster_types and clusters and rnd() < 0.5:
                    tg, start = choice(clusters)
                    ci = choice(t_members[tg])
                    t = start + int(rnd() * 5400)
                else:
                    ci = randint(0, n - 1) if rnd() < 0.8 else randint(0, frequent - 1) * 50 % n
                    hour = bisect.bisect(hour_cum, rnd() * hour_cum[-1])
                    t = day0 + hour * 3600 + randint(0, 3599)
                if t > now_ts:
                    t = now_ts - randint(60, 4 * 3600)
                planned.append((t, ci, code))
            planned.sort()
            crow, erow, irow, mrow = [], [], [], []
            for t, ci, code in planned:
                year = datetime.fromtimestamp(t, VN).year
                seq = counters.get(year, 0) + 1
                counters[year] = seq
                number = f"{prefix}-{year}-{seq:06d}"
                ct, spec, targets = tinfo[code]
                wi = cust_ward[ci]
                w = wards[wi]
                cid = cust_base + ci
                prio = ct.default_priority
                if prio > 1 and rnd() < 0.05:
                    prio -= 1
                channel = ch_items[bisect.bisect(ch_cum, rnd() * ch_cum[-1])]
                if code == "hazard" and channel not in ("phone", "zalo"):
                    channel = "phone"
                unit_id = route_tbl[code, wi]
                field = ct.handler_unit_kind == "field"
                # SLA due times (calendar arithmetic)
                if spec is not None:
                    fr_min, res_min = targets[prio, w.rural]
                    if spec.always_open:
                        fr_due, due = t + fr_min * 60, t + res_min * 60
                    else:
                        start_dt = datetime.fromtimestamp(t, UTC)
                        fr_due = int(add_business_minutes(spec, start_dt, fr_min).timestamp())
                        due = int(add_business_minutes(spec, start_dt, res_min).timestamp())
                else:
                    fr_due = due = None
                span = (due - t) if due else 3 * DAY
                fr_span = (fr_due - t) if fr_due else 3600
                agent = choice(agents)
                handler = staff.get(unit_id, agent) if field else agent
                created_by = (
                    agent
                    if channel in ("phone", "counter", "chat")
                    else pbx
                    if channel == "api"
                    else None
                )
                fcr = channel == "phone" and not field and rnd() < 0.4
                if fcr:
                    fr_at = resolved_at = t + randint(120, 600)
                else:
                    fr_at = t + max(60, int(fr_span * math.exp(gauss(-1.0, 0.6))))
                    factor = math.exp(gauss(-0.9, 0.7))
                    if rnd() < 0.012:
                        factor = 3 + rnd() * 30  # stuck cases
                    resolved_at = t + max(600, int(span * factor))
                closed_at = resolved_at + randint(DAY, 3 * DAY)
                description = choice(texts[code]).format(
                    addr=f"{choice(w.streets)}, {w.name}",
                    street=choice(w.streets),
                    ward=w.name,
                    hour=randint(5, 22),
                    amount=f"{randint(3, 60) * 50_000:,}".replace(",", "."),
                    house=randint(1, 300),
                )
                events = [
                    (
                        "created",
                        created_by,
                        F,
                        description,
                        json.dumps(
                            {
                                "type": code,
                                "channel": channel,
                                "priority": prio,
                                "unit": unit_codes.get(unit_id),
                            }
                        ),
                        t,
                    )
                ]
                resolution = ""
                if resolved_at <= now_ts:
                    status = "closed" if closed_at <= now_ts else "resolved"
                    resolution = choice(resolutions.get(code) or resolutions["_"])
                    if fcr:
                        events.append(
                            ("status", agent, F, resolution, st_json["new", "resolved"], fr_at)
                        )
                    else:
                        events.append(
                            ("status", handler, F, "", st_json["new", "in_progress"], fr_at)
                        )
                        events.append(
                            (
                                "status",
                                handler,
                                F,
                                resolution,
                                st_json["in_progress", "resolved"],
                                resolved_at,
                            )
                        )
                    if status == "closed":
                        events.append(
                            ("status", None, F, "", st_json["resolved", "closed"], closed_at)
                        )
                    assigned = agent if fcr else handler
                else:
                    open_count += 1
                    resolved_at = closed_at = None
                    if fr_at > now_ts:
                        status, assigned, fr_at = "new", None, None
                    else:
                        r = rnd()
                        if field and r < 0.25:
                            status = "waiting_unit"
                        elif r < 0.12:
                            status = "waiting_customer"
                        else:
                            status = "in_progress"
                        assigned = handler
                        events.append(
                            ("status", handler, F, "", st_json["new", "in_progress"], fr_at)
                        )
                        if status != "in_progress":
                            events.append(
                                (
                                    "status",
                                    handler,
                                    F,
                                    "",
                                    st_json["in_progress", status],
                                    min(now_ts, fr_at + randint(300, 4 * 3600)),
                                )
                            )
                is_open = status not in ("resolved", "closed")
                last = events[-1][5]
                crow.append(
                    (
                        str(case_id),
                        number,
                        str(cid),
                        str(cust_sp[ci]),
                        str(ct.pk),
                        T,
                        channel,
                        str(prio),
                        status,
                        T if is_open else F,
                        ct.name,
                        description,
                        str(assigned) if assigned else NULL,
                        str(unit_id) if unit_id else NULL,
                        str(created_by) if created_by else NULL,
                        ts(fr_due) if fr_due else NULL,
                        ts(due) if due else NULL,
                        ts(fr_at) if fr_at else NULL,
                        ts(resolved_at) if resolved_at else NULL,
                        ts(closed_at) if closed_at else NULL,
                        T if fcr and resolved_at else F,
                        resolution,
                        "negative" if ct.is_complaint else "",
                        T if ct.is_complaint else F,
                        T if prio == 1 else F,
                        "0",
                        ts(t),
                        ts(last),
                    )
                )
                scid = str(case_id)
                for kind, actor, public, body, evdata, at in events:
                    erow.append(
                        (scid, kind, str(actor) if actor else NULL, public, body, evdata, ts(at))
                    )
                if channel == "phone":
                    answered = t - randint(20, 150)
                    started = answered - randint(3, 120)
                    ended = (fr_at if fcr else t) + randint(30, 300)
                    irow.append(
                        (
                            str(inter_id),
                            "phone",
                            "in",
                            "ended",
                            f"pbx-{inter_id}",
                            str(cid),
                            str(agent),
                            self._phone(2 * ci),
                            hotline,
                            ts(started),
                            ts(answered),
                            ts(ended),
                            str(ended - answered),
                            "",
                            "",
                        )
                    )
                    mrow.append((str(inter_id), scid))
                    inter_id += 1
                case_id += 1
            s.write(Case._meta.db_table, case_cols, crow)
            s.write(CaseEvent._meta.db_table, ev_cols, erow)
            s.write(Interaction._meta.db_table, it_cols, irow)
            s.write(m2m_table, m2m_cols, mrow)
            done += len(crow)
            if time.perf_counter() - last_report > 10:
                last_report = time.perf_counter()
                self.log(f"[demo]   cases {done:,}/{total_cases:,} (through {d.isoformat()})")
        for year, value in counters.items():
            CaseCounter.objects.update_or_create(year=year, defaults={"value": value})
        self.counts["open_cases"] = open_count
