"""Navigation shows only what the role may open (#21): field-unit staff follow every link of
their pages without a 403; a 403 is logged in one line, without a traceback."""

import logging
import re

import pytest

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<nav class="nav">(.*?)</nav>', re.S)


def nav_links(html: str) -> list[str]:
    found = HREF.search(html)
    assert found, "page has a navigation bar"
    return [h for h in re.findall(r'href="([^"]+)"', found.group(1)) if h.startswith("/")]


@pytest.mark.parametrize("start", ["/portal/", "/incidents/"])
def test_unit_staff_can_open_every_link_they_see(client, profile, unit_staff, start):
    client.force_login(unit_staff)
    r = client.get(start, follow=True)
    assert r.status_code == 200
    links = nav_links(r.content.decode())
    assert links
    for href in links:
        status = client.get(href, follow=True).status_code
        assert status == 200, (href, status)


def test_a_403_is_logged_without_a_traceback(client, profile, unit_staff, caplog):
    client.force_login(unit_staff)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        r = client.get("/incidents/planned/import")
    assert r.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(rec.exc_info is None for rec in records)


def test_favicon_is_served():
    from django.contrib.staticfiles import finders
    from django.test import Client

    r = Client().get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("cskh/favicon.svg")
    assert finders.find("cskh/favicon.svg")
