"""Planned outages: all-or-nothing import (API, CSV/XLSX), notices ≥ 5 days ahead, reminder,
change/cancel notices, and the public schedule page (no login, no personal data, rate-limited)."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cskh.incidents import services
from cskh.incidents.models import Incident
from cskh.notify.models import Notification

pytestmark = pytest.mark.django_db

HEADER = "Mã,Khu vực,Tuyến dây,Trạm,Bắt đầu,Kết thúc,Lý do\n"


def fmt(dt):
    return timezone.localtime(dt).strftime("%d/%m/%Y %H:%M")


def good_csv(days=7):
    s = timezone.now() + timedelta(days=days)
    return (
        HEADER
        + f"LC-01,Phường Bến Thành,,T1,{fmt(s)},{fmt(s + timedelta(hours=4))},Bảo trì trạm T1\n"
        + f"LC-02,26743,F2,,{fmt(s)},{fmt(s + timedelta(hours=2))},Thay dây tuyến F2\n"
    )


def post(client, name, data: bytes):
    return client.post("/api/v1/planned-outages/import", {"file": SimpleUploadedFile(name, data)})


def test_import_csv_through_the_api(api_as, network, lead):
    r = post(api_as(lead), "lich.csv", good_csv().encode())
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["rows"], body["created"], body["short_notice"]) == (2, 2, [])
    inc = Incident.objects.get(schedule_code="LC-01")
    assert (inc.kind, inc.status, inc.level) == ("planned_outage", "confirmed", "transformer")
    assert set(inc.scopes.values_list("code", flat=True)) == {"T1"}
    assert inc.reason == "Bảo trì trạm T1"


def test_a_bad_row_rejects_the_whole_file_with_reasons(api_as, network, lead):
    s = timezone.now() + timedelta(days=7)
    past = timezone.now() - timedelta(days=1)
    data = (
        good_csv()
        + f"LC-03,Phường Bến Thành,,T404,{fmt(s)},{fmt(s + timedelta(hours=1))},Bảo trì\n"
        + f"LC-04,Phường Bến Thành,,T2,{fmt(s)},{fmt(s - timedelta(hours=1))},Bảo trì\n"
        + f"LC-05,Phường Không Có,,,{fmt(past)},{fmt(past + timedelta(hours=1))},\n"
        + f"LC-06,Phường Bến Thành,,T3,hôm nay,{fmt(s)},Bảo trì\n"
    )
    r = post(api_as(lead), "lich.csv", data.encode())
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "rejected_rows" and body["rows"] == 6
    errors = {e["row"]: " ".join(e["errors"]) for e in body["errors"]}
    assert set(errors) == {4, 5, 6, 7}  # line numbers in the file (header = line 1)
    assert "T404" in errors[4]
    assert "Kết thúc phải sau bắt đầu" in errors[5]
    assert "Không tìm thấy phường/xã" in errors[6] and "đã qua" in errors[6]
    assert "Thiếu lý do" in errors[6]
    assert "bắt đầu không hợp lệ" in errors[7]
    assert Incident.objects.count() == 0  # the two good rows were not imported either


def test_import_xlsx_and_wrong_files(api_as, network, lead):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    s = timezone.localtime(timezone.now() + timedelta(days=2)).replace(tzinfo=None, microsecond=0)
    ws.append(["Mã", "Khu vực", "Tuyến dây", "Trạm", "Bắt đầu", "Kết thúc", "Lý do"])
    ws.append(["X-1", "Bến Thành", "F1", None, s, s + timedelta(hours=3), "Sửa chữa lưới"])
    buf = io.BytesIO()
    wb.save(buf)
    client = api_as(lead)
    r = post(client, "lich.xlsx", buf.getvalue())
    assert r.status_code == 201, r.text
    assert r.json()["short_notice"] == ["X-1"]  # < 5 days: flagged
    assert Incident.objects.get(schedule_code="X-1").short_notice
    r = post(client, "lich.xlsx", b"PK\x03\x04 not really a workbook")
    assert r.status_code == 400 and r.json()["code"] == "bad_file"
    r = post(client, "lich.csv", b"a,b\n1,2\n")
    assert r.status_code == 400 and r.json()["code"] == "missing_columns"
    r = post(api_as(), "lich.csv", good_csv().encode())
    assert r.status_code in (401, 403)  # no token: refused (session auth → CSRF)
    assert Incident.objects.count() == 1


def test_agents_cannot_import(api_as, network, agent):
    r = post(api_as(agent), "lich.csv", good_csv().encode())
    assert r.status_code == 403
    assert Incident.objects.count() == 0


def test_notice_reminder_change_and_cancel(network, lead):
    from cskh.incidents.importer import parse_schedule

    now = timezone.now()
    services.import_planned(rows=parse_schedule(good_csv(days=6).encode(), "a.csv"), actor=lead)
    inc = Incident.objects.get(schedule_code="LC-01")
    t1 = {c.pk for c in network["T1"]}

    def sent(template):
        return set(
            Notification.objects.filter(incident_id=inc.pk, template=template).values_list(
                "customer_id", flat=True
            )
        )

    services.deliver_planned_notices(now=now)
    assert sent("planned_outage_notice") == t1  # 6 days ahead: every customer on T1
    body = Notification.objects.filter(incident_id=inc.pk).first().body
    assert (
        "Bảo trì trạm T1" in body
        and timezone.localtime(inc.started_at).strftime("%H:%M %d/%m/%Y") in body
    )
    services.deliver_planned_notices(now=now + timedelta(hours=1))
    assert Notification.objects.filter(incident_id=inc.pk).count() == 6  # nothing twice
    assert sent("planned_outage_reminder") == set()
    # the day before
    services.deliver_planned_notices(now=inc.started_at - timedelta(hours=20))
    assert sent("planned_outage_reminder") == t1
    # a change notifies again
    start = inc.started_at + timedelta(days=1)
    services.change_planned(incident=inc, start=start, end=start + timedelta(hours=3), actor=lead)
    services.deliver_planned_notices(now=now + timedelta(hours=2))
    assert sent("planned_outage_changed") == t1
    # cancel notifies again
    services.transition(incident=inc, to="cancelled", actor=lead, note="Hoãn")
    services.run_cascade(inc.pk)
    assert sent("planned_outage_cancelled") == t1
    inc.refresh_from_db()
    assert inc.status == "cancelled" and not inc.scopes.filter(live=True).exists()


def test_public_schedule_without_login_shows_no_personal_data(api_as, network, lead):
    from cskh.incidents.importer import parse_schedule

    services.import_planned(rows=parse_schedule(good_csv().encode(), "a.csv"), actor=lead)
    anon = api_as()
    r = anon.get("/lich-ngung-cung-cap-dien/")
    assert r.status_code == 200 and "Lịch ngừng cung cấp điện" in r.text
    r = anon.get("/lich-ngung-cung-cap-dien/", query_params={"q": "Bến Thành"})
    assert r.status_code == 200
    assert "Bảo trì trạm T1" in r.text and "Thay dây tuyến F2" in r.text
    # by customer code: only the outage that covers that customer's meter
    c = network["T1"][0]
    r = anon.get("/lich-ngung-cung-cap-dien/", query_params={"q": c.code})
    assert "Bảo trì trạm T1" in r.text and "Thay dây tuyến F2" not in r.text
    everyone = [x for t in network.values() for x in t]
    for x in everyone:
        for secret in (x.full_name, x.email, x.phones.first().e164, "0909"):
            assert secret not in r.text
    r = anon.get("/lich-ngung-cung-cap-dien/", query_params={"q": "Phường Không Tồn Tại"})
    assert "Không tìm thấy" in r.text
    assert anon.get("/incidents/").status_code in (302, 401, 403)  # the board needs login


def test_public_schedule_is_rate_limited(api_as, network, settings):
    from django.core.cache import cache

    cache.delete_pattern("rl:*") if hasattr(cache, "delete_pattern") else cache.clear()
    settings.CSKH_RATE_LIMITS = {**settings.CSKH_RATE_LIMITS, "public": 5}
    anon = api_as()
    codes = [
        anon.get("/lich-ngung-cung-cap-dien/", query_params={"q": "Bến Thành"}).status_code
        for _i in range(7)
    ]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    cache.delete_pattern("rl:*") if hasattr(cache, "delete_pattern") else cache.clear()


def test_cancel_of_a_schedule_gone_since_the_check_is_a_conflict(network, lead):
    """A cancel row checked against a live schedule that is cancelled before the import runs:
    409 with a message, not a crash on the missing incident."""
    from cskh.core.errors import Conflict
    from cskh.incidents.importer import parse_schedule

    services.import_planned(rows=parse_schedule(good_csv().encode(), "a.csv"), actor=lead)
    cancel = "Mã,Khu vực,Bắt đầu,Kết thúc,Lý do,Trạng thái\nLC-01,,,,Hoãn,hủy\n"
    rows = parse_schedule(cancel.encode(), "b.csv")
    inc = Incident.objects.get(schedule_code="LC-01")
    services.transition(incident=inc, to="cancelled", actor=lead, note="Hoãn")
    with pytest.raises(Conflict) as exc:
        services.import_planned(rows=rows, actor=lead)
    assert exc.value.code == "schedule_gone" and "LC-01" in str(exc.value.message)
