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
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cskh.cases.models import Case, CaseCounter, CaseEvent, Interaction
from cskh.cases.services import sync_number_sequences
from cskh.catalog.models import CaseType
from cskh.catalog.services import install_profile
from cskh.core import dbstats
from cskh.core.phones import try_e164
from cskh.core.text import fold
from cskh.customers.models import Customer, Phone, ServicePoint
from cskh.demo import data
from cskh.demo.bulk import Sink
from cskh.demo.org import HCMC, OrgInfo, build_org
from cskh.geo.models import Ward
from cskh.sla import calendar as sla_calendar
from cskh.sla.models import SlaClock
from cskh.sla.services import calendar_spec
from cskh.telephony.models import CallWrapUp

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BLOCK = 5_000  # customers per random stream
DAY = 86_400
HOUR_WEIGHTS = [1, 0.6, 0.4, 0.3, 0.4, 1, 3, 7, 10, 10, 9, 8, 5, 7, 9, 9, 8, 6, 5, 5, 4, 3, 2, 1.5]
HOTLINE = {"electricity": "+841900545454", "telecom": "+8418001091"}
PHONE_MUL = 2_654_435_761  # odd and coprime with the number space: k → phone is one-to-one
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
MARKETING_YES = json.dumps({"marketing": True})  # Customer.consents of a customer who opted in


def _cum(weights):
    return list(itertools.accumulate(weights))


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
                SlaClock._meta.db_table,
                Interaction.cases.through._meta.db_table,
            ]
            restore = self._step("drop indexes", lambda: self.sink.drop_secondary(tables))
            self._ids()
            self.sink.start_background()
            try:
                self._step("customers", self._customers)
                self._step("cases", self._cases)
            except BaseException:
                self.sink.finish_background(raise_error=False)
                raise
            self._step("flush", self.sink.finish_background)
            for table, secs in sorted(self.sink.write_seconds.items()):
                self.log(f"[demo]   writing {table}: {secs:.1f} s")
            for year, value in self.counters.items():
                CaseCounter.objects.update_or_create(year=year, defaults={"value": value})
            sync_number_sequences()
            self._step("indexes", lambda: self.sink.restore(restore, self.log))
            self.sink.fix_sequences(tables[:-2])  # the clock and m2m tables have no id sequence
            self._step("analyze", lambda: self.sink.analyze(tables))
        self._step("extras", self._extras)
        self._step("live floor", self._floor)
        self._step("customer experience", self._cx)
        self._step("personal data", self._privacy)
        self._step("social listening", self._social)
        self._step("counters", lambda: self.counts.update(self._counters()))
        self._step("search index", self._search_index)
        self._step("report rollups", self._report_rollups)
        # every table changed since the bulk step's ANALYZE (knowledge, network, SLA clocks…):
        # with autovacuum off, stale statistics would plan the first pages wrong
        self._step("statistics", lambda: dbstats.analyze())
        self.timings["total"] = time.perf_counter() - started
        self.counts.update(self.sink.rows_written)
        return self.org

    def _ids(self):
        """First free ids and the case-number counters, read before the bulk writes start."""
        s = self.sink
        self.cust_base = s.next_id(Customer._meta.db_table)
        self.sp_base = s.next_id(ServicePoint._meta.db_table)
        self.case_base = s.next_id(Case._meta.db_table)
        self.inter_base = s.next_id(Interaction._meta.db_table)
        sync_number_sequences()  # PostgreSQL numbers cases from sequences: start after them
        self.counters = dict(CaseCounter.objects.values_list("year", "value"))
        # only prefixes the app's phone parser accepts (the phonenumbers metadata shipped with it
        # may lag behind new ranges, e.g. 089): a demo phone must be findable by lookup
        prefixes = [p for p, _w in data.MOBILE_PREFIXES if try_e164(p + "1234567")]
        self._phone_prefixes = [p[1:] for p in prefixes]
        self._phone_space = len(prefixes) * 10_000_000
        assert math.gcd(PHONE_MUL, self._phone_space) == 1

    def _step(self, name, fn):
        t = time.perf_counter()
        self.log(f"[demo] {name}…")
        result = fn()
        self.timings[name] = time.perf_counter() - t
        self.log(f"[demo] {name}: {self.timings[name]:.1f} s")
        return result

    def _extras(self):
        """Content owned by other apps: knowledge articles, the network table the incident
        detector reads, and SLA clocks for the open cases (so escalation scans see them)."""
        from cskh.incidents import services as incidents
        from cskh.knowledge import services as knowledge
        from cskh.qa import demo as qa_demo
        from cskh.sla import services as sla

        knowledge.install_demo_content(self.profile)
        from cskh.demo import portal

        self.counts.update(portal.build())
        from cskh.conversations import demo_content as conversations

        counts = conversations.install(now=self.now, seed=self.seed)
        self.counts.update(counts)
        incidents.ensure_network_entries()
        sla.backfill_clocks(now=self.now)
        self._workforce()
        qa_demo.install_demo_reviews(now=self.now, seed=self.seed)
        from cskh.training import demo as training_demo

        self.counts.update(training_demo.install_demo(now=self.now, seed=self.seed))

    def _workforce(self):
        """Workforce pages: queue, forecast from the call history, a published roster,
        presence for adherence."""
        from cskh.wfm.services import demo as wfm_demo

        counts = wfm_demo.install_demo(now=self.now, seed=self.seed)
        self.log(f"[demo] workforce: {counts}")

    def _floor(self):
        """Work orders in every state, a live incident, planned outages next week and the
        README's example customer (cskh.demo.floor)."""
        from cskh.demo import floor

        with transaction.atomic():
            self.floor = floor.build(
                profile=self.profile, org=self.org, now=self.now, seed=self.seed, log=self.log
            )
            # PostgreSQL numbered those cases from its sequences: the counters follow them
            sync_number_sequences()

    def _cx(self):
        """Surveys, churn scores, save desk and referrals (app cx)."""
        from cskh.demo import cx

        self.counts.update(cx.build(seed=self.seed, now=self.now))

    def _report_rollups(self):
        """Rollups of the reports over the whole history (app reports), last: it reads what
        every step before wrote."""
        from cskh.demo import reports

        self.counts.update(reports.build())

    def _privacy(self):
        """Consents, data-subject requests, the DPO login and desk reads (app privacy)."""
        from cskh.demo import privacy

        self.counts.update(privacy.build(seed=self.seed, now=self.now))

    def _social(self):
        """A year of social mentions, clusters, replies and an alert (app social)."""
        from cskh.demo import social

        # the page's volume follows the customer base: 30 posts a day at the default 20,000
        per_day = max(3, min(30, self.n // 650))
        self.counts.update(
            social.build(seed=self.seed, now=self.now, profile=self.profile, per_day=per_day)
        )

    def _counters(self) -> dict[str, int]:
        """Transaction offices, counters and a year of queue tickets (cskh.demo.counters)."""
        from cskh.demo import counters

        # walk-ins follow the customer base: ~130 a weekday per office at the default 20,000
        per_day = max(4, min(130, self.n // 150))
        return counters.build(profile=self.profile, seed=self.seed, now=self.now, per_day=per_day)

    def _search_index(self):
        """The search app's full-text index over the bulk-loaded customers and cases."""
        try:
            from cskh.search import services as search
        except ImportError:
            return
        if hasattr(search, "rebuild"):
            search.rebuild(log_fn=self.log)

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
        # Network: per ward a number of distribution transformers (electricity, ≈ 1 per 100–250
        # customers) or optical splitters (telecom, ≈ 1 per 16–32 subscribers). A unit's
        # transformers are strung along its 22 kV feeders (30–60 each, numbered 471–478 per
        # 110 kV substation) and its splitters hang under OLTs (32–64 each); wards are visited
        # in code order, so a feeder / OLT serves neighbouring wards.
        self.t_codes: list[tuple[str, str]] = []  # (feeder/OLT, transformer/splitter)
        per_unit_t: dict[int, int] = {}
        per_feeder: dict[int, int] = {}
        self.wards: list[WardInfo] = []
        for w, weight in zip(wards, weights, strict=True):
            rng = random.Random(f"{self.seed}:net:{w.code}")
            unit_id = org.ward_unit[w.code]
            ab = org.abbr[unit_id]
            if unit_id not in per_feeder:
                urng = random.Random(f"{self.seed}:feeders:{ab}")
                per_feeder[unit_id] = (
                    urng.randint(30, 60) if self.electricity else urng.randint(32, 64)
                )
            expected = self.n * weight / total_w
            if self.electricity:
                count = max(1, round(expected / rng.randint(100, 250)))
            else:
                count = max(1, round(expected / rng.randint(16, 32)))
            base = len(self.t_codes)
            for _k in range(count):
                t = per_unit_t[unit_id] = per_unit_t.get(unit_id, 0) + 1
                f = (t - 1) // per_feeder[unit_id]  # 0-based feeder / OLT number in the unit
                if self.electricity:
                    feeder = f"{ab}-{f // 8 + 1:02d}-47{f % 8 + 1}"
                    self.t_codes.append((feeder, f"{ab}-T{t:04d}"))
                else:
                    self.t_codes.append((f"OLT-{ab}-{f + 1:02d}", f"SPL-{ab}-{f + 1:02d}-{t:04d}"))
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
        default = (
            Unit.objects.filter(is_default=True, is_active=True)
            .values_list("pk", flat=True)
            .first()
        )

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
        """k-th demo mobile number (unique for k < 2**28), E.164: customer i has 2i (primary)
        and 2i + 1 (second phone, when present)."""
        x = (k * PHONE_MUL + 12_345_678 + self.seed * 7_919) % self._phone_space
        return f"+84{self._phone_prefixes[x // 10_000_000]}{x % 10_000_000:07d}"

    def _customers(self):
        s = self.sink
        n = self.n
        cust_base = self.cust_base
        sp_next = self.sp_base
        self.cust_ward = array("H", bytes(2 * n))
        self.cust_sp = array("q", bytes(8 * n))
        self.cust_tr = array("I", bytes(4 * n))
        cust_ward, cust_sp, cust_tr = self.cust_ward, self.cust_sp, self.cust_tr
        phone = self._phone
        fam = [f for f, _ in data.FAMILY_NAMES]
        fam_cum = _cum([w for _, w in data.FAMILY_NAMES])
        mm = [m for m, _ in data.MIDDLE_MALE]
        mm_cum = _cum([w for _, w in data.MIDDLE_MALE])
        mf = [m for m, _ in data.MIDDLE_FEMALE]
        mf_cum = _cum([w for _, w in data.MIDDLE_FEMALE])
        gm, gf = data.GIVEN_MALE, data.GIVEN_FEMALE
        n_gm, n_gf = len(gm), len(gf)
        dom = [d for d, _ in data.EMAIL_DOMAINS]
        dom_cum = _cum([w for _, w in data.EMAIL_DOMAINS])
        plans_t = [p for p, _ in data.TELECOM_PLANS]
        plans_cum = _cum([w for _, w in data.TELECOM_PLANS])
        kinds, words, companies = data.COMPANY_KINDS, data.COMPANY_WORDS, data.COMPANY_NAMES
        gov, hamlets = data.GOVERNMENT_NAMES, data.HAMLETS
        province = "Thành phố Hồ Chí Minh"
        now_ts = int(self.now.timestamp())
        ward_cum = self.ward_cum
        w_total = ward_cum[-1]
        wards = self.wards
        T, F = s.true, s.false
        minsec = s.time_text(now_ts, now_ts).minsec
        hh = [f"{h:02d}:" for h in range(24)]
        today = now_ts // DAY
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
            "consents",
            "restricted",
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
        folded: dict[str, str] = {}
        day_texts: dict[int, str] = {}

        def day_text(day: int) -> str:
            text = day_texts.get(day)
            if text is None:
                text = day_texts[day] = date.fromordinal(EPOCH_ORDINAL + day).isoformat()
            return text

        tag_text: dict[tuple[str, ...], str] = {(): "[]"}
        elec_plans = data.ELECTRICITY_PLANS
        last_report = time.perf_counter()
        for block_start in range(0, n, BLOCK):
            rng = random.Random(f"{self.seed}:cust:{block_start // BLOCK}")
            rnd = rng.random
            bits = rng.getrandbits
            crow, prow, sprow = [], [], []
            for i in range(block_start, min(n, block_start + BLOCK)):
                cid = cust_base + i
                wi = bisect.bisect(ward_cum, rnd() * w_total)
                w = wards[wi]
                cust_ward[i] = wi
                # name / segment
                r = rnd()
                segment = "residential"
                female = rnd() < 0.52
                family = fam[bisect.bisect(fam_cum, rnd() * fam_cum[-1])]
                if female:
                    middle = mf[bisect.bisect(mf_cum, rnd() * mf_cum[-1])]
                    given = gf[int(rnd() * n_gf)]
                else:
                    middle = mm[bisect.bisect(mm_cum, rnd() * mm_cum[-1])]
                    given = gm[int(rnd() * n_gm)]
                if r < 0.035:
                    segment = "business"
                    name = (
                        f"{kinds[int(rnd() * len(kinds))]} {words[int(rnd() * len(words))]} "
                        f"{companies[int(rnd() * len(companies))]}"
                    )
                elif r < 0.04:
                    segment = "government"
                    name = gov[int(rnd() * len(gov))].format(ward=w.name)
                else:
                    name = f"{family} {middle} {given}"
                    if r > 0.995:
                        segment = "vip"
                name_folded = folded.get(name)
                if name_folded is None:
                    name_folded = folded[name] = fold(name)
                # tags
                tags = []
                if segment == "vip" or rnd() < 0.008:
                    tags.append("vip")
                if segment == "residential":
                    if rnd() < 0.025:
                        tags.append("vulnerable")
                    if rnd() < 0.004:
                        tags.append("medical")
                key = tuple(tags)
                tags_json = tag_text.get(key)
                if tags_json is None:
                    tags_json = tag_text[key] = json.dumps(tags)
                # address
                streets = w.streets
                street = streets[int(rnd() * len(streets))]
                if w.rural and rnd() < 0.4:
                    street_part = (
                        f"Tổ {1 + int(rnd() * 25)}, {hamlets[int(rnd() * len(hamlets))]}, {street}"
                    )
                else:
                    h = 1 + int(rnd() * 480)
                    q = rnd()
                    if q < 0.45:
                        house = str(h)
                    elif q < 0.85:
                        house = f"{h}/{1 + int(rnd() * 60)}"
                    elif q < 0.95:
                        house = f"{h}/{1 + int(rnd() * 40)}/{1 + int(rnd() * 20)}"
                    else:
                        house = f"{h}{'ABC'[int(rnd() * 3)]}"
                    street_part = f"{house} {street}"
                address = f"{street_part}, {w.name}, {province}"
                # contact
                email = ""
                if rnd() < (0.85 if segment != "residential" else 0.3):
                    if segment in ("business", "government"):
                        local = f"lienhe{i % 1000}"
                    else:
                        gkey = given + family
                        cached = folded.get(gkey)
                        if cached is None:
                            cached = folded[gkey] = fold(gkey).replace(" ", "")
                        local = cached
                    domain = dom[bisect.bisect(dom_cum, rnd() * dom_cum[-1])]
                    email = f"{local}{(i * 37) % 1000}@{domain}"
                zalo = str(5_000_000_000_000_000_000 + bits(58)) if rnd() < 0.45 else ""
                created_day = today - 366 - int(rnd() * 12 * 365)
                created_text = (
                    f"{day_text(created_day)} {hh[int(rnd() * 24)]}{minsec[int(rnd() * 3600)]}"
                )
                pref = "zalo" if zalo and rnd() < 0.5 else "sms"
                if elec:
                    code = f"PE{unit_no[w.unit_id]:02d}{i + 1:09d}"
                else:
                    code = f"HCM-HD-{i + 1:08d}"
                marketing = rnd() < 0.2  # the answer in force mirrors the older flag
                crow.append(
                    f"{cid}\t{code}\t{name}\t{name_folded}\t{email}\t{zalo}\t{segment}\t"
                    f"{tags_json}\t{address}\t{w.code}\t{T if rnd() < 0.95 else F}\t"
                    f"{T if zalo else F}\t{T if email else F}\t{T if marketing else F}\t"
                    f"{MARKETING_YES if marketing else '{}'}\t{F}\t"
                    f"{pref}\t{created_text}\t{created_text}"
                )
                prow.append(f"{cid}\t{phone(2 * i)}\t\t{T}")
                if rnd() < 0.15:
                    prow.append(f"{cid}\t{phone(2 * i + 1)}\tSố phụ\t{F}")
                # service points on the network (feeder → transformer, or OLT → splitter)
                tg = w.t_base + int(rnd() * w.t_count)
                cust_tr[i] = tg
                t_members[tg].append(i)
                feeder, transformer = t_codes[tg]
                start = day_text(created_day + int(rnd() * 31))
                status = "suspended" if rnd() < 0.01 else "active"
                cust_sp[i] = sp_next
                tail = f"{start}\t{status}\t{address}\t{w.code}\t{feeder}\t{transformer}"
                if elec:
                    n_sp = 1 if segment == "residential" else 1 + int(rnd() * 3)
                    plan = elec_plans[segment]
                    for k in range(n_sp):
                        sprow.append(f"{sp_next}\t{cid}\t{code}{k + 1:03d}\tmeter\t{plan}\t{tail}")
                        sp_next += 1
                else:
                    plan = plans_t[bisect.bisect(plans_cum, rnd() * plans_cum[-1])]
                    sprow.append(
                        f"{sp_next}\t{cid}\tHCM-FTTH-{i + 1:08d}\tsubscription\t{plan}\t{tail}"
                    )
                    sp_next += 1
                    if "Combo" in plan or rnd() < 0.1:
                        sprow.append(
                            f"{sp_next}\t{cid}\tHCM-IPTV-{i + 1:08d}\tsubscription\t"
                            f"Truyền hình IPTV\t{tail}"
                        )
                        sp_next += 1
            s.write(Customer._meta.db_table, c_cols, crow)
            s.write(Phone._meta.db_table, p_cols, prow)
            s.write(ServicePoint._meta.db_table, sp_cols, sprow)
            if time.perf_counter() - last_report > 10:
                last_report = time.perf_counter()
                self.log(f"[demo]   customers {block_start + len(crow):,}/{n:,}")

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
        ch_total = ch_cum[-1]
        hour_cum = _cum(HOUR_WEIGHTS)
        hour_total = hour_cum[-1]
        now_ts = int(self.now.timestamp())
        T, F, NULL = s.true, s.false, s.null
        tt = s.time_text(now_ts - 400 * DAY, now_ts + 120 * DAY)
        hours, minsec, h0, n_hours = tt.hours, tt.minsec, tt.h0, len(tt.hours)
        org = self.org
        agents = [u.pk for u in org.agents]
        n_agents = len(agents)
        staff = {uid: u.pk for uid, u in org.staff.items()}
        pbx = org.integration.pk if org.integration else None
        hotline = HOTLINE[self.profile]
        prefix = settings.CSKH_CASE_NUMBER_PREFIX
        counters = dict(self.counters)
        case_id = self.case_base
        inter_id = self.inter_base
        phone = self._phone
        m2m = Interaction.cases.through
        m2m_table = m2m._meta.db_table
        m2m_cols = [
            m2m._meta.get_field("interaction").column,
            m2m._meta.get_field("case").column,
        ]
        # Per case type: SLA (day table of the calendar, targets by priority/rurality), texts
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
            res = resolutions.get(code) or resolutions["_"]
            tinfo[code] = (
                ct,
                spec,
                targets,
                texts[code],
                res,
                ct.handler_unit_kind == "field",
                (str(pol.calendar_id), pol.code) if pol else None,
            )
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
        # A stopped SLA clock for every resolved case, so the SLA report has its history.
        clock_cols = [
            "case_id",
            "calendar_id",
            "policy_code",
            "state",
            "started_at",
            "first_target_minutes",
            "target_minutes",
            "elapsed_minutes",
            "paused_minutes",
            "level",
            "first_responded_at",
            "first_response_due_at",
            "due_at",
            "breached_at",
            "stopped_at",
            "met",
            "first_response_met",
        ]
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
        # the agent's wrap-up of each answered call (outcome code, after-call work seconds)
        wrap_cols = ["interaction_id", "agent_id", "outcome", "note", "wrap_seconds", "at"]
        st_json = {
            (a, b): json.dumps({"from": a, "to": b, "reopen": False})
            for a in ("new", "in_progress", "resolved")
            for b in ("in_progress", "waiting_unit", "waiting_customer", "resolved", "closed")
        }
        st_new_res = st_json["new", "resolved"]
        st_new_prog = st_json["new", "in_progress"]
        st_prog_res = st_json["in_progress", "resolved"]
        st_res_closed = st_json["resolved", "closed"]
        created_json: dict[tuple, str] = {}
        cluster_types = {"outage", "internet_down"}
        cust_ward, cust_sp = self.cust_ward, self.cust_sp
        t_members = self.t_members
        n_t = len(t_members)
        wards = self.wards
        n = self.n
        frequent = max(1, n // 50)
        cust_base = self.cust_base
        route_tbl = self.route
        unit_codes = self.unit_codes
        exp = math.exp
        last_report = time.perf_counter()
        total_cases = sum(counts)
        done = 0
        open_count = 0

        def stamp(e: int) -> str:
            k = e // 3600 - h0
            if 0 <= k < n_hours:
                return hours[k] + minsec[e % 3600]
            return tt(e)

        for d, count, cum in zip(days, counts, type_cums, strict=True):
            if not count:
                continue
            rng = random.Random(f"{self.seed}:day:{d.isoformat()}")
            rnd = rng.random
            gauss = rng.gauss
            cum_total = cum[-1]
            day0 = int(datetime(d.year, d.month, d.day, tzinfo=VN).timestamp())
            # Wide-area outages: a few transformers/splitters fail and their customers call.
            clusters = []
            for _k in range(max(1, count // 300)):
                tg = int(rnd() * n_t)
                if t_members[tg]:
                    clusters.append((tg, day0 + int(rnd() * (DAY - 3 * 3600))))
            planned = []
            for _k in range(count):
                code = codes[bisect.bisect(cum, rnd() * cum_total)]
                if code in cluster_types and clusters and rnd() < 0.5:
                    tg, start = clusters[int(rnd() * len(clusters))]
                    members = t_members[tg]
                    ci = members[int(rnd() * len(members))]
                    t = start + int(rnd() * 5400)
                else:
                    if rnd() < 0.8:
                        ci = int(rnd() * n)
                    else:  # frequent callers
                        ci = int(rnd() * frequent) * 50 % n
                    hour = bisect.bisect(hour_cum, rnd() * hour_total)
                    t = day0 + hour * 3600 + int(rnd() * 3600)
                if t > now_ts:
                    t = now_ts - 60 - int(rnd() * 4 * 3600)
                planned.append((t, ci, code))
            planned.sort()
            year = d.year
            seq = counters.get(year, 0)
            crow, erow, irow, mrow, krow, wrow = [], [], [], [], [], []
            for t, ci, code in planned:
                seq += 1
                ct, spec, targets, type_texts, res_texts, field, clock_of = tinfo[code]
                wi = cust_ward[ci]
                w = wards[wi]
                cid = cust_base + ci
                prio = ct.default_priority
                if prio > 1 and rnd() < 0.05:
                    prio -= 1
                channel = ch_items[bisect.bisect(ch_cum, rnd() * ch_total)]
                if code == "hazard" and channel not in ("phone", "zalo"):
                    channel = "phone"
                unit_id = route_tbl[code, wi]
                # SLA due times (business-calendar arithmetic on the calendar's day table)
                fr_due: int | None
                due: int | None
                if spec is not None:
                    fr_min, res_min = targets[prio, w.rural]
                    if spec.always_open:
                        fr_due, due = t + fr_min * 60, t + res_min * 60
                    else:
                        fr_due, due = _business_due(spec, t, fr_min, res_min)
                    span, fr_span = due - t, fr_due - t
                else:
                    fr_due = due = None
                    span, fr_span = 3 * DAY, 3600
                agent = agents[int(rnd() * n_agents)]
                handler = staff.get(unit_id, agent) if field else agent
                if channel in ("phone", "counter", "chat"):
                    created_by = str(agent)
                elif channel == "api" and pbx:
                    created_by = str(pbx)
                else:
                    created_by = NULL
                fcr = channel == "phone" and not field and rnd() < 0.4
                fr_at: int | None
                resolved_at: int | None
                closed_at: int | None
                if fcr:
                    fr_at = resolved_at = t + 120 + int(rnd() * 480)
                else:
                    fr_at = t + max(60, int(fr_span * exp(gauss(-1.0, 0.6))))
                    factor = exp(gauss(-0.9, 0.7))
                    if rnd() < 0.012:
                        factor = 3 + rnd() * 30  # stuck cases
                    resolved_at = t + max(600, int(span * factor))
                    if resolved_at <= fr_at:  # resolved after the first response
                        resolved_at = fr_at + 300 + int(rnd() * 3600)
                closed_at = resolved_at + DAY + int(rnd() * 2 * DAY)
                streets = w.streets
                street = streets[int(rnd() * len(streets))]
                description = type_texts[int(rnd() * len(type_texts))].format(
                    addr=f"{street}, {w.name}",
                    street=street,
                    ward=w.name,
                    hour=5 + int(rnd() * 18),
                    amount=f"{(3 + int(rnd() * 58)) * 50_000:,}".replace(",", "."),
                    house=1 + int(rnd() * 300),
                )
                key = (code, channel, prio, unit_id)
                cj = created_json.get(key)
                if cj is None:
                    cj = created_json[key] = json.dumps(
                        {
                            "type": code,
                            "channel": channel,
                            "priority": prio,
                            "unit": unit_codes.get(unit_id),
                        }
                    )
                scid = str(case_id)
                erow.append(f"{scid}\tcreated\t{created_by}\t{F}\t{description}\t{cj}\t{stamp(t)}")
                resolution = ""
                if resolved_at <= now_ts:
                    resolution = res_texts[int(rnd() * len(res_texts))]
                    if clock_of is not None and due is not None and fr_due is not None:
                        # elapsed business minutes ≈ the target scaled by the wall-clock share
                        # of the target span (exact for 24/7 calendars)
                        krow.append(
                            f"{scid}\t{clock_of[0]}\t{clock_of[1]}\tstopped\t{stamp(t)}\t"
                            f"{fr_min}\t{res_min}\t{res_min * (resolved_at - t) / span:.1f}\t0\t0\t"
                            f"{stamp(fr_at)}\t{stamp(fr_due)}\t{stamp(due)}\t"
                            f"{stamp(due) if resolved_at > due else NULL}\t{stamp(resolved_at)}\t"
                            f"{T if resolved_at <= due else F}\t{T if fr_at <= fr_due else F}"
                        )
                    if fcr:
                        assigned = agent
                        erow.append(
                            f"{scid}\tstatus\t{agent}\t{F}\t{resolution}\t{st_new_res}\t"
                            f"{stamp(fr_at)}"
                        )
                    else:
                        assigned = handler
                        erow.append(
                            f"{scid}\tstatus\t{handler}\t{F}\t\t{st_new_prog}\t{stamp(fr_at)}"
                        )
                        erow.append(
                            f"{scid}\tstatus\t{handler}\t{F}\t{resolution}\t{st_prog_res}\t"
                            f"{stamp(resolved_at)}"
                        )
                    if closed_at <= now_ts:
                        status = "closed"
                        last = closed_at
                        erow.append(
                            f"{scid}\tstatus\t{NULL}\t{F}\t\t{st_res_closed}\t{stamp(last)}"
                        )
                    else:
                        status = "resolved"
                        last = resolved_at
                        closed_at = None
                    is_open = F
                else:
                    open_count += 1
                    is_open = T
                    resolved_at = closed_at = None
                    if fr_at > now_ts:
                        status, assigned, fr_at, last = "new", None, None, t
                    else:
                        r = rnd()
                        if field and r < 0.25:
                            status = "waiting_unit"
                        elif r < 0.12:
                            status = "waiting_customer"
                        else:
                            status = "in_progress"
                        assigned = handler
                        last = fr_at
                        erow.append(
                            f"{scid}\tstatus\t{handler}\t{F}\t\t{st_new_prog}\t{stamp(fr_at)}"
                        )
                        if status != "in_progress":
                            last = min(now_ts, fr_at + 300 + int(rnd() * 4 * 3600))
                            erow.append(
                                f"{scid}\tstatus\t{handler}\t{F}\t\t"
                                f"{st_json['in_progress', status]}\t{stamp(last)}"
                            )
                crow.append(
                    f"{scid}\t{prefix}-{year}-{seq:06d}\t{cid}\t{cust_sp[ci]}\t{ct.pk}\t{T}\t"
                    f"{channel}\t{prio}\t{status}\t{is_open}\t{ct.name}\t{description}\t"
                    f"{assigned if assigned else NULL}\t{unit_id if unit_id else NULL}\t"
                    f"{created_by}\t{stamp(fr_due) if fr_due else NULL}\t"
                    f"{stamp(due) if due else NULL}\t{stamp(fr_at) if fr_at else NULL}\t"
                    f"{stamp(resolved_at) if resolved_at else NULL}\t"
                    f"{stamp(closed_at) if closed_at else NULL}\t"
                    f"{T if fcr and resolved_at else F}\t{resolution}\t"
                    f"{'negative' if ct.is_complaint else ''}\t{T if ct.is_complaint else F}\t"
                    f"{T if prio == 1 else F}\t0\t{stamp(t)}\t{stamp(last)}"
                )
                if channel == "phone":
                    answered = t - 20 - int(rnd() * 131)
                    started = answered - 3 - int(rnd() * 118)
                    ended = (fr_at if fcr and fr_at else t) + 30 + int(rnd() * 271)
                    irow.append(
                        f"{inter_id}\tphone\tin\tended\tpbx-{inter_id}\t{cid}\t{agent}\t"
                        f"{phone(2 * ci)}\t{hotline}\t{stamp(started)}\t{stamp(answered)}\t"
                        f"{stamp(ended)}\t{ended - answered}\t\t"
                    )
                    mrow.append(f"{inter_id}\t{scid}")
                    wrap = 10 + int(rnd() * 110)
                    wrow.append(
                        f"{inter_id}\t{agent}\t{'resolved' if fcr else 'case_logged'}\t\t"
                        f"{wrap}\t{stamp(ended + wrap)}"
                    )
                    inter_id += 1
                case_id += 1
            counters[year] = seq
            s.write(Case._meta.db_table, case_cols, crow)
            s.write(CaseEvent._meta.db_table, ev_cols, erow)
            s.write(Interaction._meta.db_table, it_cols, irow)
            s.write(m2m_table, m2m_cols, mrow)
            s.write(CallWrapUp._meta.db_table, wrap_cols, wrow)
            s.write(SlaClock._meta.db_table, clock_cols, krow)
            done += len(crow)
            if time.perf_counter() - last_report > 10:
                last_report = time.perf_counter()
                self.log(f"[demo]   cases {done:,}/{total_cases:,} (through {d.isoformat()})")
        self.counters = counters
        self.counts["open_cases"] = open_count


def _business_due(spec, t: int, first: float, second: float) -> tuple[int, int]:
    """Epoch seconds when `first` / `second` business minutes have elapsed after epoch `t`."""
    return sla_calendar.due_epochs(spec, t, first, second)
