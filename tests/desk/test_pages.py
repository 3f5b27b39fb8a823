"""Desk pages rendered server-side (Django test client): content, access, no stack traces."""

import pytest

pytestmark = pytest.mark.django_db


def test_desk_home_waits_for_a_call(world, logged_in):
    c = logged_in(world["agent"])
    r = c.get("/desk/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Chờ cuộc gọi" in html
    assert 'id="help"' in html and "Phím tắt" in html
    assert "/desk/live" in html


def test_find_customer_by_any_phone_format_shows_card(world, logged_in):
    c = logged_in(world["agent"])
    r = c.get("/desk/customers/find", {"q": "84.901.234.567"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Nguyễn Văn An" in html and world["customer"].code in html
    assert 'data-mode="card"' in html


def test_find_unknown_number_offers_quick_create_prefilled(world, logged_in):
    c = logged_in(world["agent"])
    r = c.get("/desk/customers/find", {"q": "0933 111 222"})
    html = r.content.decode()
    assert 'data-mode="new"' in html
    assert 'value="0933 111 222"' in html


def test_unit_staff_cannot_open_the_desk(world, unit_staff, logged_in):
    c = logged_in(unit_staff)
    assert c.get("/desk/").status_code == 403
    assert c.get("/desk/queue/").status_code == 403


def test_missing_pages_are_friendly(world, logged_in):
    c = logged_in(world["agent"])
    r = c.get("/desk/cases/CS-1999-000001/")
    assert r.status_code == 404
    assert "Traceback" not in r.content.decode()
    r = c.get("/desk/customers/999999/card")
    assert r.status_code == 404
    r = c.get("/desk/queue/", {"cursor": "garbage!!"})
    assert r.status_code == 200
    assert "Con trỏ phân trang không hợp lệ" in r.content.decode()


def test_suggestion_chip_comes_from_the_active_model_and_names_its_version(world, agent, logged_in):
    from cskh.textintel import services as text_services

    client = logged_in(agent)
    text_services.warm_up()  # `cskh serve` does this at start; here the test does
    model = text_services.active_model("electricity")
    r = client.get("/desk/suggest", {"description": "Mất điện cả khu phố từ sáng tới giờ"})
    assert r.status_code == 200
    assert 'data-suggest="outage"' in r.text
    assert f'data-model-version="{model.version}"' in r.text
    assert client.get("/desk/suggest", {"description": "ngắn"}).content.strip() == b""
