"""The customer card shows every written channel's history (#14)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cskh.conversations.services import intake
from cskh.conversations.services.intake import Inbound

pytestmark = pytest.mark.django_db


def test_card_loads_the_channel_history_of_the_customer(world, client, settings):
    settings.CSKH_CONVERSATION_AUTO_CASE_CONFIDENCE = 0.0
    intake.receive(
        Inbound(
            channel="zalo", external_id="zu-h", provider_message_id="h1", text="0901234567 mất điện"
        )
    )
    customer = world["customer"]
    client.force_login(world["agent"])
    card = client.get(reverse("desk:card", args=[customer.pk])).content.decode()
    url = reverse("conversations:customer_history", args=[customer.pk])
    assert f'hx-get="{url}"' in card
    fragment = client.get(url).content.decode()
    assert "Zalo" in fragment and "mất điện" in fragment


def test_channel_history_of_an_unknown_customer_is_404(world, client):
    client.force_login(world["agent"])
    url = reverse("conversations:customer_history", args=[999999])
    assert client.get(url).status_code == 404
