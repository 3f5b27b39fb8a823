"""The inbox in real Chromium: an inbound Zalo webhook appears live, the agent answers with
the keyboard, the reply waits in the outbox for the Zalo OA gateway; two agents see a
collision notice."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.conversations.conftest import zalo_event, zalo_signed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def send_zalo(live_server, event) -> None:
    body, sig = zalo_signed(event)
    resp = httpx.post(
        f"{live_server.url}/api/v1/channels/zalo/webhook",
        content=body,
        headers={"X-ZEvent-Signature": sig, "Content-Type": "application/json"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text


def test_zalo_message_appears_agent_replies_reply_is_in_the_outbox(
    world, live_server, inbox_page, text_models, settings
):
    from cskh.notify.models import Notification

    settings.CSKH_CONVERSATION_AUTO_CASE_CONFIDENCE = 1.01  # a person decides
    page = inbox_page(world["agent"])
    expect(page.locator(".conv-row")).to_have_count(0)
    send_zalo(live_server, zalo_event(user="zu-42", text="Cho hỏi hóa đơn tháng này", msg_id="z1"))
    row = page.locator(".conv-row")
    expect(row).to_have_count(1, timeout=10_000)
    expect(row).to_contain_text("Zalo")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("#thread")).to_contain_text("Cho hỏi hóa đơn tháng này")
    page.keyboard.press("r")
    page.keyboard.type("Dạ, hóa đơn tháng này là 350.000 đồng ạ.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#thread .msg-out").last).to_contain_text("350.000 đồng")
    reply = Notification.objects.get(body="Dạ, hóa đơn tháng này là 350.000 đồng ạ.")
    assert reply.channel == "zalo_oa" and reply.to == "zu-42"
    assert reply.status == "pending"
    # the customer answers: the open pane shows it without a reload
    send_zalo(live_server, zalo_event(user="zu-42", text="Cảm ơn em", msg_id="z2"))
    expect(page.locator("#thread")).to_contain_text("Cảm ơn em", timeout=10_000)


def test_two_agents_on_one_conversation_see_a_collision_notice(
    world, live_server, inbox_page, text_models, lead
):
    send_zalo(live_server, zalo_event(user="zu-7", text="xin chào", msg_id="c1"))
    from cskh.conversations.models import Conversation

    conv = Conversation.objects.get()
    first = inbox_page(world["agent"], path=f"/inbox/?c={conv.pk}")
    expect(first.locator("#thread")).to_contain_text("xin chào")
    lead.set_password("Matkhau!2026")
    lead.save()
    second = inbox_page(lead, path=f"/inbox/?c={conv.pk}")
    expect(second.locator("#viewers")).to_contain_text("cũng đang mở hội thoại này")
    expect(first.locator("#viewers")).to_contain_text("cũng đang mở", timeout=10_000)
