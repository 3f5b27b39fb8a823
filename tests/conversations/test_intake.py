"""Inbound messages: idempotent intake, identity linking, text understanding, cases, clocks."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cskh.conversations.models import (
    ChannelIdentity,
    Conversation,
    IdentityProposal,
    Message,
)
from cskh.conversations.services import clocks, identity, intake, replies
from cskh.conversations.services.intake import Inbound

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def inbound(text: str, *, mid: str = "m1", user: str = "zu-1", **kw) -> Inbound:
    return Inbound(channel="zalo", external_id=user, provider_message_id=mid, text=text, **kw)


def test_same_provider_message_is_stored_once(world):
    first = intake.receive(inbound("Cho hỏi lịch cúp điện"))
    again = intake.receive(inbound("Cho hỏi lịch cúp điện"))
    assert first.created and not again.created
    assert again.message.pk == first.message.pk
    assert Message.objects.filter(direction="in").count() == 1
    assert Conversation.objects.count() == 1


def test_phone_in_text_links_an_unlinked_sender(world):
    got = intake.receive(inbound("Tôi là An, số 0901 234 567, nhà mất điện"))
    conv = got.message.conversation
    assert conv.customer_id == world["customer"].pk
    ident = ChannelIdentity.objects.get()
    assert ident.linked_by == "phone"


def test_previous_link_of_same_zalo_id_is_reused(world):
    intake.receive(inbound("số tôi 0901234567", mid="a"))
    conv = Conversation.objects.get()
    replies.close(conversation=conv, actor=world["agent"])
    later = intake.receive(inbound("lại mất điện rồi", mid="b"))
    assert later.message.conversation_id != conv.pk
    assert later.message.conversation.customer_id == world["customer"].pk


def test_other_customers_phone_is_only_a_proposal(world):
    from cskh.customers.services import create_customer

    other = create_customer(full_name="Lê Thị Bình", phones=["0912 000 111"])
    intake.receive(inbound("số tôi 0901234567", mid="a"))
    intake.receive(inbound("à nhầm, số của mẹ tôi 0912000111", mid="b"))
    conv = Conversation.objects.get()
    assert conv.customer_id == world["customer"].pk  # never swapped silently
    proposal = IdentityProposal.objects.get()
    assert proposal.customer_id == other.pk and proposal.state == "open"
    identity.confirm_customer(conversation=conv, customer=other, actor=world["agent"])
    conv.refresh_from_db()
    proposal.refresh_from_db()
    assert conv.customer_id == other.pk
    assert proposal.state == "accepted"


def test_confident_text_opens_a_case_with_the_channel_and_timeline(world, settings):
    settings.CSKH_CONVERSATION_AUTO_CASE_CONFIDENCE = 0.0
    got = intake.receive(inbound("0901234567 nhà tôi mất điện toàn khu từ 7 giờ sáng"))
    conv = Conversation.objects.get(pk=got.message.conversation_id)
    assert conv.case is not None
    assert conv.case.channel == "zalo"
    assert conv.case.type_confirmed is False
    bodies = list(conv.case.events.values_list("body", flat=True))
    assert any("mất điện toàn khu" in b for b in bodies)
    intake.receive(inbound("bao giờ có điện lại?", mid="m2"))
    assert conv.case.events.filter(body="bao giờ có điện lại?").exists()


def test_low_confidence_waits_for_a_person(world, settings):
    settings.CSKH_CONVERSATION_AUTO_CASE_CONFIDENCE = 1.01
    got = intake.receive(inbound("0901234567 nhà tôi mất điện"))
    conv = Conversation.objects.get(pk=got.message.conversation_id)
    assert conv.case is None
    assert conv.suggested_type  # the agent sees the suggestion
    from cskh.catalog.services import get_case_type

    case = intake.open_case_for_conversation(
        conversation=conv, case_type=get_case_type(conv.suggested_type), actor=world["agent"]
    )
    assert case.type_confirmed is True and case.channel == "zalo"


def test_hazard_on_zalo_gets_the_phone_priority(world, settings):
    settings.CSKH_CONVERSATION_AUTO_CASE_CONFIDENCE = 0.0
    text = "0901234567 dây điện bị đứt rơi xuống đường, có tia lửa, nguy hiểm lắm"
    got = intake.receive(inbound(text))
    conv = Conversation.objects.get(pk=got.message.conversation_id)
    assert conv.urgent
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type

    phoned = open_case(
        customer=world["customer"],
        case_type=get_case_type(conv.case.case_type.code),
        description=text,
        channel="phone",
    )
    phoned.refresh_from_db()
    conv.case.refresh_from_db()
    assert conv.case.priority == phoned.priority == 1


def test_auto_reply_goes_through_the_outbox_once(world):
    from cskh.notify.models import Notification

    intake.receive(inbound("xin chào"))
    intake.receive(inbound("cho hỏi", mid="m2"))
    rows = Notification.objects.filter(channel="zalo_oa")
    assert rows.count() == 1
    assert "đã nhận được tin nhắn" in rows.get().body
    assert rows.get().to == "zu-1"


def test_out_of_hours_message_is_due_from_opening_time(world, settings):
    settings.CSKH_CONVERSATION_CHANNELS = {
        "zalo": {
            "calendar": "office",
            "first_response": 30,
            "next_response": 60,
            "auto_reply": True,
        }
    }
    saturday_night = datetime(2026, 12, 5, 22, 0, tzinfo=VN)
    monday = datetime(2026, 12, 7, 7, 30, tzinfo=VN)
    assert not clocks.is_open_at("zalo", saturday_night)
    assert clocks.next_opening("zalo", saturday_night) == monday
    got = intake.receive(inbound("hỏi hóa đơn", sent_at=saturday_night))
    conv = got.message.conversation
    assert conv.first_response_due_at == monday + timedelta(minutes=30)
    auto = Message.objects.get(direction="out")
    assert "ngoài giờ làm việc" in auto.text and "07:30 07/12/2026" in auto.text


def test_reply_then_customer_writes_sets_next_response_due(world):
    got = intake.receive(inbound("xin chào"))
    conv = got.message.conversation
    replies.send_reply(conversation=conv, text="Dạ em chào anh", actor=world["agent"])
    conv.refresh_from_db()
    assert conv.waiting_on == "customer" and conv.first_responded_at
    intake.receive(inbound("cho hỏi tiếp", mid="m2"))
    conv.refresh_from_db()
    assert conv.waiting_on == "us" and conv.next_response_due_at is not None


def test_zalo_reply_outside_the_consultation_window_is_refused(world):
    from django.utils import timezone

    from cskh.core.errors import DomainError

    old = timezone.now() - timedelta(days=3)
    got = intake.receive(inbound("xin chào", sent_at=old))
    with pytest.raises(DomainError) as exc:
        replies.send_reply(conversation=got.message.conversation, text="Dạ", actor=world["agent"])
    assert exc.value.code == "window_closed"


def test_reply_is_queued_once_per_message(world):
    from cskh.notify.models import Notification

    got = intake.receive(inbound("xin chào"))
    msg = replies.send_reply(conversation=got.message.conversation, text="Dạ", actor=world["agent"])
    assert msg.notification.channel == "zalo_oa"
    assert msg.notification.dedupe_key == f"conversation-message:{msg.pk}"
    assert Notification.objects.filter(body="Dạ").count() == 1


def test_closing_fires_the_hook(world, settings):
    settings.CSKH_HOOKS = {
        **settings.CSKH_HOOKS,
        "conversation_closed": ["tests.conversations.test_intake.record_closed"],
    }
    from cskh.core import hooks

    hooks.reload()
    RECORDED.clear()
    got = intake.receive(inbound("xin chào"))
    conv = got.message.conversation
    replies.close(conversation=conv, actor=world["agent"])
    hooks.reload()
    assert RECORDED == [
        {
            "conversation_id": conv.pk,
            "customer_id": None,
            "channel": "zalo",
            "agent_id": world["agent"].pk,
        }
    ]


RECORDED: list[dict] = []


def record_closed(**kwargs):
    RECORDED.append(kwargs)
