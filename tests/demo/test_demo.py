"""`cskh demo`: the data set a new user, a reviewer and the benchmarks rely on.

Small N (≤ 300) so each build takes a few seconds; runs on SQLite and, with DATABASE_URL, on
PostgreSQL (there the COPY / drop-and-restore-indexes path is exercised inside the test's
transaction)."""

import re
import time
from collections import Counter, defaultdict
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings

# one xdist worker takes the module, so the class's demo is built once
pytestmark = pytest.mark.xdist_group("demo")

NOW = "2026-06-15T10:00:00+07:00"
NUMBER = re.compile(r"^CS-(\d{4})-(\d{6})$")


def demo(*args, **opts) -> str:
    out = StringIO()
    opts.setdefault("now", NOW)
    call_command("demo", *args, stdout=out, **opts)
    return out.getvalue()


def snapshot():
    """Everything the seed decides: customers, phones, network, case history."""
    from cskh.cases.models import Case
    from cskh.customers.models import Customer, Phone, ServicePoint

    return (
        list(Customer.objects.order_by("code").values_list("code", "full_name", "address")),
        sorted(Phone.objects.values_list("customer__code", "e164")),
        list(
            ServicePoint.objects.order_by("code").values_list(
                "code", "feeder_code", "transformer_code"
            )
        ),
        list(
            Case.objects.order_by("number").values_list(
                "number", "customer__code", "case_type__code", "status", "created_at"
            )
        ),
    )


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class TestBuiltDemo(TestCase):
    """One electricity demo of 300 customers, built once for the class (Django's
    setUpTestData); each test runs in its own savepoint and sees the same build."""

    @classmethod
    def setUpTestData(cls):
        from cskh.geo.models import Ward
        from cskh.geo.services import load_admin_units

        if not Ward.objects.filter(province_id=79).exists():  # flushed by a transactional test
            load_admin_units([79])
        cls.output = demo(profile="electricity", customers=300, seed=7)

    def test_builds_users_for_every_role_and_prints_their_logins(self):
        from cskh.demo.data import DEMO_PASSWORD
        from cskh.org.models import ServiceArea, Unit, User

        admin = User.objects.get(username="admin")
        assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
        roles = Counter(User.objects.values_list("role", flat=True))
        assert roles["agent"] >= 5
        assert roles["shift_lead"] >= 1 and roles["manager"] >= 1
        assert User.objects.get(username="pbx").role == "integration"
        field_units = Unit.objects.filter(kind="field")
        assert field_units.count() >= 10
        # every field unit has its staff login, every HCMC ward is served by a field unit
        for unit in field_units:
            assert User.objects.filter(role="unit_staff", unit=unit).exists(), unit.code
        from cskh.geo.models import Ward

        hcmc = set(Ward.objects.filter(province_id=79).values_list("code", flat=True))
        served = set(
            ServiceArea.objects.filter(unit__kind="field").values_list("ward_id", flat=True)
        )
        assert hcmc and hcmc == served
        # the printed logins work (one password hash for all: checking one is enough)
        for username in ("admin", "tvv01", "truongca", "quanly"):
            assert re.search(rf"\b{username}\s+{re.escape(DEMO_PASSWORD)}\b", self.output), username
        assert User.objects.get(username="tvv01").password == admin.password
        staff = re.search(r"\b(dl_\w+)\s+" + re.escape(DEMO_PASSWORD), self.output).group(1)
        assert User.objects.get(username=staff).role == "unit_staff"

    def test_customers_are_vietnamese_findable_by_phone_and_on_the_network(self):
        from cskh.customers.models import Customer, ServicePoint
        from cskh.customers.selectors import find_by_code, find_by_phone

        customers = list(Customer.objects.prefetch_related("phones").order_by("id"))
        assert len(customers) == 301  # 300 and the README's example customer (cskh.demo.floor)
        families = Counter(c.full_name.split()[0] for c in customers if c.segment == "residential")
        assert families.most_common(1)[0][0] == "Nguyễn"
        assert all(c.ward_id and "Hồ Chí Minh" in c.address for c in customers)
        assert all(re.fullmatch(r"PE\d{11}", c.code) for c in customers)
        from cskh.core.phones import try_e164

        phones = [p.e164 for c in customers for p in c.phones.all()]
        assert len(set(phones)) == len(phones)  # unique: a caller ID points at one customer
        assert all(try_e164(e164) == e164 for e164 in phones)  # every phone is one lookup accepts
        for c in customers[::37]:
            e164 = c.phones.all()[0].e164
            national = "0" + e164[3:]  # +84912345678 → 0912 345 678, as a caller types it
            spaced = f"{national[:4]} {national[4:7]} {national[7:]}"
            assert c in find_by_phone(spaced)
            assert find_by_code(c.code.lower()) == c
        # realistic network: every transformer hangs under exactly one feeder of one field unit
        feeders_of = defaultdict(set)
        for feeder, transformer in ServicePoint.objects.values_list(
            "feeder_code", "transformer_code"
        ):
            assert feeder and transformer
            feeders_of[transformer].add(feeder)
            assert feeder.split("-")[0] == transformer.split("-")[0]  # same unit prefix
        assert all(len(f) == 1 for f in feeders_of.values())
        n_feeders = len({f for fs in feeders_of.values() for f in fs})
        assert 1 < n_feeders < len(feeders_of)  # several transformers per feeder

    def test_case_history_is_valid_numbered_and_seasonal(self):
        from cskh.cases.models import Case, CaseCounter, CaseEvent
        from cskh.cases.states import OPEN_STATUSES, TRANSITIONS, Status

        cases = list(Case.objects.select_related("case_type").order_by("created_at", "id"))
        # 3 per customer of history, plus today's few calls of the live floor (cskh.demo.floor)
        assert 900 <= len(cases) <= 960
        numbers = [c.number for c in cases]
        assert len(set(numbers)) == len(numbers)
        by_year = defaultdict(list)
        for c in cases:
            m = NUMBER.match(c.number)
            assert m, c.number
            by_year[int(m.group(1))].append(int(m.group(2)))
            assert c.status in Status.values
            assert c.is_open == (c.status in OPEN_STATUSES)
            assert (c.resolved_at is not None) == (c.status in ("resolved", "closed"))
            assert (c.closed_at is not None) == (c.status == "closed")
            assert c.due_at is None or c.due_at > c.created_at
        now = datetime.fromisoformat(NOW)
        assert max(c.created_at for c in cases) <= now
        assert min(c.created_at for c in cases).year == 2025
        counters = dict(CaseCounter.objects.values_list("year", "value"))
        for year, seqs in by_year.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1))  # gap-free per year
            assert counters[year] == len(seqs)
        # each timeline is a legal path through the state machine ending at the case's status
        events = defaultdict(list)
        for case_id, kind, data in CaseEvent.objects.order_by("created_at", "id").values_list(
            "case_id", "kind", "data"
        ):
            events[case_id].append((kind, data))
        for c in cases[::7]:
            timeline = events[c.pk]
            assert timeline[0][0] == "created"
            state = "new"
            for kind, data in timeline[1:]:
                if kind == "status":
                    assert data["from"] == state and data["to"] in TRANSITIONS[state]
                    state = data["to"]
            assert state == c.status, c.number
        # seasonal: more outages per day in the rainy season (May–Oct), billing after bill day (5th)
        outages = Counter(
            5 <= c.created_at.month <= 10 for c in cases if c.case_type.code == "outage"
        )
        rainy_days, dry_days = 184, 182
        assert outages[True] / rainy_days > 1.5 * outages[False] / dry_days
        local_days = [
            c.created_at.astimezone(now.tzinfo).day for c in cases if c.case_type.code == "billing"
        ]
        after_bill = sum(5 <= d <= 8 for d in local_days) / 4
        rest = sum(d >= 15 for d in local_days) / 14
        assert after_bill > 2 * rest

    def test_if_empty_skips_quickly_and_a_second_build_is_refused(self):
        from cskh.cases.models import Case
        from cskh.customers.models import Customer

        n_customers, n_cases = Customer.objects.count(), Case.objects.count()
        started = time.perf_counter()
        out = demo(customers=50, seed=9, if_empty=True)
        assert time.perf_counter() - started < 2
        assert "tvv01" in out and "admin" in out
        assert (Customer.objects.count(), Case.objects.count()) == (n_customers, n_cases)
        with pytest.raises(CommandError):
            demo(customers=50, seed=9)
        assert Customer.objects.count() == n_customers

    def test_a_case_opened_after_the_demo_gets_a_fresh_number(self):
        from django.utils import timezone

        from cskh.cases.models import Case
        from cskh.cases.services import open_case
        from cskh.catalog.models import CaseType
        from cskh.customers.models import Customer
        from cskh.org.models import User

        year = timezone.localtime().year
        existing = set(Case.objects.values_list("number", flat=True))
        last = max(
            (int(n.rsplit("-", 1)[1]) for n in existing if n.startswith(f"CS-{year}-")), default=0
        )
        customer = Customer.objects.order_by("id").first()
        outage = CaseType.objects.get(profile__code="electricity", code="outage")
        agent = User.objects.get(username="tvv01")
        case = open_case(
            customer=customer, case_type=outage, description="Mất điện cả khu phố", actor=agent
        )
        assert case.number not in existing
        assert case.number == f"CS-{year}-{last + 1:06d}"
        second = open_case(customer=customer, case_type=outage, description="Vẫn mất điện")
        assert second.number == f"CS-{year}-{last + 2:06d}"
        # the bulk-loaded tables accept new rows: their id sequences follow the explicit ids
        assert case.pk > max(
            Case.objects.exclude(pk__in=[case.pk, second.pk]).values_list("pk", flat=True)
        )

    def test_knowledge_content_is_installed_with_case_variables(self):
        from cskh.knowledge.models import ArticleVersion, CannedAnswer
        from cskh.knowledge.selectors import canned_for, search

        assert ArticleVersion.objects.filter(status="approved").count() >= 10
        tariff = search("bac thang")
        assert tariff and "1.984" in tariff[0].body
        answers = canned_for(type_code="outage")
        assert answers
        assert any("{{so_vu_viec}}" in a["text"] for a in answers)
        from cskh.customers.models import Customer

        customer = Customer.objects.order_by("id").first()
        filled = canned_for(type_code="outage", customer=customer)
        assert all("{{ten_khach_hang}}" not in a["text"] for a in filled)
        assert any(customer.full_name in a["text"] for a in filled)
        assert CannedAnswer.objects.filter(case_type__code="hazard").exists()

    def test_fresh_demo_fills_the_floor_screens(self):
        """#21: work orders in every state, a live incident, planned outages next week, the README's
        example customer, and SLA clocks for closed cases (the SLA report shows past months)."""
        from datetime import timedelta

        from django.utils.dateparse import parse_datetime

        from cskh.cases.models import Case
        from cskh.customers.selectors import find_by_phone
        from cskh.demo.floor import EXAMPLE_PHONE
        from cskh.dispatch.models import WorkOrder
        from cskh.incidents.models import Incident
        from cskh.notify.models import Notification
        from cskh.sla import selectors as sla_selectors
        from cskh.sla.models import SlaClock

        assert set(WorkOrder.objects.values_list("status", flat=True)) == set(
            WorkOrder.Status.values
        )
        confirmed = Incident.objects.get(
            status="confirmed", kind__in=["unplanned_outage", "network"]
        )
        assert confirmed.eta is not None and not confirmed.title.startswith("Nghi")
        told = Notification.objects.filter(incident_id=confirmed.pk, template="incident_outage")
        assert told.count() >= 4  # everyone on the transformer, not only the 3 callers
        assert Incident.objects.filter(status="suspected").exists()
        now = parse_datetime(NOW)
        planned = Incident.objects.filter(kind="planned_outage", status="confirmed")
        assert planned.count() >= 3
        for inc in planned:
            assert now < inc.started_at < now + timedelta(days=14)
        assert find_by_phone(EXAMPLE_PHONE)
        without_clock = Case.objects.filter(
            is_open=False, resolved_at__isnull=False, sla_clock__isnull=True
        )
        assert not without_clock.exists()
        months = {
            c.stopped_at.strftime("%Y-%m")
            for c in SlaClock.objects.filter(state="stopped").only("stopped_at")
        }
        assert len(months) >= 10
        past = sorted(months)[0]
        assert sla_selectors.compliance(past)

    def test_demo_has_call_wrap_ups_and_promised_callbacks(self):
        """#21: every answered call of the history has its wrap-up (outcome, after-call seconds),
        and agents have callbacks due today, one of them already made."""
        from cskh.cases.models import Interaction
        from cskh.telephony.models import CallWrapUp, ScheduledCallback

        calls = Interaction.objects.filter(channel="phone", answered_at__isnull=False)
        wraps = CallWrapUp.objects.filter(interaction__in=calls)
        assert calls.count() > 0 and wraps.count() == calls.filter(wrap_up__isnull=False).count()
        history_calls = calls.filter(external_id__startswith="pbx-")
        assert wraps.filter(interaction__in=history_calls).count() == history_calls.count()
        assert set(wraps.values_list("outcome", flat=True)) == {"resolved", "case_logged"}
        wrap = wraps.first()
        assert (
            wrap is not None
            and 10 <= wrap.wrap_seconds <= 120
            and wrap.at > wrap.interaction.ended_at
        )
        statuses = set(ScheduledCallback.objects.values_list("status", flat=True))
        assert statuses == {"scheduled", "done"}
        assert ScheduledCallback.objects.filter(status="scheduled").count() >= 10

    def test_workforce_pages_have_data_after_the_demo(self):
        from cskh.org.models import User
        from cskh.wfm.models import ForecastRun, PresenceLog, Schedule

        assert ForecastRun.objects.filter(reason="demo").exists()
        schedule = Schedule.objects.get()
        assert schedule.status == Schedule.Status.PUBLISHED
        assert schedule.shifts.count() > 10
        assert schedule.stats["covered"] >= 0.98 * schedule.stats["bound_covered"]
        assert PresenceLog.objects.exists()
        self.client.force_login(User.objects.get(username="truongca"))
        body = self.client.get("/wfm/").content.decode()
        assert "<polyline" in body and "Tổng đài chăm sóc khách hàng" in body
        roster = self.client.get("/wfm/roster/").content.decode()
        assert "roster-table" in roster and "Việc gia đình" in roster

    def test_reports_have_rollups_after_the_demo(self):
        from cskh.org.models import User
        from cskh.reports.models import CallInterval, CaseDay, CaseHour

        assert CaseDay.objects.count() > 10 and CaseHour.objects.exists()
        assert CallInterval.objects.exists()
        months = {d.replace(day=1) for d in CaseDay.objects.values_list("day", flat=True)}
        assert len(months) >= 12  # the year of history
        manager = User.objects.filter(role="manager").first()
        self.client.force_login(manager)
        year = "from=2000-01-01&to=2100-01-01"
        for code in ("contacts_channel", "sla", "aht"):
            body = self.client.get(f"/reports/?r={code}&{year}").content.decode()
            assert "<svg" in body, code

    def test_qa_pages_have_a_year_of_weekly_reviews_calibration_and_attitude_flags(self):
        from cskh.org.models import User
        from cskh.qa.models import Answer, AttitudeFlag, Review

        assert Review.objects.filter(status="pending").exists()
        assert Review.objects.filter(status="acknowledged").count() > 20
        assert Review.objects.filter(status="disputed").exists()
        assert Review.objects.filter(auto_failed=True).exists()
        assert Review.objects.exclude(calibration_key="").filter(sample="calibration").exists()
        assert Answer.objects.exists() and AttitudeFlag.objects.exists()
        assert Review.objects.values("week").distinct().count() > 40
        lead = User.objects.filter(role="shift_lead").first()
        self.client.force_login(lead)
        assert self.client.get("/qa/reviews/").status_code == 200
        r = Review.objects.exclude(calibration_key="").first()
        page = self.client.get(f"/qa/reviews/{r.pk}/").content.decode()
        assert 'data-testid="spread"' in page
        self.client.force_login(r.agent)
        assert r.case.number in self.client.get("/qa/mine/").content.decode()

    def test_training_pages_have_mandatory_changes_paths_attempts_and_coaching(self):
        from cskh.org.models import User
        from cskh.training.models import (
            CoachingSession,
            Enrollment,
            LearningPath,
            QuizAttempt,
            ReadRequirement,
        )
        from cskh.training.selectors import requirements_overview

        assert LearningPath.objects.count() == 3
        assert Enrollment.objects.exclude(certificate_no="").exists()
        assert Enrollment.objects.filter(completed_at__isnull=True).exists()
        assert QuizAttempt.objects.filter(passed=False).exists()
        assert ReadRequirement.objects.count() >= 3
        overview = requirements_overview(None)
        assert any(o["missing"] for o in overview) and any(o["confirmed"] for o in overview)
        sessions = CoachingSession.objects.all()
        assert sessions.exists() and sessions.filter(reviews__isnull=False).exists()
        assert sessions.filter(followed_up_at__isnull=False).exists()
        lead = User.objects.filter(role="shift_lead").first()
        self.client.force_login(lead)
        for url in ("/dao-tao/", "/dao-tao/bat-buoc/", "/dao-tao/kem-cap/", "/qa/dashboard/"):
            assert self.client.get(url).status_code == 200, url
        page = self.client.get("/qa/dashboard/?weeks=52").content.decode()
        assert "<svg" in page and "polyline" in page


@pytest.mark.db_agnostic  # the seed's choices; TestBuiltDemo covers PostgreSQL's COPY path
def test_same_seed_same_data_and_another_seed_differs(db, geo):
    demo(customers=120, seed=3)
    first = snapshot()
    # 120 customers and the README's example one; 360 cases of history and the live floor's
    assert len(first[0]) == 121 and 360 <= len(first[3]) <= 420
    _wipe()  # back to an empty database (users, units and catalog stay: the demo reuses them)
    demo(customers=120, seed=3)
    assert snapshot() == first
    _wipe()
    demo(customers=120, seed=4)
    other = snapshot()
    assert [c[1] for c in other[0]] != [c[1] for c in first[0]]  # other names
    assert [c[0] for c in other[3]] == [c[0] for c in first[3]]  # same numbering scheme


def _wipe():
    from cskh.cases.models import Case, CaseCounter, CaseEvent, Interaction
    from cskh.customers.models import Customer
    from cskh.incidents.models import Incident
    from cskh.privacy.models import DataSubjectRequest
    from cskh.social.models import CrisisAlert, KnownAuthor, Mention, MentionBand, Reply

    DataSubjectRequest.objects.all().delete()  # protects its customer (the request's record)
    for model in (Reply, MentionBand, Mention, CrisisAlert, KnownAuthor):  # keyed by post ids
        model.objects.all().delete()
    Incident.objects.all().delete()
    Interaction.objects.all().delete()
    CaseEvent.objects.all().delete()
    Case.objects.all().delete()
    CaseCounter.objects.all().delete()
    Customer.objects.all().delete()
    if connection.vendor == "postgresql":  # numbering starts over, as on an empty database
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE 'cases_number_%%'")
            for (name,) in cursor.fetchall():
                cursor.execute("SELECT setval(%s, 1, false)", [name])


@pytest.mark.db_agnostic  # the profile's codes, whatever the database
def test_telecom_profile_uses_contracts_and_olt_splitter_codes(db, geo):
    from cskh.cases.models import Case
    from cskh.customers.models import Customer, ServicePoint

    out = demo(profile="telecom", customers=80, seed=2)
    assert "cn_" in out
    assert all(
        re.fullmatch(r"HCM-HD-\d{8}", c) for c in Customer.objects.values_list("code", flat=True)
    )
    sp = ServicePoint.objects.order_by("id").first()
    assert sp.feeder_code.startswith("OLT-") and sp.transformer_code.startswith("SPL-")
    assert sp.transformer_code.startswith("SPL-" + sp.feeder_code.removeprefix("OLT-"))
    types = set(Case.objects.values_list("case_type__code", flat=True))
    assert "internet_down" in types and "outage" not in types
    assert connection.vendor in ("sqlite", "postgresql")
