"""Pages: queue order, mention page, reply warning, alerts on the supervisor page, dashboard
and CSV export, permissions."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from cskh.social.models import CrisisAlert, Mention


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def add(ext, *, actionable, reach, urgent=False, sentiment="negative", days=0):
    now = timezone.now() - timedelta(days=days)
    return Mention.objects.create(
        source="facebook_group",
        external_id=ext,
        author=f"Tác giả {ext}",
        text=f"Bài {ext} mất điện",
        posted_at=now,
        received_at=now,
        sentiment=sentiment,
        actionable=actionable,
        urgent=urgent,
        reach=reach,
        topic="mat_dien" if actionable else "",
    )


def test_queue_actionable_first_then_urgent_then_reach(world):
    add("grumble", actionable=False, reach=99999)
    add("small", actionable=True, reach=10)
    add("big", actionable=True, reach=5000)
    add("urgent", actionable=True, reach=1, urgent=True)
    html = login(world["agent"]).get("/social/").content.decode()
    order = [html.index(f"Bài {x}") for x in ("urgent", "big", "small", "grumble")]
    assert order == sorted(order)


def test_mention_page_and_pii_warning(world):
    m = add("one", actionable=True, reach=10)
    c = login(world["agent"])
    page = c.get(f"/social/m/{m.pk}/")
    assert page.status_code == 200 and "Bài one" in page.content.decode()
    warn = c.post("/social/check-reply", {"text": "Anh gọi 0901234567 nhé"}).content.decode()
    assert "Không đăng công khai thông tin cá nhân" in warn and "số điện thoại" in warn
    assert (
        "pii-warning"
        not in c.post("/social/check-reply", {"text": "Dạ em xin lỗi anh"}).content.decode()
    )
    r = c.post(
        f"/social/m/{m.pk}/reply", {"text": "Anh gọi 0901234567 nhé", "send": "1"}, follow=True
    )
    assert "Không đăng công khai" in r.content.decode()
    assert m.replies.get().status == "draft"


def test_unit_staff_cannot_see_social(world, unit_staff):
    assert login(unit_staff).get("/social/").status_code == 403
    assert login(world["agent"]).get("/social/dashboard/").status_code == 403


def test_alert_on_supervisor_page_and_ack(world, lead):
    now = timezone.now()
    a = CrisisAlert.objects.create(
        created_at=now,
        source="facebook_group",
        topic="mat_dien",
        window_start=now - timedelta(hours=1),
        window_end=now,
        count=42,
        baseline=2.5,
        clusters=[],
        words=[["mat", 40], ["dien", 39]],
    )
    c = login(lead)
    html = (
        c.get("/desk/supervisor/").content.decode()
        if c.get("/desk/supervisor/").status_code == 200
        else ""
    )
    assert "42" in html and "Cảnh báo khủng hoảng" in html
    c.post(f"/social/alerts/{a.pk}/ack", {"next": "/social/alerts/"})
    a.refresh_from_db()
    assert a.acknowledged_by_id == lead.pk


def test_dashboard_and_csv_export(world, lead):
    add("a", actionable=True, reach=10, days=1)
    add("b", actionable=False, reach=20, sentiment="positive", days=2)
    c = login(lead)
    page = c.get("/social/dashboard/?days=30")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Tác giả b" in html
    csv = b"".join(c.get("/social/dashboard.csv?days=30").streaming_content)
    assert csv.startswith("\ufeff".encode())
    lines = csv.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("id,source") and len(lines) == 3
    assert "Tác giả a" in lines[1] or "Tác giả a" in lines[2]


def test_dashboard_xlsx_export_typed_vietnamese_and_neutralised(world, lead):
    import io

    from openpyxl import load_workbook

    add("ok", actionable=True, reach=1234, days=1)
    evil = add("evil", actionable=False, reach=5, days=2)
    evil.author = '=HYPERLINK("http://x.example","Nguyễn Văn Ấn")'
    evil.save(update_fields=["author"])
    c = login(lead)
    r = c.get("/social/dashboard.xlsx?days=30")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[:2] == ("id", "source") and len(data) == 2
    by_author = {row[header.index("author")]: row for row in data}
    assert "Tác giả ok" in by_author  # Vietnamese intact
    ok = by_author["Tác giả ok"]
    assert ok[header.index("reach")] == 1234  # a number stays a number
    assert ok[header.index("posted_at")].year >= 2026  # a date cell, not text
    # formula injection neutralised: stored as text with a leading apostrophe, no formula
    neutral = '\'=HYPERLINK("http://x.example","Nguyễn Văn Ấn")'
    assert neutral in by_author
    cell = ws.cell(row=2 + data.index(by_author[neutral]), column=header.index("author") + 1)
    assert cell.data_type == "s"


def test_exports_need_a_lead(world, agent):
    c = login(agent)
    assert c.get("/social/dashboard.xlsx").status_code == 403
    assert c.get("/social/dashboard.csv").status_code == 403
