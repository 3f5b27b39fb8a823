"""#20 hardening: `check --deploy` clean with the TLS settings from the environment, the shared
secret key for several hosts, a strict Content-Security-Policy with no inline script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "cskh"
# settings, templates and response headers: the same whatever the database
pytestmark = pytest.mark.db_agnostic


def _run(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "CSKH_MULTI_HOST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env | {"DJANGO_SETTINGS_MODULE": "cskh.settings"},
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_check_deploy_is_clean_with_tls_settings():
    r = _run(
        {
            "SECRET_KEY": "k" * 20 + "-Zx9_qP2vL7mN4rT8wY1uE5iO3aS6dF0gH",
            "CSKH_TLS": "1",
            "ALLOWED_HOSTS": "cskh.example.vn",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_check_deploy_warns_without_them():
    r = _run({"SECRET_KEY": "k" * 60}, "check", "--deploy", "--fail-level", "WARNING")
    assert r.returncode != 0
    assert "security.W004" in r.stderr + r.stdout  # no HSTS


def test_no_date_or_time_field_has_a_fixed_default():
    """Django's fields.W161 flags a fixed date/time default when the checks run within seconds
    of it: `check --deploy --fail-level WARNING` failed at 07:30:00 UTC, the default opening
    time of an office. Such defaults are callables (None never matches the clock)."""
    from django.apps import apps
    from django.db import models

    fixed = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.DateField | models.TimeField)
        and field.has_default()
        and field.default is not None
        and not callable(field.default)
    ]
    assert fixed == []


def test_several_hosts_refuse_a_generated_secret_key():
    r = _run({"CSKH_MULTI_HOST": "1"}, "check")
    assert r.returncode != 0
    assert "SECRET_KEY" in r.stderr
    ok = _run({"CSKH_MULTI_HOST": "1", "SECRET_KEY": "k" * 60}, "check")
    assert ok.returncode == 0, ok.stderr


def test_tls_settings_follow_the_environment():
    r = _run(
        {"SECRET_KEY": "k" * 60, "CSKH_TLS": "1"},
        "shell",
        "-c",
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)",
    )
    assert r.stdout.split("\n")[-2] == (
        "True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    ), r.stderr


def test_templates_have_no_inline_script_or_handlers():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style_attr = re.compile(r"\sstyle\s*=", re.I)
    offenders = []
    for path in SRC.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for rx in (inline_script, handler, style_attr):
            if rx.search(text):
                offenders.append(f"{path.relative_to(SRC)}: {rx.pattern}")
    assert offenders == []


@pytest.mark.django_db
def test_pages_send_a_strict_csp(client, agent):
    client.force_login(agent)
    for url in ["/desk/", "/accounts/login/", "/api/v1/docs"]:
        r = client.get(url)
        policy = r["Content-Security-Policy"]
        assert "script-src 'self'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        assert "frame-ancestors 'none'" in policy
    body = client.get("/desk/").content.decode()
    assert '"allowEval":false' in body and '"includeIndicatorStyles":false' in body
    # the API docs: Swagger UI from our own static files, same origin
    docs = client.get("/api/v1/docs").content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', docs)
    assert scripts and all(s.startswith("/static/") for s in scripts)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_api_docs_and_desk_run_under_the_csp(page_for, agent):
    """Swagger UI (our static files) and the desk render with no CSP violation."""
    page = page_for(agent)
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    page.goto("/desk/")
    page.wait_for_selector("body[data-live=connected]", timeout=20000)
    assert violations == []
