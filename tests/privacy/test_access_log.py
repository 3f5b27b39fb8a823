"""Audit of reads: desk card, phone search, exports; the officer's page of a customer's
access log; the breach access report (page and `cskh privacy access-report`)."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from cskh.privacy import services
from cskh.privacy.models import AccessLog

pytestmark = pytest.mark.django_db


def test_desk_card_and_phone_search_are_logged(pworld, client):
    c, agent = pworld["customer"], pworld["agent"]
    client.force_login(agent)
    r = client.get(f"/desk/customers/{c.pk}/card")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    row = AccessLog.objects.get(action="card")
    assert (row.user_id, row.customer_id) == (agent.pk, c.pk)
    # the desk's search box POSTs the number: it is in no URL, and the search is logged
    r = client.post("/desk/customers/find", {"q": "0901 234 567"})
    assert r.status_code == 200 and 'data-mode="card"' in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    search = AccessLog.objects.get(action="search")
    assert (search.customer_id, search.detail) == (c.pk, "+84901234567")
    # a number nobody has is logged too (who searched which phone)
    client.post("/desk/customers/find", {"q": "0933 111 222"})
    assert AccessLog.objects.filter(
        action="search", customer_id=None, detail="+84933111222"
    ).exists()


def test_desk_search_box_posts(pworld, client):
    client.force_login(pworld["agent"])
    html = client.get("/desk/").content.decode()
    assert 'hx-post="/desk/customers/find"' in html
    assert 'hx-get="/desk/customers/find"' not in html


def test_officer_sees_a_customers_access_log(pworld, client):
    c = pworld["customer"]
    services.record_access(user=pworld["agent"], customer_id=c.pk, action="card")
    services.record_access(user=pworld["agent"], customer_id=pworld["other"].pk, action="card")
    client.force_login(pworld["agent"])
    assert client.get(f"/privacy/customers/{c.pk}/").status_code == 403
    client.force_login(pworld["dpo"])
    r = client.get(f"/privacy/customers/{c.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    assert "tvv01" in html and "Mở thẻ khách hàng" in html
    # the officer's own look is logged as well
    assert AccessLog.objects.filter(user_id=pworld["dpo"].pk, customer_id=c.pk).exists()


def _rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_access_report_for_a_window(pworld, client):
    now = timezone.now()
    c = pworld["customer"]
    services.record_access(user=pworld["agent"], customer_id=c.pk, action="card", at=now)
    services.record_access(
        user=pworld["agent"], customer_id=c.pk, action="card", at=now - timedelta(days=10)
    )
    out = io.StringIO()
    start = (now - timedelta(days=1)).isoformat()
    end = (now + timedelta(minutes=1)).isoformat()
    call_command("privacy", "access-report", "--from", start, "--to", end, stdout=out)
    rows = _rows(out.getvalue())
    assert rows[0][:3] == ["at", "user_id", "username"]
    assert [(r[2], r[3], r[4], r[5]) for r in rows[1:]] == [("tvv01", "agent", "card", str(c.pk))]

    client.force_login(pworld["dpo"])
    day = timezone.localdate(now).isoformat()
    r = client.get("/privacy/access-report", {"from": day, "to": day})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    body = b"".join(r.streaming_content).decode()
    # the agent's read today, and the officer's report itself (logged as an export)
    assert [(row[2], row[4]) for row in _rows(body)[1:]] == [("tvv01", "card"), ("dpo01", "export")]
    assert client.get("/privacy/access-report", {"from": "x", "to": day}).status_code == 400
    assert client.get("/privacy/access-report").status_code == 200  # the form
    client.force_login(pworld["agent"])
    assert client.get("/privacy/access-report", {"from": day, "to": day}).status_code == 403


def test_bulk_record_is_one_insert(pworld, django_assert_num_queries):
    with django_assert_num_queries(1):
        services.record_accesses(
            user=pworld["agent"], customer_ids=[1, 2, 3, 2], action="search", detail="+8490"
        )
    assert AccessLog.objects.count() == 3
