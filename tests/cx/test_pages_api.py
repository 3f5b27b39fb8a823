from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cskh.cx import signing
from cskh.cx.models import Survey
from cskh.cx.services import surveys

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def sent(resolve_case):
    case = resolve_case()
    survey = Survey.objects.get(case_id=case.pk)
    now = datetime.now(tz=HCM).replace(hour=12)
    Survey.objects.filter(pk=survey.pk).update(send_at=now - timedelta(minutes=1))
    surveys.tick(now)
    survey.refresh_from_db()
    return survey


@pytest.mark.django_db
def test_public_survey_page_answers_once(client, sent):
    url = f"/s/{signing.token_for(sent.pk)}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Quý khách hài lòng" in page.content.decode()
    assert client.post(url, {"score": "9"}).status_code == 400  # out of range for CSAT
    done = client.post(url, {"score": "5", "comment": "Rất tốt"})
    assert done.status_code == 200 and "Cảm ơn" in done.content.decode()
    again = client.get(url)
    assert again.status_code == 409
    assert client.get("/s/abc.0123456789abcdef").status_code == 404


@pytest.mark.django_db
def test_results_api_shape_and_permissions(api_as, sent, world, lead):
    surveys.answer(token=signing.token_for(sent.pk), score=5)
    assert api_as(world["agent"]).get("/api/v1/cx/csat?group_by=agent").status_code == 403
    r = api_as(lead).get("/api/v1/cx/csat?group_by=agent")
    assert r.status_code == 200
    items = r.json()["items"]
    assert items[0]["key"] == str(world["agent"].pk)
    assert items[0]["label"] == "Trần Lan"  # family name first
    assert items[0]["responses"] == 1 and items[0]["score"] == 100.0
    assert 0 < items[0]["ci_low"] < 100 and items[0]["ci_high"] == 100.0
    month = api_as(lead).get("/api/v1/cx/nps?group_by=month").json()
    assert month["items"] == []
    assert api_as(lead).get("/api/v1/cx/csat?group_by=planet").status_code == 422
    assert api_as(lead).get("/api/v1/cx/csat?from=2026-05-01&to=2026-01-01").status_code == 400


@pytest.mark.django_db
def test_results_page_has_chart_and_table(client, sent, lead):
    surveys.answer(token=signing.token_for(sent.pk), score=2)
    client.force_login(lead)
    page = client.get("/cx/?kind=csat&group_by=team")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and 'id="trend-table"' in body and "Trung tâm CSKH" in body


@pytest.mark.django_db
def test_staff_pages_need_roles(client, world, unit_staff):
    client.force_login(unit_staff)
    assert client.get("/cx/").status_code == 403
    assert client.get("/cx/giu-chan/").status_code == 403
    client.force_login(world["agent"])
    assert client.get("/cx/giu-chan/").status_code == 200
    assert client.get("/cx/goi-lai/").status_code == 200
    assert client.get("/cx/giu-chan/999999/").status_code == 404


def test_wilson_and_nps_intervals():
    from cskh.cx import stats

    lo, hi = stats.wilson(8, 10)
    assert lo < 80 < hi and round(lo, 1) == 49.0
    assert stats.nps(6, 2, 10) == 40.0
    lo, hi = stats.nps_interval(60, 20, 100)
    assert lo < 40 < hi and hi - lo < 40
