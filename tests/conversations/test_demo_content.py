"""`cskh demo`'s conversations: every channel, a year back, some open in the inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.conversations import demo_content, selectors
from cskh.conversations.models import Conversation, Message

pytestmark = pytest.mark.django_db


def test_a_year_of_conversations_on_every_channel(world):
    from cskh.customers.services import create_customer

    for i in range(400):
        create_customer(full_name=f"Khách Hàng {i}", phones=[f"0903{i:06d}"])
    now = timezone.now()
    counts = demo_content.install(now=now, seed=3)
    assert counts["conversations"] == Conversation.objects.count() >= 50
    assert counts["messages"] == Message.objects.count() > counts["conversations"]
    assert set(Conversation.objects.values_list("channel", flat=True)) == {
        "zalo",
        "facebook",
        "email",
        "webchat",
    }
    oldest = Conversation.objects.order_by("created_at").first()
    assert oldest is not None and oldest.created_at < now - timedelta(days=180)
    assert Conversation.objects.exclude(customer=None).count() > counts["conversations"] // 2
    rows, _cursor = selectors.list_conversations(world["agent"], status="closed", limit=10)
    assert len(rows) == 10
