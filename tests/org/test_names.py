"""Staff names in Vietnamese order, family name first, everywhere (#21)."""

import pytest
from django.template import Context, Template

from cskh.org.names import vietnamese_name

pytestmark = pytest.mark.django_db


def test_helper_puts_the_family_name_first():
    assert vietnamese_name("Lê Minh", "Thành") == "Lê Minh Thành"
    assert vietnamese_name("", "Thành") == "Thành"
    assert vietnamese_name("  Lê  Minh ", "") == "Lê Minh"


def test_user_full_name_and_display_name_are_vietnamese(agent):
    agent.last_name, agent.first_name = "Lê Minh", "Thành"
    assert agent.get_full_name() == "Lê Minh Thành"
    assert agent.display_name == "Lê Minh Thành"
    assert agent.get_short_name() == "Thành"  # how colleagues address each other


def test_template_filter_and_pages_print_vietnamese_order(client, agent):
    agent.last_name, agent.first_name = "Lê Minh", "Thành"
    agent.save()
    out = Template("{% load perms %}{{ u|staff_name }}").render(Context({"u": agent}))
    assert out == "Lê Minh Thành"
    client.force_login(agent)
    html = client.get("/", follow=True).content.decode()
    assert "Lê Minh Thành" in html and "Thành Lê Minh" not in html
