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
def desk_page(session_page):
    """A browser page already logged in and on the desk with its live stream connected. The
    shared page_for waits for "networkidle", which a page holding an open SSE stream reaches
    only slowly."""

    def _page(user, *, viewport=(1366, 768), path="/desk/", connected=True):
        return session_page(
            user,
            path=path,
            viewport=viewport,
            wait_for="body[data-live=connected]" if connected else None,
            timeout=10_000,
        )

    return _page


@pytest.fixture(scope="session")
def textintel_models():
    """textintel's case_opened hook and the suggestion chip load (train) its models on first
    use: ~20 s of CPU. Load them once per test session, before any timed browser step."""
    from cskh.textintel import sentiment

    for profile in ("electricity",):
        sentiment.analyze("mất điện từ sáng", profile)
