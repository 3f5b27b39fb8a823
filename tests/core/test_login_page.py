"""The sign-in page after a wrong password keeps the username and focuses the password (#21)."""

import pytest

pytestmark = pytest.mark.django_db


def test_failed_login_keeps_the_username(client, agent):
    r = client.post("/accounts/login/", {"username": agent.username, "password": "sai-mat-khau"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "không đúng" in html
    assert f'value="{agent.username}"' in html
    password = html[html.index('id="id_password"') :].split(">", 1)[0]
    assert "autofocus" in password
