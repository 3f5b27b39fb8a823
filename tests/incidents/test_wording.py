"""The telecom profile speaks telecom: incident titles, public message, planned notices, the
public page and its path, the dispatch ticket's name all come from the profile (catalog)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cskh.incidents.models import Incident

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "cskh"


@pytest.fixture
def telecom_network(network):
    from cskh.catalog.services import install_profile

    install_profile("telecom")
    return network


def _detect(network, report):
    from cskh.catalog.models import CaseType

    down = CaseType.objects.get(profile__code="telecom", code="internet_down")
    t0 = timezone.now() - timedelta(minutes=20)
    for i, c in enumerate(network["T1"][:3]):
        report(c, at=t0 + timedelta(minutes=i), case_type=down)
    return Incident.objects.get(status="suspected")


def test_telecom_auto_incident_speaks_telecom(telecom_network, report):
    inc = _detect(telecom_network, report)
    assert "điện" not in inc.title and "điện" not in inc.public_message
    assert inc.title.startswith("Nghi gián đoạn dịch vụ")
    assert "splitter T1" in inc.title


def test_electricity_auto_incident_keeps_its_words(network, report):
    from cskh.catalog.models import CaseType

    outage = CaseType.objects.get(code="outage")
    t0 = timezone.now() - timedelta(minutes=20)
    for i, c in enumerate(network["T1"][:3]):
        report(c, at=t0 + timedelta(minutes=i), case_type=outage)
    inc = Incident.objects.get(status="suspected")
    assert inc.title.startswith("Nghi mất điện diện rộng: trạm T1")
    assert "mất điện" in inc.public_message


def test_telecom_planned_notice_has_no_electricity_words(telecom):
    from cskh.incidents.services.notices import notify_context
    from cskh.notify.services import render

    inc = Incident.objects.create(
        kind=Incident.Kind.PLANNED,
        status=Incident.Status.CONFIRMED,
        title="x",
        started_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=2),
    )
    for code in (
        "planned_outage_notice",
        "planned_outage_reminder",
        "planned_outage_changed",
        "planned_outage_cancelled",
    ):
        subject, body = render(code, "sms", notify_context(inc))
        assert "điện" not in subject + body, code
        assert "bảo trì" in (subject + body).lower(), code


def test_public_schedule_path_and_title_follow_the_profile(client, telecom):
    r = client.get("/lich-bao-tri-mang/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Lịch bảo trì mạng" in html and "cung cấp điện" not in html
    r = client.get("/lich-ngung-cung-cap-dien/")
    assert r.status_code == 302 and r["Location"] == "/lich-bao-tri-mang/"


def test_electricity_public_schedule_keeps_its_path(client, profile):
    r = client.get("/lich-ngung-cung-cap-dien/")
    assert r.status_code == 200
    assert "Lịch ngừng cung cấp điện" in r.content.decode()


def test_no_page_calls_a_dispatch_ticket_a_work_permit_or_a_case_vu_viec():
    """“Phiếu công tác” is the electrical-safety work permit; a case is “yêu cầu” everywhere
    (the word customers read in their SMS)."""
    offenders = []
    for path in SRC.glob("*/templates/**/*.html"):
        text = path.read_text(encoding="utf-8").lower()
        if "phiếu công tác" in text or "vụ việc" in text:
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_work_order_list_is_titled_from_the_profile(client, unit_staff):
    client.force_login(unit_staff)
    html = client.get("/portal/").content.decode()
    assert "Phiếu giao việc" in html and "Phiếu công tác" not in html
