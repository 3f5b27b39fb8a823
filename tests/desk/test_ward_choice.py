"""The desk offers a ward picker when the new customer's address fits several wards (#21)."""

from cskh.customers.models import Customer


def test_quick_create_shows_picker_then_saves_the_pick(world, logged_in):
    client = logged_in(world["agent"])
    form = {
        "full_name": "Trần Văn An",
        "phone": "0903111222",
        "address": "12 Lũy Bán Bích, P. Sơn Kỳ, Q. Tân Phú, TP.HCM",
    }
    r = client.post("/desk/customers/new", form)
    html = r.content.decode()
    assert r.status_code == 200
    assert 'class="ward-choice"' in html
    for code in (27013, 27019, 27439):
        assert f'name="ward_code" value="{code}"' in html
    assert "Phường Tân Sơn Nhì" in html and "Quận Tân Phú" in html
    assert 'value="12 Lũy Bán Bích, P. Sơn Kỳ, Q. Tân Phú, TP.HCM"' in html  # kept
    assert not Customer.objects.filter(full_name="Trần Văn An").exists()
    r = client.post("/desk/customers/new", form | {"ward_code": "27019"})
    assert r.status_code == 200
    c = Customer.objects.get(full_name="Trần Văn An")
    assert c.ward_id == 27019
