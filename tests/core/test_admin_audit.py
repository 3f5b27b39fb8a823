"""Admin pages: configuration edits leave audit rows (cskh.core.reference); records written by
services are read-only there."""

import pytest

from cskh.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_editing_an_escalation_rule_writes_an_audit_row(admin_client, profile):
    from cskh.sla.models import EscalationRule

    rule = EscalationRule.objects.create(percent=75, target="shift_lead")
    url = f"/admin/sla/escalationrule/{rule.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {n: form[n].value() for n in form.fields if form[n].value() not in (None, False)}
    data["percent"] = 80
    r = admin_client.post(url, data)
    assert r.status_code == 302
    rule.refresh_from_db()
    assert rule.percent == 80
    row = AuditLog.objects.get(action="escalationrule.update", object_id=str(rule.pk))
    assert row.actor == admin_client.user and row.changes == {"fields": ["percent"]}

    r = admin_client.post(f"/admin/sla/escalationrule/{rule.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert not EscalationRule.objects.filter(pk=rule.pk).exists()
    assert AuditLog.objects.filter(action="escalationrule.delete", object_id=str(rule.pk)).exists()


def test_a_units_wards_edited_inline_are_audited(admin_client, ben_thanh):
    from cskh.org.models import ServiceArea
    from cskh.org.services import create_unit

    unit = create_unit(code="PC-Q1", name="Điện lực Quận 1", kind="field")
    url = f"/admin/org/unit/{unit.pk}/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {n: form[n].value() for n in form.fields if form[n].value() not in (None, False)}
    (inline,) = page.context["inline_admin_formsets"]
    prefix = inline.formset.prefix
    mgmt = inline.formset.management_form
    data.update({mgmt.add_prefix(n): mgmt[n].value() for n in mgmt.fields})
    data[f"{prefix}-TOTAL_FORMS"] = 1
    data[f"{prefix}-0-ward"] = ben_thanh.pk
    r = admin_client.post(url, data)
    assert r.status_code == 302, r.context["errors"] if r.context else r
    area = ServiceArea.objects.get(unit=unit)
    assert AuditLog.objects.filter(action="servicearea.create", object_id=str(area.pk)).exists()


def test_service_written_records_are_read_only(admin_client, profile):
    for url in (
        "/admin/cases/case/add/",
        "/admin/sla/slaclock/add/",
        "/admin/notify/notification/add/",
        "/admin/telephony/callbacktask/add/",
        "/admin/textintel/modelversion/add/",
        "/admin/geo/ward/add/",
        "/admin/core/auditlog/add/",
        "/admin/incidents/incident/add/",
    ):
        assert admin_client.get(url).status_code == 403, url
    assert admin_client.get("/admin/geo/ward/").status_code == 200  # still visible


def test_adding_a_user_in_the_admin_is_audited_and_the_password_works(admin_client, center):
    from cskh.org.models import User

    r = admin_client.post(
        "/admin/org/user/add/",
        {
            "username": "dieuphoi",
            "password1": "Kh0ng-de-doan!",
            "password2": "Kh0ng-de-doan!",
            "usable_password": "true",
        },
    )
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    user = User.objects.get(username="dieuphoi")
    assert user.check_password("Kh0ng-de-doan!")
    row = AuditLog.objects.get(action="user.create", object_id=str(user.pk))
    assert row.actor == admin_client.user
    assert "Kh0ng-de-doan!" not in str(row.changes)  # field names only, never values
