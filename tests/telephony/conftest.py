import pytest


@pytest.fixture
def pbx(db):
    from cskh.org.services import create_user

    return create_user(username="pbx", role="integration")


@pytest.fixture
def pbx_client(api_as, pbx):
    return api_as(pbx)
