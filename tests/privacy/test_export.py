"""Export: everything held about a customer, assembled from each app's public selector."""

import json

import pytest

from cskh.privacy import selectors
from cskh.privacy.models import AccessLog

pytestmark = pytest.mark.django_db


def test_export_holds_every_apps_part(pworld):
    from cskh.customers.services import record_consent

    c = pworld["customer"]
    record_consent(customer=c, purpose="survey", granted=False, channel="agent")
    data = selectors.export_for_customer(c.pk)
    json.dumps(data)  # machine-readable as is
    assert data["customer"]["full_name"] == "Nguyễn Văn An"
    assert data["customer"]["phones"][0]["e164"] == "+84901234567"
    assert data["customer"]["consents"][0]["purpose"] == "survey"
    assert data["cases"][0]["number"] == pworld["case"].number
    assert any("0901234567" in e["body"] for e in data["cases"][0]["events"])
    assert data["interactions"][0]["recording_url"] == "https://pbx.local/rec/1.wav"
    assert data["notifications"] and data["notifications"][0]["to"]
    assert set(data) >= {"conversations", "telephony", "customer_experience"}
    # nothing of the other customer
    assert pworld["other_case"].number not in json.dumps(data)


def test_export_pages_are_logged_and_not_cached(pworld, client):
    c = pworld["customer"]
    client.force_login(pworld["dpo"])
    r = client.get(f"/privacy/customers/{c.pk}/export.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert json.loads(r.content)["customer"]["code"] == c.code
    assert "no-store" in r["Cache-Control"]
    page = client.get(f"/privacy/customers/{c.pk}/export")
    html = page.content.decode()
    assert page.status_code == 200 and "Nguyễn Văn An" in html and pworld["case"].number in html
    assert "no-store" in page["Cache-Control"]
    logged = set(
        AccessLog.objects.filter(customer_id=c.pk, action="export").values_list("detail", flat=True)
    )
    assert logged == {"json", "html"}
    assert client.get("/privacy/customers/999999/export.json").status_code == 404
