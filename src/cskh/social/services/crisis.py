"""Crisis detection: negative actionable mentions per source and topic in a sliding window,
compared with the same window of the last 4 weeks (same weekday and hour).

An alert fires when ``count ≥ CSKH_SOCIAL_CRISIS_MIN`` (default 10) and
``count > CSKH_SOCIAL_CRISIS_FACTOR × baseline`` (default 3×), where the baseline is the mean
count of the same window 7, 14, 21 and 28 days earlier. It names the top duplicate clusters and
the most frequent words, is pushed live to the shift leads' screens (``core.live`` channel
``social``) and sent to the on-call list (``CSKH_SOCIAL_ONCALL``: ``sms:+849…``,
``zalo:+849…``, ``email:…``) through the notify outbox. One alert per source/topic per window.

The ``social_tick`` job runs ``check`` every minute, so an alert fires within a minute of the
threshold being crossed (``bench/bench_social.py`` replays a storm to show it).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import live
from cskh.notify import services as notify_services
from cskh.social.lexicon import normalize
from cskh.social.models import CrisisAlert, Mention

__all__ = ["check", "baseline_windows", "LIVE_CHANNEL", "STOPWORDS"]

LIVE_CHANNEL = "social"
WEEKS = 4
STOPWORDS = frozenset(
    """
    a ai anh ban bao be ben bi brandx cac cai cho chi co con cua cung da dang de den di do duoc
    gi gio ha hay het hoi khi khong la lai lam len luc ma may minh moi mot nay neu nguoi nha nhe
    nhu nhung nua o oi on qua ra rat roi sao se ta thi the thoi toi tren tu va vay ve vi voi vo
    xin emopos emoneg sarcasmx shoutx exclaimx elongx numx moneyx phonex urlx userx em u uh
    """.split()
)
_WORD = re.compile(r"[a-z]{2,}")


def baseline_windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    return [
        (start - timedelta(days=7 * k), end - timedelta(days=7 * k)) for k in range(1, WEEKS + 1)
    ]


def _negative() -> Q:
    return Q(sentiment="negative", actionable=True)


def _top(source: str, topic: str, start: datetime, end: datetime) -> tuple[list[Any], list[Any]]:
    qs = Mention.objects.filter(_negative(), source=source, topic=topic, posted_at__gte=start)
    qs = qs.filter(posted_at__lt=end)
    heads = list(
        qs.annotate(head=Coalesce("duplicate_of_id", "id"))
        .values("head")
        .annotate(n=Count("id"))
        .order_by("-n")[:5]
    )
    texts = dict(
        Mention.objects.filter(pk__in=[h["head"] for h in heads]).values_list("pk", "text")
    )
    clusters = [
        {"id": h["head"], "count": h["n"], "text": (texts.get(h["head"]) or "")[:200]}
        for h in heads
    ]
    words: Counter[str] = Counter()
    for text in qs.values_list("text", flat=True)[:500]:
        words.update({w for w in _WORD.findall(normalize(text)) if w not in STOPWORDS})
    return clusters, [[w, n] for w, n in words.most_common(10)]


def check(*, now: datetime | None = None) -> list[CrisisAlert]:
    """Compare every source/topic's window with its baseline; raise the alerts due."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.CSKH_SOCIAL_CRISIS_WINDOW_MINUTES)
    start = now - window
    factor = settings.CSKH_SOCIAL_CRISIS_FACTOR
    minimum = settings.CSKH_SOCIAL_CRISIS_MIN
    current = {
        (r["source"], r["topic"]): r["n"]
        for r in Mention.objects.filter(_negative(), posted_at__gte=start, posted_at__lt=now)
        .values("source", "topic")
        .annotate(n=Count("id"))
        if r["n"] >= minimum
    }
    if not current:
        return []
    past = Q()
    for a, b in baseline_windows(start, now):
        past |= Q(posted_at__gte=a, posted_at__lt=b)
    base = {
        (r["source"], r["topic"]): r["n"] / WEEKS
        for r in Mention.objects.filter(_negative())
        .filter(past)
        .filter(source__in={k[0] for k in current})
        .values("source", "topic")
        .annotate(n=Count("id"))
    }
    recent = set(CrisisAlert.objects.filter(created_at__gte=start).values_list("source", "topic"))
    alerts = []
    for (source, topic), n in sorted(current.items()):
        baseline = base.get((source, topic), 0.0)
        if n <= factor * baseline or (source, topic) in recent:
            continue
        clusters, words = _top(source, topic, start, now)
        alerts.append(
            _raise(
                source=source,
                topic=topic,
                count=n,
                baseline=baseline,
                start=start,
                end=now,
                clusters=clusters,
                words=words,
            )
        )
    return alerts


@transaction.atomic
def _raise(**kw: Any) -> CrisisAlert:
    alert = CrisisAlert.objects.create(
        created_at=timezone.now(),
        source=kw["source"],
        topic=kw["topic"],
        window_start=kw["start"],
        window_end=kw["end"],
        count=kw["count"],
        baseline=kw["baseline"],
        clusters=kw["clusters"],
        words=kw["words"],
    )
    text = _(
        "Cảnh báo mạng xã hội: %(n)s đề cập tiêu cực cần xử lý (%(source)s, %(topic)s) "
        "trong %(minutes)s phút, mức thường %(base).1f. Từ khóa: %(words)s."
    ) % {
        "n": alert.count,
        "source": alert.source,
        "topic": alert.topic or "-",
        "minutes": settings.CSKH_SOCIAL_CRISIS_WINDOW_MINUTES,
        "base": alert.baseline,
        "words": ", ".join(w for w, _n in alert.words[:5]) or "-",
    }
    for entry in settings.CSKH_SOCIAL_ONCALL:
        channel, _sep, to = entry.partition(":")
        if channel in ("sms", "zalo", "email") and to:
            notify_services.queue_text(
                channel=channel,
                to=to,
                body=text,
                subject=_("Cảnh báo khủng hoảng mạng xã hội"),
                dedupe_key=f"social-alert:{alert.pk}:{entry}",
                template="social_crisis",
            )
    payload = {
        "type": "social_alert",
        "id": alert.pk,
        "text": text,
        "count": alert.count,
        "source": alert.source,
        "topic": alert.topic,
    }
    transaction.on_commit(lambda: live.publish(LIVE_CHANNEL, payload))
    return alert


@transaction.atomic
def acknowledge(*, alert: CrisisAlert, actor: Any) -> CrisisAlert:
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return alert
