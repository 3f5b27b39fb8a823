"""API tokens in the admin: read-only, revoked through cskh.org.services (audit row)."""

import pytest

from cskh.core.models import AuditLog
from cskh.org.models import ApiToken
from cskh.org.services import authenticate_token, create_api_token, create_user

pytestmark = pytest.mark.django_db


def test_revoking_a_token_in_the_admin_goes_through_the_service(client, center):
    admin = create_user(username="quantri", password="Matkhau!2026", role="admin", unit=center)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    agent = create_user(username="tongdai", password="Matkhau!2026", role="agent", unit=center)
    raw = create_api_token(user=agent, name="tích hợp")
    token = ApiToken.objects.get()
    assert authenticate_token(raw) is not None
    client.force_login(admin)
    r = client.post(
        "/admin/org/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [token.pk], "index": 0},
        follow=True,
    )
    assert r.status_code == 200 and "Đã thu hồi 1 token" in r.text
    token.refresh_from_db()
    assert token.revoked_at is not None
    row = AuditLog.objects.get(action="token.revoke")
    assert (row.actor, row.object_id) == (admin, str(token.pk))
    assert authenticate_token(raw) is None


def test_tokens_cannot_be_added_edited_or_deleted_in_the_admin(client, center):
    admin = create_user(username="quantri", password="Matkhau!2026", role="admin", unit=center)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    create_api_token(user=admin)
    token = ApiToken.objects.get()
    client.force_login(admin)
    assert client.get("/admin/org/apitoken/add/").status_code == 403
    assert client.post(f"/admin/org/apitoken/{token.pk}/delete/").status_code == 403
    r = client.post(f"/admin/org/apitoken/{token.pk}/change/", {"name": "khác"})
    assert r.status_code == 403
    token.refresh_from_db()
    assert token.name == "" and token.revoked_at is None
    assert client.get(f"/admin/org/apitoken/{token.pk}/change/").status_code == 200  # view
