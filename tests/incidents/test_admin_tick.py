"""Admin import page and the `incidents_tick` scheduler command."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from cskh.incidents import services
from cskh.incidents.models import Incident, ScheduleImport
from cskh.notify.models import Notification

pytestmark = pytest.mark.django_db


def test_admin_import_all_or_nothing(client, network, center):
    from cskh.org.services import create_user

    admin = create_user(username="quantri", password="Matkhau!2026", role="admin", unit=center)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert "Nhập lịch ngừng cung cấp điện" in client.get("/admin/incidents/incident/").text
    s = timezone.localtime(timezone.now() + timedelta(days=8)).strftime("%d/%m/%Y %H:%M")
    e = timezone.localtime(timezone.now() + timedelta(days=8, hours=2)).strftime("%d/%m/%Y %H:%M")
    bad = f"Mã,Trạm,Bắt đầu,Kết thúc,Lý do\nA1,T1,{s},{e},Bảo trì\nA2,T404,{s},{e},Bảo trì\n"
    r = client.post(
        "/admin/incidents/incident/import/",
        {"file": SimpleUploadedFile("lich.csv", bad.encode())},
    )
    assert r.status_code == 200 and "T404" in r.text and 'id="rejected"' in r.text
    assert Incident.objects.count() == 0
    good = bad.splitlines()[:2]
    r = client.post(
        "/admin/incidents/incident/import/",
        {"file": SimpleUploadedFile("lich.csv", ("\n".join(good) + "\n").encode())},
    )
    assert 'id="imported"' in r.text
    assert Incident.objects.get().schedule_code == "A1"
    assert ScheduleImport.objects.get().created == 1


def test_tick_runs_pending_cascades_and_due_notices(network, lead, report):
    inc = services.create_incident(
        kind="unplanned_outage", title="Sự cố T9", scope={"transformers": ["T9"]}, actor=lead
    )
    case = report(network["T9"][0])
    services.transition(incident=inc, to="resolved", actor=lead)
    # no task worker ran: the command picks the cascade up
    call_command("incidents_tick")
    case.refresh_from_db()
    assert case.status == "resolved"
    # created confirmed, the outage told its 6 customers; resolved, it tells them again
    restored = Notification.objects.filter(incident_id=inc.pk, template="incident_restored")
    assert restored.count() == 6
    assert not Incident.objects.get(pk=inc.pk).cascade_pending
