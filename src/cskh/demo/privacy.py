"""Personal data in the demo: the data-protection officer (login ``dpo``, the demo password),
consent answers per purpose, a few data-subject requests in every state (one overdue) and a
day of desk reads in the access log. Through the apps' services, so the audit trail is real."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any


def build(*, seed: int, now: datetime) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password

    from cskh.customers.models import Customer
    from cskh.demo import data
    from cskh.org.models import Unit, User
    from cskh.org.services import create_user
    from cskh.privacy import services
    from cskh.privacy.models import AccessLog, DataSubjectRequest

    rng = random.Random(seed + 20)
    dpo = User.objects.filter(username="dpo").first()
    if dpo is None:
        dpo = create_user(
            username="dpo",
            role=User.Role.DPO,
            unit=Unit.objects.filter(is_default=True).first(),
            first_name="Thu",
            last_name="Phạm",
        )
        dpo.password = make_password(data.DEMO_PASSWORD)
        dpo.save(update_fields=["password"])
    agents = list(User.objects.filter(role=User.Role.AGENT).order_by("id")[:10])
    agent = agents[0] if agents else dpo
    customers = list(
        Customer.objects.filter(anonymised_at=None).exclude(phones=None).order_by("id")[:60]
    )
    if not customers or DataSubjectRequest.objects.exists():
        return {"privacy_requests": 0}
    consents = 0
    for c in customers[:40]:
        for purpose, p_yes in (("survey", 0.8), ("marketing", 0.3), ("referral", 0.4)):
            if rng.random() < 0.5:
                services.record_consent(
                    customer=c,
                    purpose=purpose,
                    granted=rng.random() < p_yes,
                    channel=rng.choice(["agent", "sms", "paper"]),
                    actor=agent,
                )
                consents += 1
    reqs: list[Any] = []
    plan = [
        ("access", "Khách xin bản sao toàn bộ dữ liệu", {}),
        ("withdrawal", "Không muốn nhận khảo sát nữa", {"purpose": "survey"}),
        ("correction", "Sai email", {"email": "khachhang.moi@example.vn"}),
        ("restriction", "Tạm ngừng xử lý dữ liệu khi đang khiếu nại", {}),
        ("erasure", "Đã thanh lý hợp đồng, đề nghị xoá dữ liệu", {}),
        ("access", "Hỏi ai đã xem dữ liệu của mình", {}),
    ]
    for i, (kind, details, payload) in enumerate(plan):
        reqs.append(
            services.file_request(
                customer=customers[40 + i],
                kind=kind,
                details=details,
                payload=payload,
                actor=agent,
                # the last one is overdue: filed long ago, still open
                now=now - timedelta(days=20 if i == len(plan) - 1 else i),
            )
        )
    services.take(request=reqs[0], actor=dpo)
    services.complete(request=reqs[1], actor=dpo, note="Đã rút đồng ý khảo sát")
    services.take(request=reqs[2], actor=dpo)
    services.reject(request=reqs[3], reason="Chưa xác minh được người yêu cầu", actor=dpo)
    # a day of reads on the desk
    rows = [
        AccessLog(
            at=now - timedelta(minutes=rng.randint(1, 24 * 60)),
            user_id=rng.choice(agents).pk if agents else dpo.pk,
            customer_id=rng.choice(customers).pk,
            action=rng.choice(["card", "card", "card", "search"]),
        )
        for _i in range(300)
    ]
    AccessLog.objects.bulk_create(rows)
    return {"privacy_requests": len(reqs), "consents": consents, "access_log": len(rows)}
