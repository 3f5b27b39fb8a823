"""A year of social mentions for the demo: every text analysed by the real models (the social
corpus posts of the active profile), spread over the year with a daily rhythm, storms after
outages with duplicate clusters, replies with response times, a crisis alert and a feed.
Bulk inserts: seconds, not minutes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

SOURCES = [
    ("facebook_comment", 40),
    ("facebook_page_post", 10),
    ("facebook_group", 30),
    ("forum", 8),
    ("news", 4),
    ("review", 5),
    ("tiktok_comment", 3),
]
AUTHORS = [
    "Nguyễn Minh Tuấn", "Trần Thị Hoa", "Lê Văn Hùng", "Phạm Thu Trang", "Hoàng Anh Dũng",
    "Vũ Ngọc Mai", "Đặng Quốc Bảo", "Bùi Thanh Hà", "Đỗ Gia Huy", "Hồ Thị Lan",
    "Tin Nóng Sài Gòn", "Hội Cư Dân Thủ Đức", "Review Công Nghệ", "Báo Mới 24h",
]  # fmt: skip


def build(*, seed: int, now: datetime, profile: str, per_day: int = 30) -> dict[str, int]:
    from cskh.social import dedupe
    from cskh.social.corpus import heldout, train
    from cskh.social.models import CrisisAlert, Feed, Mention, Reply
    from cskh.social.understanding import analyze_posts

    rng = random.Random(seed + 17)
    posts = [p for p in train(per_template=8) + heldout() if p.profile == profile]
    texts = sorted({p.text for p in posts})
    analysis: dict[str, dict[str, Any]] = {}
    for i in range(0, len(texts), 1000):
        chunk = texts[i : i + 1000]
        analysis.update(zip(chunk, analyze_posts(chunk, profile), strict=True))
    names, weights = zip(*SOURCES, strict=True)
    storm_days = {rng.randrange(7, 360) for _ in range(6)}
    rows: list[Mention] = []
    storms: list[tuple[int, str]] = []
    n = 0
    for day in range(365, -1, -1):
        date0 = (now - timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0)
        count = int(per_day * rng.uniform(0.6, 1.4))
        for _ in range(count):
            hour = min(23, max(5, int(rng.gauss(14, 4))))
            at = date0 + timedelta(hours=hour, minutes=rng.randrange(60))
            if at > now:
                continue
            rows.append(_row(rng, n, rng.choice(texts), at, names, weights, analysis, profile))
            n += 1
        if day in storm_days:
            outage = [t for t in texts if analysis[t]["actionable"] and "mat dien" in _fold(t)]
            head_text = rng.choice(outage or texts)
            at = date0 + timedelta(hours=18)
            storms.append((len(rows), head_text))
            for k in range(rng.randint(25, 60)):
                text = head_text if k % 3 == 0 else rng.choice(outage or texts)
                rows.append(
                    _row(rng, n, text, at + timedelta(minutes=k), names, weights, analysis, profile)
                )
                n += 1
    distinct = sorted({m.text for m in rows})  # the year repeats the corpus's texts
    minhash = {
        text: dedupe.to_hex(sig) if sig is not None else ""
        for text, sig in zip(distinct, dedupe.signatures(distinct), strict=True)
    }
    for m in rows:
        m.minhash = minhash[m.text]
    Mention.objects.bulk_create(rows, batch_size=2000)
    # storms: copies of the first post collapse under it
    dup_total = 0
    for start, head_text in storms:
        members = [m for m in rows[start:] if m.text == head_text][:40]
        if len(members) > 1:
            head = members[0]
            ids = [m.pk for m in members[1:]]
            Mention.objects.filter(pk__in=ids).update(duplicate_of=head)
            Mention.objects.filter(pk=head.pk).update(duplicate_count=len(ids))
            dup_total += len(ids)
    # answered actionable mentions (older than two days): response times
    answered = [m for m in rows if m.actionable and m.posted_at < now - timedelta(days=2)]
    replies = []
    for m in answered:
        if rng.random() < 0.8:
            delay = timedelta(minutes=int(rng.expovariate(1 / 45)) + 3)
            m.first_response_at = m.posted_at + delay
            m.status = Mention.Status.ANSWERED
            replies.append(
                Reply(
                    mention=m,
                    text="Dạ, chúng tôi rất tiếc về sự bất tiện. Anh/chị vui lòng nhắn tin riêng "
                    "cho trang để được hỗ trợ nhanh nhất ạ.",
                    status=Reply.Status.PUBLISHED,
                    created_at=m.first_response_at,
                    published_at=m.first_response_at,
                    external_id=f"demo-{m.pk}",
                )
            )
        else:
            m.status = Mention.Status.CLOSED
    Mention.objects.bulk_update(answered, ["first_response_at", "status"], batch_size=2000)
    Reply.objects.bulk_create(replies, batch_size=2000)
    for start, head_text in storms[-2:]:
        head = rows[start]
        CrisisAlert.objects.create(
            created_at=head.posted_at + timedelta(minutes=25),
            source=head.source,
            topic=head.topic,
            window_start=head.posted_at - timedelta(minutes=35),
            window_end=head.posted_at + timedelta(minutes=25),
            count=24,
            baseline=1.5,
            clusters=[{"id": head.pk, "count": 20, "text": head_text[:200]}],
            words=[["mat", 22], ["dien", 22], ["sua", 9], ["truc", 5]],
            acknowledged_at=head.posted_at + timedelta(minutes=31),
        )
    Feed.objects.get_or_create(
        url="https://forum.example.vn/feeds/dien-nuoc.rss",
        defaults={"name": "Diễn đàn điện nước (mẫu)", "source": "forum", "enabled": False},
    )
    return {
        "social mentions": len(rows),
        "social duplicates": dup_total,
        "social replies": len(replies),
    }


def _fold(text: str) -> str:
    from cskh.core.text import fold

    return fold(text)


def _row(rng, n, text, at, names, weights, analysis, profile):
    from cskh.social.models import Mention

    a = analysis[text]
    followers = int(rng.paretovariate(1.2) * 80)
    reactions = rng.randrange(0, 60)
    shares = rng.randrange(0, 8)
    return Mention(
        source=rng.choices(names, weights)[0],
        external_id=f"demo-{n}",
        url=f"https://www.facebook.com/demo/{n}",
        author=rng.choice(AUTHORS),
        author_id=f"demo-a{rng.randrange(400)}",
        text=text,
        posted_at=at,
        received_at=at + timedelta(seconds=rng.randrange(5, 300)),
        profile=profile,
        followers=min(followers, 10**6),
        reactions=reactions,
        shares=shares,
        reach=min(followers, 10**6) + reactions + 5 * shares,
        sentiment=a["sentiment"],
        sentiment_score=a["sentiment_score"],
        actionable=a["actionable"],
        actionable_score=a["actionable_score"],
        urgent=a["urgent"],
        case_types=a["case_types"],
        topic=a["case_types"][0]["code"] if a["actionable"] and a["case_types"] else "",
    )
