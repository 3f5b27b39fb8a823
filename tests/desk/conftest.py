import pytest


@pytest.fixture
def pbx(db):
    from cskh.org.services import create_user

    return create_user(username="pbx", role="integration")


@pytest.fixture
def agent2(db, center):
    from cskh.org.services import create_user

    return create_user(
        username="tvv02",
        password="Matkhau!2026",
        role="agent",
        unit=center,
        first_name="Minh",
        last_name="Lê",
        extension="1002",
    )


@pytest.fixture
def logged_in(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def desk_page(browser, live_server):
    """A browser page already logged in (session cookie set directly, no login form) and on
    the desk with its live stream connected. The shared page_for waits for "networkidle",
    which a page holding an open SSE stream reaches only slowly."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    contexts = []

    def _page(user, *, viewport=(1366, 768), path="/desk/", connected=True):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "cskh.org.backends.PeopleModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        ctx = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            locale="vi-VN",
            base_url=live_server.url,
        )
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
        if connected:
            page.wait_for_selector("body[data-live=connected]", timeout=10_000)
        return page

    yield _page
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def textintel_models():
    """textintel's case_opened hook and the suggestion chip load (train) its models on first
    use: ~20 s of CPU. Load them once per test session, before any timed browser step."""
    from cskh.textintel import sentiment

    for profile in ("electricity",):
        sentiment.analyze("mất điện từ sáng", profile)
