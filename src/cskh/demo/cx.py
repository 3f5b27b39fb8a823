"""A year of customer-experience history for the demo: surveys and answers on resolved cases,
an NPS campaign, contract attributes, a trained churn model with scores and a save-desk queue,
retention offers and outcomes, referrals with rewards. Bulk inserts: a few seconds at 20k."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

COMMENTS_GOOD = [
    "Nhân viên nhiệt tình, giải thích rõ ràng",
    "Xử lý nhanh, cảm ơn",
    "Kỹ thuật viên đến đúng hẹn",
]
COMMENTS_BAD = [
    "Chờ máy quá lâu mới gặp được nhân viên",
    "Mất mạng nhiều lần trong tuần mà chưa khắc phục",
    "Hóa đơn tính sai cước, gọi mấy lần chưa xong",
    "Nhân viên hẹn mà không đến",
]


def build(*, seed: int, now: datetime) -> dict[str, int]:
    from cskh.cases.models import Case
    from cskh.customers.models import Customer, Phone, ServicePoint
    from cskh.cx.models import (
        ContractAttributes,
        FollowUp,
        NpsCampaign,
        Referral,
        ReferralCode,
        RetentionEntry,
        RetentionOffer,
        RewardEntry,
        Survey,
    )
    from cskh.cx.services import churn, retention, rollups
    from cskh.org.models import User

    rng = random.Random(seed + 16)
    team_of = dict(User.objects.values_list("pk", "unit_id"))
    agent_skill = {pk: rng.uniform(-0.6, 0.6) for pk in team_of}
    year_ago = now - timedelta(days=365)
    cases = list(
        Case.objects.filter(resolved_at__gte=year_ago, resolved_at__lt=now - timedelta(hours=2))
        .exclude(case_type__code__in=("cx_followup", "cancellation"))
        .values_list(
            "pk",
            "customer_id",
            "assigned_agent_id",
            "unit_id",
            "channel",
            "case_type_id",
            "resolved_at",
            "reopen_count",
            "case_type__code",
        )
        .order_by("resolved_at")
    )
    tp_of = {"phone": "hotline", "counter": "counter"}
    last: dict[int, datetime] = {}
    rows: list[Survey] = []
    bad_customers: set[int] = set()
    for pk, cid, agent, unit, channel, ct, resolved_at, reopen, code in cases:
        if resolved_at is None:
            continue
        resolved: datetime = resolved_at
        if cid in last and resolved - last[cid] < timedelta(days=14):
            continue
        if rng.random() > 0.55:
            continue
        last[cid] = resolved
        sent = resolved + timedelta(minutes=30)
        touch = tp_of.get(channel, "written")
        field = code in ("internet_down", "slow_speed", "outage", "equipment", "meter")
        answered = rng.random() < 0.38
        mood = agent_skill.get(agent, 0.0) + (0.6 if reopen == 0 else -1.2) + rng.gauss(0, 1.1)
        score = max(1, min(5, round(3.9 + mood))) if answered else None
        comment = ""
        if answered and rng.random() < 0.3:
            comment = rng.choice(COMMENTS_GOOD if (score or 0) >= 4 else COMMENTS_BAD)
        if score is not None and score <= 2:
            bad_customers.add(cid)
        rows.append(
            Survey(
                kind="csat",
                touchpoint="field" if field else touch,
                source_key=f"case:{pk}:{reopen}",
                customer_id=cid,
                case_id=pk,
                agent_id=agent,
                team_id=team_of.get(agent) if agent else None,
                unit_id=unit,
                office_id=unit if channel == "counter" else None,
                channel="field" if field else channel,
                case_type_id=ct,
                status="answered"
                if answered
                else ("expired" if sent < now - timedelta(days=7) else "sent"),
                send_at=sent,
                sent_at=sent,
                sent_channel="sms",
                expires_at=sent + timedelta(days=7),
                answered_at=sent + timedelta(hours=rng.uniform(0.2, 40)) if answered else None,
                score=score,
                comment=comment,
                sentiment=("negative" if (score or 5) <= 2 else "positive") if comment else "",
                topic=code if comment else "",
                created_at=resolved,
            )
        )
    # NPS: a quarterly campaign on 4 % of customers
    customer_ids = list(Customer.objects.values_list("pk", flat=True))
    campaign = NpsCampaign.objects.create(
        name="NPS hằng quý",
        segment={"tenure_min_months": 3},
        sample_size=max(50, len(customer_ids) // 25),
        per_tick=200,
        starts_at=year_ago,
        seed=seed,
        status="done",
    )
    for k, cid in enumerate(rng.sample(customer_ids, min(len(customer_ids), campaign.sample_size))):
        sent = year_ago + timedelta(days=(k % 4) * 91 + rng.uniform(0, 20))
        answered = rng.random() < 0.3
        base = 7.5 - (2.5 if cid in bad_customers else 0)
        score = max(0, min(10, round(rng.gauss(base, 2.0)))) if answered else None
        rows.append(
            Survey(
                kind="nps",
                touchpoint="campaign",
                source_key=f"nps:{campaign.pk}:{cid}",
                customer_id=cid,
                campaign=campaign,
                channel="campaign",
                status="answered" if answered else "expired",
                send_at=sent,
                sent_at=sent,
                expires_at=sent + timedelta(days=7),
                answered_at=sent + timedelta(hours=5) if answered else None,
                score=score,
                created_at=sent,
            )
        )
    Survey.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    n_rollups = rollups.rebuild()
    # contract attributes; the churned label for customers whose services all ended
    today = timezone.localdate(now)
    terminated = set(
        ServicePoint.objects.filter(status="terminated").values_list("customer_id", flat=True)
    )
    attrs = []
    for cid in customer_ids:
        contract = rng.choices(["month", "one_year", "two_year"], [0.5, 0.3, 0.2])[0]
        risk = (cid in bad_customers) * 0.25 + (contract == "month") * 0.15
        churned = cid in terminated or rng.random() < 0.04 + risk
        attrs.append(
            ContractAttributes(
                customer_id=cid,
                contract_type=contract,
                contract_end=today + timedelta(days=rng.randint(-30, 720)),
                monthly_charge=rng.choice([165000, 220000, 280000, 350000]),
                total_charges=0,
                paperless=rng.random() < 0.6,
                late_payments_6m=rng.choices([0, 1, 2, 3], [0.75, 0.15, 0.07, 0.03])[0],
                churned=churned if rng.random() < 0.5 else None,
                imported_at=now,
            )
        )
    ContractAttributes.objects.bulk_create(attrs, batch_size=5000, ignore_conflicts=True)
    for code, name, min_score, contracts in (
        ("GIAM20", "Giảm 20% cước 3 tháng", 0.3, []),
        ("NANGTOC", "Nâng tốc độ miễn phí 6 tháng", 0.5, ["month", "one_year"]),
        ("TANGTHANG", "Tặng 1 tháng cước khi gia hạn 12 tháng", 0.4, ["month"]),
    ):
        RetentionOffer.objects.get_or_create(
            code=code, defaults={"name": name, "min_score": min_score, "contract_types": contracts}
        )
    from cskh.catalog.services import active_profile

    scored = 0
    try:
        churn.train(profile=active_profile().code, now=now, seed=seed)
        scored = churn.score_all(profile=active_profile().code, now=now)
        retention.queue_at_risk(limit=max(100, len(customer_ids) // 100))
    except Exception:  # noqa: BLE001 - too little demo data to train: the queue stays empty
        pass
    offers = list(RetentionOffer.objects.all())
    old = list(RetentionEntry.objects.filter(is_open=True).order_by("pk"))
    for e in old[: len(old) // 2]:
        held = e.group == "holdout"
        saved = rng.random() < (0.30 if held else 0.55)
        e.outcome = "saved" if saved else "lost"
        e.offer = None if held else rng.choice(offers)
        e.is_open = False
        e.closed_at = now - timedelta(days=rng.randint(1, 60))
        e.save()
    # referrals: promoters' codes, a year of referred prospects, rewards
    promoters = list(
        Survey.objects.filter(status="answered", kind="nps", score__gte=9).values_list(
            "customer_id", flat=True
        )[:300]
    )
    codes = [
        ReferralCode(customer_id=cid, code=f"GT{cid:06d}"[-8:], created_at=year_ago)
        for cid in dict.fromkeys(promoters)
    ]
    ReferralCode.objects.bulk_create(codes, ignore_conflicts=True)
    phone_base = 912500000
    refs = []
    for i, c in enumerate(ReferralCode.objects.all()[:300]):
        for j in range(rng.choice([0, 1, 1, 2])):
            when = year_ago + timedelta(days=rng.uniform(0, 360))
            status = rng.choices(["pending", "converted", "rejected"], [0.3, 0.55, 0.15])[0]
            refs.append(
                Referral(
                    code=c,
                    referrer_id=c.customer_id,
                    source=rng.choice(["sms", "zalo", "web", "counter", "agent"]),
                    prospect_name="Khách được giới thiệu",
                    prospect_phone=f"+84{phone_base + i * 3 + j}",
                    status=status,
                    reject_reason="self_address" if status == "rejected" else "",
                    contract_active_since=(when + timedelta(days=7)).date()
                    if status == "converted"
                    else None,
                    created_at=when,
                )
            )
    Referral.objects.bulk_create(refs, batch_size=2000)
    rewards = []
    for r in Referral.objects.filter(
        status="converted", contract_active_since__lte=today - timedelta(days=30)
    ):
        if r.contract_active_since is None:
            continue
        at = datetime.combine(
            r.contract_active_since + timedelta(days=30), datetime.min.time(), now.tzinfo
        )
        rewards.append(RewardEntry(referral=r, kind="earned", amount=100000, created_at=at))
        if rng.random() < 0.8:
            rewards.append(
                RewardEntry(
                    referral=r, kind="approved", amount=100000, created_at=at + timedelta(days=3)
                )
            )
            if rng.random() < 0.8:
                rewards.append(
                    RewardEntry(
                        referral=r, kind="paid", amount=100000, created_at=at + timedelta(days=10)
                    )
                )
    RewardEntry.objects.bulk_create(rewards, batch_size=2000)
    _ = (Phone, FollowUp, date)
    return {"surveys": len(rows), "rollups": n_rollups, "scored": scored, "referrals": len(refs)}
