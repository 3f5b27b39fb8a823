"""A year of written conversations for `cskh demo`: Zalo, Facebook (messages and comments),
e-mail and web chat, most linked to customers, some to their cases, the recent ones still
open in the inbox. Bulk inserts: a few seconds at 20,000 customers."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from cskh.cases import selectors as case_selectors
from cskh.conversations.models import ChannelIdentity, Conversation, Message
from cskh.customers.models import Customer

CHANNELS = [("zalo", 45), ("facebook", 25), ("email", 15), ("webchat", 15)]
OPENERS = [
    "Nhà tôi mất điện từ sáng đến giờ, bao giờ có điện lại?",
    "Cho hỏi sao hóa đơn tháng này cao gấp đôi tháng trước?",
    "Trước nhà tôi có dây điện bị võng thấp, rất nguy hiểm.",
    "Tôi muốn đổi tên chủ hợp đồng thì cần giấy tờ gì?",
    "Lịch cắt điện khu vực phường Bến Thành tuần này thế nào ạ?",
    "Công tơ nhà tôi chạy nhanh bất thường, nhờ kiểm tra giúp.",
    "Tôi đã thanh toán rồi nhưng vẫn nhận tin nhắn nhắc nợ.",
    "Xin hỏi cách đăng ký lắp đặt điện mới cho nhà trọ.",
    "Điện chập chờn cả tối qua, đồ điện trong nhà bị hỏng.",
    "Cho em hỏi số hợp đồng của em là gì ạ?",
]
FOLLOW_UPS = [
    "Dạ vâng, em cảm ơn.",
    "Đến giờ vẫn chưa có điện anh chị ơi.",
    "Số điện thoại của tôi đây ạ.",
    "Tôi gửi thêm ảnh công tơ.",
    "Khi nào nhân viên đến kiểm tra?",
]
REPLIES = [
    "Dạ, trung tâm CSKH xin chào anh/chị. Em đã ghi nhận và chuyển đơn vị xử lý ạ.",
    "Dạ, khu vực của anh/chị đang được khắc phục sự cố, dự kiến có điện trong 2 giờ tới ạ.",
    "Dạ, em đã kiểm tra: chỉ số tháng này tăng do số ngày sử dụng nhiều hơn ạ.",
    "Dạ, anh/chị vui lòng mang CCCD và hợp đồng đến điểm giao dịch gần nhất ạ.",
    "Dạ, em cảm ơn anh/chị đã phản ánh. Nhân viên sẽ liên hệ trong hôm nay ạ.",
]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _w in weighted], [w for _c, w in weighted])[0]


@transaction.atomic
def install(*, now: datetime, seed: int = 1, per_customers: int = 8) -> dict[str, int]:
    """One conversation per `per_customers` customers over the last year; returns counts."""
    rng = random.Random(seed * 1409)
    # a rebuilt demo replaces the conversations of an earlier one (their customers are gone)
    earlier = ChannelIdentity.objects.filter(external_id__startswith="demo-") | (
        ChannelIdentity.objects.filter(channel="email", external_id__endswith="@example.vn")
    )
    Conversation.objects.filter(identity__in=earlier).delete()
    earlier.delete()
    customer_ids = list(Customer.objects.order_by("id").values_list("id", flat=True))
    if not customer_ids:
        return {}
    total = max(50, len(customer_ids) // per_customers)
    case_of: dict[int, tuple[int, datetime]] = {
        c_id: (pk, at) for pk, c_id, at in case_selectors.recent_written_cases(limit=total // 3)
    }
    identities: list[ChannelIdentity] = []
    plans: list[dict[str, Any]] = []
    start = now - timedelta(days=365)
    for i in range(total):
        channel = _pick(rng, CHANNELS)
        known = rng.random() < 0.75
        customer_id = rng.choice(customer_ids) if known else None
        case = case_of.pop(customer_id, None) if customer_id else None
        at = case[1] if case else start + timedelta(seconds=rng.randrange(365 * 86400))
        ext = {
            "zalo": f"demo-zalo-{i}",
            "facebook": f"demo-psid-{i}",
            "email": f"khach{i}@example.vn",
            "webchat": f"demo-visitor-{i}",
        }[channel]
        identities.append(
            ChannelIdentity(
                channel=channel,
                external_id=ext,
                display_name="" if known else f"Khách {i}",
                email=ext if channel == "email" else "",
                customer_id=customer_id,
                linked_by="phone" if known else "",
                created_at=at,
            )
        )
        plans.append({"channel": channel, "at": at, "case": case, "customer": customer_id})
    ChannelIdentity.objects.bulk_create(identities, batch_size=2000)
    identities = list(
        ChannelIdentity.objects.filter(external_id__startswith="demo-").order_by("id")
    ) + list(ChannelIdentity.objects.filter(external_id__endswith="@example.vn").order_by("id"))
    by_ext = {(x.channel, x.external_id): x.pk for x in identities}
    convs: list[Conversation] = []
    for i, plan in enumerate(plans):
        channel, at = plan["channel"], plan["at"]
        ext = {
            "zalo": f"demo-zalo-{i}",
            "facebook": f"demo-psid-{i}",
            "email": f"khach{i}@example.vn",
            "webchat": f"demo-visitor-{i}",
        }[channel]
        age = now - at
        if age > timedelta(days=3):
            status, waiting = "closed", "customer"
        else:
            status, waiting = rng.choice([("open", "us"), ("pending", "customer")])
        answered = status != "open" or rng.random() < 0.3
        thread = f"comment:demo-c{i}:{ext}" if channel == "facebook" and i % 5 == 0 else ext
        convs.append(
            Conversation(
                channel=channel,
                identity_id=by_ext[(channel, ext)],
                external_thread_id=thread,
                customer_id=plan["customer"],
                status=status,
                waiting_on=waiting,
                subject=rng.choice(OPENERS)[:60] if channel == "email" else "",
                case_id=plan["case"][0] if plan["case"] else None,
                sentiment=rng.choice(["neutral", "neutral", "negative", "positive"]),
                first_response_due_at=at + timedelta(minutes=30),
                first_responded_at=at + timedelta(minutes=rng.randrange(2, 90))
                if answered
                else None,
                last_inbound_at=at,
                last_message_at=at + timedelta(minutes=rng.randrange(5, 240)),
                created_at=at,
                closed_at=at + timedelta(hours=rng.randrange(1, 48))
                if status == "closed"
                else None,
            )
        )
    Conversation.objects.bulk_create(convs, batch_size=2000)
    messages: list[Message] = []
    n = 0
    for conv in convs:
        at = conv.created_at
        steps = [("in", rng.choice(OPENERS))]
        if conv.first_responded_at:
            steps.append(("out", rng.choice(REPLIES)))
            for _k in range(rng.randrange(0, 3)):
                steps += [("in", rng.choice(FOLLOW_UPS)), ("out", rng.choice(REPLIES))]
        for direction, text in steps:
            n += 1
            messages.append(
                Message(
                    conversation=conv,
                    channel=conv.channel,
                    direction=direction,
                    text=text,
                    provider_message_id=f"demo-{n}" if direction == "in" else "",
                    status="received" if direction == "in" else "sent",
                    sent_at=at,
                )
            )
            at = at + timedelta(minutes=rng.randrange(1, 60))
    Message.objects.bulk_create(messages, batch_size=5000)
    return {"conversations": len(convs), "messages": len(messages)}
