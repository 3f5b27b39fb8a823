"""Report pages and exports: permissions (leads read, managers subscribe, unit staff see
their units), every report renders with its chart and table, XLSX typed/frozen/neutralised,
CSV with a BOM, background export with progress and download."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cskh.reports import selectors
from cskh.reports.services import rollups

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world, make_case):
    now = timezone.now()
    make_case(
        now - timedelta(days=2), subject='=HYPERLINK("http://x")', due_after=timedelta(hours=1)
    )
    make_case(now - timedelta(days=1), channel="zalo", resolved_after=timedelta(hours=2))
    rollups.rebuild(timezone.localdate() - timedelta(days=5), timezone.localdate())


def test_agent_gets_403_lead_reads(client, agent, lead, data):
    client.force_login(agent)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/wallboard/").status_code == 403
    client.force_login(lead)
    assert client.get("/reports/wallboard/").status_code == 200
    r = client.get("/reports/")
    assert r.status_code == 200
    assert "Nhận báo cáo này qua email" not in r.content.decode()  # leads: read only
    assert (
        client.post("/reports/dang-ky/", {"report": "sla", "frequency": "daily"}).status_code == 403
    )


@pytest.mark.parametrize("code", list(selectors.REPORTS))
def test_every_report_renders_chart_and_table(client, manager, data, code):
    client.force_login(manager)
    r = client.get(f"/reports/?r={code}")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="report-table"' in html
    if code in ("contacts_channel", "contacts_day", "contacts_hour", "backlog", "repeat", "fcr"):
        assert "<svg" in html  # data exists for these: a chart, not "no data"


def test_contacts_by_channel_counts_from_rollups(manager, data):
    f = selectors.filters_for(manager)
    rep = selectors.report("contacts_channel", user=manager, filters=f)
    assert {r["label"]: r["value"] for r in rep.rows} == {"Điện thoại": 1, "Zalo": 1}
    zalo = selectors.filters_for(manager, channel="zalo")
    assert (
        sum(
            r["value"]
            for r in selectors.report("contacts_channel", user=manager, filters=zalo).rows
        )
        == 1
    )


def test_unit_staff_see_only_their_unit(unit_staff, other_unit, make_case, data):
    make_case(timezone.now() - timedelta(days=1), unit=other_unit)
    rollups.rebuild(timezone.localdate() - timedelta(days=5), timezone.localdate())
    f_all = selectors.filters_for(unit_staff)
    total = sum(
        r["value"] for r in selectors.report("contacts_day", user=unit_staff, filters=f_all).rows
    )
    assert total == 2  # the other unit's case is not counted
    assert selectors.case_list(unit_staff, f_all).count() == 2


def test_xlsx_export_typed_frozen_and_neutralised(client, manager, data):
    client.force_login(manager)
    r = client.get("/reports/xuat/contacts_day.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "Ngày" and ws["B1"].value == "Số liên hệ"
    assert isinstance(ws["B2"].value, int)
    assert ws["A2"].is_date
    # case list: a subject that is a formula stays text
    r = client.get("/reports/vu-viec.csv")
    body = b"".join(r.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffSố yêu cầu,")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    subjects = [row[6] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in subjects


def test_report_csv_has_bom_and_vietnamese(client, manager, data):
    client.force_login(manager)
    r = client.get("/reports/xuat/contacts_channel.csv")
    body = b"".join(r.streaming_content)
    assert body.startswith("\ufeff".encode())
    assert "Điện thoại" in body.decode("utf-8")
    assert client.get("/reports/xuat/contacts_channel.pdf").status_code == 404
    assert client.get("/reports/xuat/nope.csv").status_code == 404


def test_background_case_export_progress_and_download(client, manager, data, settings):
    from cskh.reports.models import ExportJob
    from cskh.reports.services import exports

    client.force_login(manager)
    r = client.post("/reports/xuat-nen/", {"kind": "cases", "fmt": "xlsx"})
    assert r.status_code == 302
    job = ExportJob.objects.get()
    exports.run_export(job.pk)  # what the task does (the test backend does not run tasks)
    job.refresh_from_db()
    assert job.status == "done" and job.total == 2 and job.percent == 100
    page = client.get(f"/reports/xuat-nen/{job.pk}/")
    assert "export-download" in page.content.decode()
    dl = client.get(f"/reports/xuat-nen/{job.pk}/tai-ve")
    ws = load_workbook(io.BytesIO(b"".join(dl.streaming_content))).active
    assert ws.max_row == 3
    assert ws["A1"].value == "Số yêu cầu"


def test_another_users_export_is_404(client, manager, lead, data):
    from cskh.reports.services import exports

    job = exports.start_export(user=manager, kind="cases", fmt="csv", params={})
    client.force_login(lead)
    assert client.get(f"/reports/xuat-nen/{job.pk}/").status_code == 404


def test_wallboard_tiles_threshold_colours(client, lead, agent, settings):
    from cskh.cases.models import Interaction

    settings.CSKH_WALLBOARD_THRESHOLDS = {**settings.CSKH_WALLBOARD_THRESHOLDS, "waiting": (1, 2)}
    client.force_login(lead)
    html = client.get("/reports/wallboard/tiles").content.decode()
    assert 'id="tile-waiting" data-level="ok"' in html
    Interaction.objects.create(agent=agent, started_at=timezone.now(), state="ringing")
    html = client.get("/reports/wallboard/tiles").content.decode()
    assert 'id="tile-waiting" data-level="warn"' in html


def test_api_report_and_wallboard(api_as, manager, agent, data):
    r = api_as(manager).get("/api/v1/reports/contacts_channel")
    assert r.status_code == 200
    body = r.json()
    assert body["title"] == "Liên hệ theo kênh"
    assert {row["label"]: row["value"] for row in body["rows"]} == {"Điện thoại": 1, "Zalo": 1}
    assert api_as(manager).get("/api/v1/reports/nope").status_code == 404
    assert api_as(manager).get("/api/v1/reports/sla?from=2026-13-01").status_code == 422
    assert api_as(agent).get("/api/v1/reports/sla").status_code == 403
    wb = api_as(manager).get("/api/v1/reports/wallboard").json()
    assert {t["key"] for t in wb["tiles"]} >= {"waiting", "sl", "risk", "breached"}
    assert set(wb["agents_by_state"]) == {
        "available",
        "on_call",
        "after_call_work",
        "break",
        "offline",
    }
