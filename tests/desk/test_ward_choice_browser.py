"""Quick-create on the desk: an address whose old ward was split asks the agent to pick the
current ward (desk/_ward_choice.html), then saves the pick (#21)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_split_ward_picker_in_quick_create(world, desk_page):
    from cskh.customers.models import Customer

    page = desk_page(world["agent"])
    page.locator("#find-q").fill("0933111333")
    page.locator("#find-q").press("Enter")
    form = page.locator("#card .pop[data-mode=new]")
    expect(form).to_be_visible()
    form.locator("input[name=full_name]").fill("Phạm Thị Hoa")
    form.locator("input[name=address]").fill("12 Lũy Bán Bích, P. Sơn Kỳ, Q. Tân Phú, TP.HCM")
    form.locator("button[type=submit]").click()
    picker = page.locator("#card fieldset.ward-choice")
    expect(picker).to_be_visible()
    expect(picker.locator("input[name=ward_code]")).to_have_count(3)
    expect(picker).to_contain_text("Quận Tân Phú")
    assert not Customer.objects.filter(full_name="Phạm Thị Hoa").exists()
    picker.get_by_label("Phường Tân Sơn Nhì").check()
    page.locator("#card button[type=submit]").click()
    expect(page.locator("#card .pop[data-mode=card]")).to_be_visible()
    expect(page.locator("#cust-name")).to_contain_text("Phạm Thị Hoa")
    assert Customer.objects.get(full_name="Phạm Thị Hoa").ward_id == 27019
