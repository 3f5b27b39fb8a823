"""The customer admin writes through cskh.customers.services: folded name, normalised phones,
audit rows; customers are not created or deleted there."""

import pytest

from cskh.core.models import AuditLog
from cskh.customers import selectors, services
from cskh.customers.models import Customer

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """What the browser would post back: the form's current values + inline management forms."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = field.prepare_value(value) if name == "tags" else value
    for inline in response.context["inline_admin_formsets"]:
        mgmt = inline.formset.management_form
        for name in mgmt.fields:
            data[mgmt.add_prefix(name)] = mgmt[name].value()
    return data


def test_edit_folds_the_name_normalises_the_phone_and_audits(admin_client, profile):
    c = services.create_customer(full_name="Trần Thị Mai", phones=["0901234567"])
    url = f"/admin/customers/customer/{c.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    data.update(full_name="  Nguyễn   Văn Đức ", new_phone="(+84) 912-345-678", _save="1")
    r = admin_client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    c.refresh_from_db()
    assert c.full_name == "Nguyễn Văn Đức"
    assert c.name_folded == "nguyen van duc"
    assert selectors.find_by_phone("0912345678") == [c]
    assert set(c.phones.values_list("e164", flat=True)) == {"+84901234567", "+84912345678"}
    actions = list(
        AuditLog.objects.filter(object_id=str(c.pk), actor=admin_client.user).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["customer.add_phone", "customer.update"]
    update = AuditLog.objects.get(action="customer.update", object_id=str(c.pk))
    assert "full_name" in update.changes


def test_a_bad_phone_is_a_form_error_in_vietnamese(admin_client, profile):
    c = services.create_customer(full_name="Trần Thị Mai", phones=["0901234567"])
    url = f"/admin/customers/customer/{c.pk}/change/"
    data = form_data(admin_client.get(url))
    data.update(new_phone="12ab", _save="1")
    r = admin_client.post(url, data)
    assert r.status_code == 200
    assert "Số điện thoại không hợp lệ" in r.text
    assert c.phones.count() == 1


def test_customers_are_not_added_or_deleted_in_the_admin(admin_client, profile):
    c = services.create_customer(full_name="Trần Thị Mai", phones=["0901234567"])
    assert admin_client.get("/admin/customers/customer/add/").status_code == 403
    assert admin_client.post(f"/admin/customers/customer/{c.pk}/delete/").status_code == 403
    assert Customer.objects.filter(pk=c.pk).exists()
