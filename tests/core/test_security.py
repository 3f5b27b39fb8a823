import pytest
from django.test import Client, override_settings

from cskh.core import ratelimit
from cskh.core.errors import DomainError


@pytest.mark.django_db
def test_pages_require_login(client: Client):
    for url in ["/", "/admin/"]:
        r = client.get(url)
        assert r.status_code == 302 and "login" in r.headers["Location"]


@pytest.mark.django_db
def test_login_is_rate_limited(client: Client, agent, settings, monkeypatch):
    import types

    from django.core.cache import cache

    # one fixed window: a run that crossed a minute boundary would start a fresh count
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: 1_800_000_000.0))
    cache.delete_pattern("rl:*") if hasattr(cache, "delete_pattern") else cache.clear()
    settings.CSKH_RATE_LIMITS = {**settings.CSKH_RATE_LIMITS, "login": 3}
    for _ in range(3):
        r = client.post("/accounts/login/", {"username": "tvv01", "password": "wrong"})
        assert r.status_code == 200
    r = client.post("/accounts/login/", {"username": "tvv01", "password": "Matkhau!2026"})
    assert r.status_code == 429
    assert "Quá nhiều yêu cầu" in r.content.decode()


@pytest.mark.django_db
def test_login_page_is_vietnamese_and_csrf_protected(agent):
    c = Client(enforce_csrf_checks=True)
    r = c.get("/accounts/login/")
    assert "Đăng nhập" in r.content.decode() and 'lang="vi"' in r.content.decode()
    r = c.post("/accounts/login/", {"username": "tvv01", "password": "Matkhau!2026"})
    assert r.status_code == 403


@pytest.mark.django_db
def test_english_through_i18n(client: Client):
    r = client.get("/accounts/login/", headers={"accept-language": "en"})
    assert 'lang="en"' in r.content.decode()


@pytest.mark.django_db
def test_ratelimit_counts_per_key():
    from django.core.cache import cache

    cache.delete_pattern("rl:*") if hasattr(cache, "delete_pattern") else cache.clear()
    for _ in range(5):
        ratelimit.hit("test", "a", limit=5)
    with pytest.raises(DomainError) as exc:
        ratelimit.hit("test", "a", limit=5)
    assert exc.value.status == 429
    ratelimit.hit("test", "b", limit=5)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_audit_log_is_append_only(agent):
    from cskh.core.models import AuditLog

    log = AuditLog.objects.filter(action="user.create").first()
    assert log is not None
    with pytest.raises(ValueError):
        log.save()
    with pytest.raises(ValueError):
        log.delete()
