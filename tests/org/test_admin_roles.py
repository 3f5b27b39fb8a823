"""The admin by role (#21): a manager sees the center's data and edits its configuration; a
shift lead reads the operational records; neither edits what only services write."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db, center):
    from cskh.org.services import create_user

    return create_user(username="quanly1", role="manager", unit=center)


def test_manager_sees_and_edits_configuration_in_admin(client, profile, manager):
    client.force_login(manager)
    index = client.get("/admin/").content.decode()
    assert "/admin/catalog/casetype/" in index and "/admin/notify/template/" in index
    assert client.get("/admin/catalog/casetype/").status_code == 200
    assert client.get("/admin/cases/case/").status_code == 200
    assert client.get("/admin/catalog/casetype/add/").status_code == 200
    assert client.get("/admin/cases/case/add/").status_code == 403


def test_shift_lead_reads_operations_only(client, profile, lead):
    client.force_login(lead)
    assert client.get("/admin/cases/case/").status_code == 200
    assert client.get("/admin/catalog/casetype/add/").status_code == 403
    assert client.get("/admin/org/user/").status_code == 403


def test_agent_has_no_admin(client, agent):
    client.force_login(agent)
    assert client.get("/admin/").status_code == 302  # not staff: the admin login
