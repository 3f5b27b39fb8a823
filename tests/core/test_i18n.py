"""The interface speaks Vietnamese by default and English from the shipped catalog."""

import sys
from pathlib import Path

import pytest
from django.urls import reverse

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from check_i18n import unmarked  # noqa: E402

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese_by_default(client):
    body = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in body
    assert "Log in" not in body


def test_login_page_in_english_when_the_browser_asks(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in body
    assert "Tên đăng nhập" not in body


def test_api_errors_speak_the_requested_language(client):
    answer = client.get("/api/v1/cases", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 401
    assert "Not authenticated" in answer.json()["detail"]


def test_the_checker_finds_unmarked_template_text():
    found = unmarked('<p>{% translate "Đã lưu" %}</p>\n<p title="Tìm">Tìm kiếm</p>')
    assert [line for line, _ in found] == [2]


def test_the_checker_skips_comments_scripts_and_block_translations():
    text = (
        "{# Ghi chú #}{% blocktranslate %}Xin chào {{ n }}{% endblocktranslate %}"
        "<script>const s = 'Đã kết nối';</script>"
    )
    assert unmarked(text) == []
