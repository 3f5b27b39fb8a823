"""Shared fixtures. Real parts only: SQLite/PostgreSQL, Redis, headless Chromium, live HTTP."""

import os
import shutil

import httpx
import pytest
from django.test import Client, TestCase, TransactionTestCase

from tests import dbtemplate

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_sessionstart(session):
    if IN_CI and not CHROMIUM:
        pytest.exit("CI=true but Debian's chromium is not installed", returncode=3)
    if IN_CI and os.environ.get("REDIS_URL"):
        import redis

        try:
            redis.Redis.from_url(os.environ["REDIS_URL"]).ping()
        except redis.RedisError as exc:
            pytest.exit(f"CI=true but Redis is unreachable: {exc}", returncode=3)


def pytest_collection_modifyitems(config, items):
    """Every test driving Chromium carries the `browser` marker, whether or not its module says
    so: scripts/test.sh selects on it.

    Order: the tests that need no database first, so that the workers run them while the
    template database is being built (tests/dbtemplate.py); then the xdist groups (the long
    served-installation and demo modules: started early, they do not end the run alone); then
    the database tests in the order pytest-django gave them (its hook runs first: tryfirst),
    which keeps the transactional tests (they empty every table) after the others. Among those,
    the ones marked `long` go first: a worker that draws one near the end of the run would
    otherwise leave the other worker idle for its whole length."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    items.sort(key=_start_order)  # stable: pytest-django's order stays within each part


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def _start_order(item) -> tuple[int, int]:
    if item.get_closest_marker("xdist_group"):
        return (1, 0)
    cls = getattr(item, "cls", None)
    if (
        item.get_closest_marker("django_db")
        or DB_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        or (cls is not None and issubclass(cls, TransactionTestCase))
    ):
        if not _transactional(item):
            return (2, 0)
        return (2, 1) if item.get_closest_marker("long") else (2, 2)
    return (0, 0)


def _transactional(item) -> bool:
    """The test commits (pytest-django's transactional_db, live_server, or a Django
    TransactionTestCase that is not a TestCase): the database is flushed after it."""
    marker = item.get_closest_marker("django_db")
    cls = getattr(item, "cls", None)
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"}.intersection(getattr(item, "fixturenames", ()))
        or (
            cls is not None
            and issubclass(cls, TransactionTestCase)
            and not issubclass(cls, TestCase)
        )
    )


def pytest_configure(config):
    if not dbtemplate.WORKER:  # the xdist controller (or the only process), before any worker
        builder = dbtemplate.start_build()
        config.add_cleanup(lambda: dbtemplate.finish(builder))  # after every worker stopped
        static = dbtemplate.start_static_root()
        if static is not None:
            config.add_cleanup(lambda: shutil.rmtree(static, ignore_errors=True))


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_modify_db_settings,
):
    """pytest-django's fixture, overridden as its documentation offers: the test database is a
    copy of this run's migrated template (tests/dbtemplate.py). Django's
    `setup_databases(keepdb=True)` then finds the copy, applies no migration and runs the
    post-migrate signal, as for a reused database."""
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    db = settings.DATABASES["default"]
    name = db["TEST"].get("NAME") or f"test_{db['NAME']}"  # Django's documented default
    url = dbtemplate.copy(name)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        # no test uses serialized_rollback, so nothing is serialized after creation
        config = setup_databases(
            verbosity=verbosity,
            interactive=False,
            keepdb=True,
            serialized_aliases=set(),
        )
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=verbosity, keepdb=True)
        connections.close_all()
    dbtemplate.drop(url)


@pytest.fixture
def geo(db):
    """Wards come from a data migration; transactional tests flush them, so reload HCMC."""
    from cskh.geo.models import Ward
    from cskh.geo.services import load_admin_units

    if not Ward.objects.filter(province_id=79).exists():
        load_admin_units([79])


@pytest.fixture
def profile(db, geo):
    from cskh.catalog.services import install_profile

    return install_profile("electricity")


@pytest.fixture
def telecom(db, geo):
    from cskh.catalog.services import install_profile

    return install_profile("telecom")


@pytest.fixture
def center(db):
    from cskh.org.services import create_unit

    return create_unit(code="CSKH", name="Trung tâm CSKH", kind="center", is_default=True)


BEN_THANH = 26743  # Phường Bến Thành, TP.HCM (2025 units)


@pytest.fixture
def ben_thanh(db, geo):
    from cskh.geo.models import Ward

    return Ward.objects.get(code=BEN_THANH)


@pytest.fixture
def field_unit(db, ben_thanh):
    from cskh.org.services import create_unit

    return create_unit(
        code="PC-SG", name="Điện lực Sài Gòn", kind="field", ward_codes=[ben_thanh.code]
    )


@pytest.fixture
def other_unit(db, geo):
    from cskh.geo.models import Ward
    from cskh.org.services import create_unit

    ward = Ward.objects.filter(province_id=79).exclude(code=BEN_THANH).order_by("code").first()
    return create_unit(code="PC-GD", name="Điện lực Gia Định", kind="field", ward_codes=[ward.code])


@pytest.fixture
def agent(db, center):
    from cskh.org.services import create_user

    return create_user(
        username="tvv01",
        password="Matkhau!2026",
        role="agent",
        unit=center,
        first_name="Lan",
        last_name="Trần",
        extension="1001",
    )


@pytest.fixture
def lead(db, center):
    from cskh.org.services import create_user

    return create_user(username="truongca", password="Matkhau!2026", role="shift_lead", unit=center)


@pytest.fixture
def unit_staff(db, field_unit):
    from cskh.org.services import create_user

    return create_user(
        username="dl_sg", password="Matkhau!2026", role="unit_staff", unit=field_unit
    )


@pytest.fixture
def customer(db, profile, ben_thanh):
    from cskh.customers.services import create_customer

    return create_customer(
        full_name="Nguyễn Văn An",
        phones=["0901 234 567"],
        address="12 Lê Lợi, Phường Bến Thành",
        ward_code=ben_thanh.code,
    )


@pytest.fixture
def world(profile, center, field_unit, agent, customer):
    """The smallest electricity care center: a center, a field unit, an agent, a customer."""
    return {
        "profile": profile,
        "center": center,
        "unit": field_unit,
        "agent": agent,
        "customer": customer,
    }


def make_token(user) -> str:
    from cskh.org.services import create_api_token

    return create_api_token(user=user, name="test")


@pytest.fixture
def http(live_server):
    """Build an httpx client for the live server authenticated as a user."""
    clients = []

    def _client(user=None, token: str | None = None) -> httpx.Client:
        headers = {}
        if user is not None or token:
            headers["Authorization"] = f"Bearer {token or make_token(user)}"
        client = httpx.Client(base_url=live_server.url, headers=headers, timeout=30)
        clients.append(client)
        return client

    yield _client
    for c in clients:
        c.close()


@pytest.fixture
def api_as(db):
    """Build a Django test client authenticated as a user with a Bearer token: the API without
    a server (the `http` fixture is the live-HTTP one, for a few smoke tests)."""

    def _client(user=None, token: str | None = None) -> Client:
        headers = {}
        if user is not None or token:
            headers["Authorization"] = f"Bearer {token or make_token(user)}"
        return Client(headers=headers)

    return _client


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.skip("chromium not installed (required under CI=true)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def csp_guard(ctx, violations: list[str]) -> None:
    """Collect the Content-Security-Policy violations the browser reports on this context's
    pages (an inline script, style or handler the strict policy blocks): the page would look
    or behave differently in production. Fixtures assert none at teardown."""

    def _on_console(msg) -> None:
        if msg.type == "error" and "Content Security Policy" in msg.text:
            violations.append(f"{msg.location.get('url', '')}: {msg.text[:300]}")

    ctx.on("console", _on_console)


@pytest.fixture
def csp_violations():
    """Fails the test (at teardown) when a page broke the Content-Security-Policy."""
    violations: list[str] = []
    yield violations
    assert not violations, "CSP violations:\n" + "\n".join(violations)


@pytest.fixture
def page_for(browser, live_server, csp_violations):
    """A logged-in browser page for a user (password Matkhau!2026)."""
    contexts = []

    def _page(user, *, viewport=(1366, 768)):
        ctx = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            locale="vi-VN",
            base_url=live_server.url,
        )
        csp_guard(ctx, csp_violations)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "Matkhau!2026")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    yield _page
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def session_page(browser, live_server, csp_violations):
    """A browser page logged in by a session cookie set directly (no login form), opened at
    `path`. Pages holding an open SSE stream reach "networkidle" only slowly, so callers wait
    for their own ready marker (`wait_for`)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    contexts = []

    def _page(user, path="/", *, viewport=(1366, 768), wait_for=None, timeout=15_000):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "cskh.org.backends.PeopleModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        ctx = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            locale="vi-VN",
            base_url=live_server.url,
            accept_downloads=True,
        )
        csp_guard(ctx, csp_violations)
        ctx.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session.session_key,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(path)
        if wait_for:
            page.wait_for_selector(wait_for, timeout=timeout)
        return page

    yield _page
    for ctx in contexts:
        ctx.close()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Django's advice for test speed: production's PBKDF2 (1.5M rounds) costs ~0.6 s of CPU
    per created user or password sign-in, and most tests create several. Servers started as
    subprocesses keep production settings (they hash their own users)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_off_unless_marked(request, settings):
    """Admins and managers must confirm TOTP in production; tests that sign them in with
    force_login would otherwise meet the enrolment page. tests/org/test_two_factor.py (marker
    two_factor) runs with the requirement on. Axes lockouts are per test (rows roll back)."""
    if request.node.get_closest_marker("two_factor") is None:
        settings.CSKH_2FA_ENFORCED = False


# The ward tables come from a data migration: their cached families (a map of every ward, the
# address index; 0.1-0.4 s to build) are kept from one test to the next, unless the test changed
# them (any writer invalidates them: refcache.invalidated) or emptied the tables (transactional
# tests). Class-level set-ups in these folders write wards before a test starts.
GEO_FAMILIES = frozenset({"geo.wards", "geo.address"})
GEO_WRITERS = ("geo", "demo")


@pytest.fixture(autouse=True)
def _fresh_reference_cache(request):
    """Tests roll back their rows: a cached case type or unit must not outlive its test."""
    from cskh.core import refcache

    geo_written = []

    def on_invalidated(families, **kwargs) -> None:
        if families & GEO_FAMILIES:
            geo_written.append(True)

    refcache.invalidated.connect(on_invalidated, weak=False, dispatch_uid="tests-geo-written")
    refcache.clear(keep=GEO_FAMILIES)
    yield
    refcache.invalidated.disconnect(dispatch_uid="tests-geo-written")
    folder = request.node.path.relative_to(request.config.rootpath).parts[1:2]
    if geo_written or _transactional(request.node) or set(folder) & set(GEO_WRITERS):
        refcache.clear()
    else:
        refcache.clear(keep=GEO_FAMILIES)


@pytest.fixture
def admin_client(client, center):
    """The test client signed in as a superuser of the center (admin pages)."""
    from cskh.org.services import create_user

    admin = create_user(username="quantri", password="Matkhau!2026", role="admin", unit=center)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    client.user = admin
    return client
