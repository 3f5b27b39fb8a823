"""The desk's logging form carries the contact's channel: the hotline by default, a counter
visit, a letter, an e-mail or a message logged by hand otherwise."""

import pytest

from cskh.cases.models import Case, Interaction

pytestmark = pytest.mark.django_db


def test_form_offers_channels_with_phone_selected(world, logged_in):
    client = logged_in(world["agent"])
    html = client.get(f"/desk/?customer={world['customer'].pk}").content.decode()
    assert 'id="log-channel"' in html
    assert '<option value="phone" selected>' in html
    for value in ("counter", "email", "zalo", "social", "letter"):
        assert f'<option value="{value}"' in html
    assert '<option value="api"' not in html


@pytest.mark.parametrize("channel", ["counter", "letter"])
def test_case_logged_with_chosen_channel(world, logged_in, channel):
    client = logged_in(world["agent"])
    r = client.post(
        "/desk/log",
        {
            "customer": world["customer"].pk,
            "type": "billing",
            "description": "Khách đến quầy hỏi hoá đơn",
            "channel": channel,
        },
    )
    assert r.status_code == 200
    case = Case.objects.get(customer=world["customer"])
    assert case.channel == channel
    # the re-rendered form is back on the hotline for the next contact
    assert '<option value="phone" selected>' in r.content.decode()


def test_unknown_channel_is_a_form_error(world, logged_in):
    client = logged_in(world["agent"])
    r = client.post(
        "/desk/log",
        {
            "customer": world["customer"].pk,
            "type": "billing",
            "description": "x",
            "channel": "pigeon",
        },
    )
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    assert not Case.objects.exists() and not Interaction.objects.filter(channel="pigeon").exists()
