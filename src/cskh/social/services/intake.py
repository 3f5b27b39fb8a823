"""Intake of mentions: one or a batch of up to 1,000, in one transaction and a handful of
statements whatever the batch size (existing rows, candidate duplicate bands, known authors,
two INSERTs, the band INSERT, one UPDATE of cluster counts).

Idempotent on (source, external_id): a mention already stored is answered from its row and
never analysed, counted or clustered again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase
from django.db.models import F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.catalog import services as catalog_services
from cskh.conversations import selectors as conv_selectors
from cskh.core.errors import DomainError
from cskh.customers import selectors as customer_selectors
from cskh.social import dedupe
from cskh.social.models import KnownAuthor, Mention, MentionBand, Source
from cskh.social.understanding import analyze_posts
from cskh.textintel.normalize import extract_customer_codes, extract_phones

__all__ = ["MentionData", "ingest", "MAX_BATCH", "DUPLICATE_WINDOW_DAYS", "find_address"]

MAX_BATCH = 1000
DUPLICATE_WINDOW_DAYS = 14  # a copy posted later than this starts a new cluster
FACEBOOK_SOURCES = {Source.FACEBOOK_COMMENT, Source.FACEBOOK_PAGE_POST, Source.FACEBOOK_GROUP}

_ADDRESS = re.compile(
    r"\b(số\s*\d+[\w/]*|\d+[a-z]?(/\d+)*)\s+(đường|phố|hẻm|ngõ|ngách|kiệt|kiet|duong|pho|hem|ngo)"
    r"\s+\w+|\b(hẻm|ngõ|kiệt|hem|ngo|kiet)\s+\d+[\w/]*\s+\w+|\b(tổ|to)\s+\d+\s+(phường|phuong|khu)",
    re.IGNORECASE,
)


def find_address(text: str) -> str:
    m = _ADDRESS.search(text or "")
    return m.group(0) if m else ""


@dataclass
class MentionData:
    source: str
    external_id: str
    text: str
    posted_at: datetime
    url: str = ""
    author: str = ""
    author_id: str = ""
    parent_external_id: str = ""
    profile: str = ""
    reach: dict[str, int] = field(default_factory=dict)


def _check(items: list[MentionData]) -> None:
    if not items:
        raise DomainError(_("Danh sách đề cập đang trống."), code="empty_batch")
    if len(items) > MAX_BATCH:
        raise DomainError(
            _("Tối đa %(n)s đề cập mỗi lần.") % {"n": MAX_BATCH}, status=413, code="batch_too_large"
        )
    for i, it in enumerate(items):
        if it.source not in Source.values:
            raise DomainError(
                _("Đề cập số %(i)s: nguồn không hợp lệ.") % {"i": i + 1}, code="bad_source"
            )
        if not it.external_id.strip() or len(it.external_id) > 200:
            raise DomainError(
                _("Đề cập số %(i)s: thiếu mã trên nguồn.") % {"i": i + 1}, code="bad_external_id"
            )
        if not it.text.strip():
            raise DomainError(
                _("Đề cập số %(i)s: nội dung đang trống.") % {"i": i + 1}, code="empty_text"
            )
        if it.profile and it.profile not in ("electricity", "telecom"):
            raise DomainError(
                _("Đề cập số %(i)s: ngành không hợp lệ.") % {"i": i + 1}, code="bad_profile"
            )


def _out(m: Mention, case_number: str | None) -> dict[str, Any]:
    return {
        "id": m.pk,
        "sentiment": m.sentiment,
        "actionable": m.actionable,
        "case_types": m.case_types,
        "urgent": m.urgent,
        "duplicate_of": m.duplicate_of_id,
        "case_number": case_number,
    }


def _reach(r: dict[str, int]) -> tuple[int, int, int, int]:
    followers = max(0, int(r.get("followers") or 0))
    reactions = max(0, int(r.get("reactions") or 0))
    shares = max(0, int(r.get("shares") or 0))
    return followers, reactions, shares, min(followers + reactions + 5 * shares, 2**31 - 1)


def _identify(rows: list[Mention]) -> None:
    """Confirmed customer for a known author (an account an agent confirmed, or a Messenger
    identity already linked), else a proposal from a phone number or customer code."""
    author_ids = sorted({m.author_id for m in rows if m.author_id})
    known: dict[str, int] = {}
    if author_ids:
        known = dict(
            KnownAuthor.objects.filter(author_id__in=author_ids).values_list(
                "author_id", "customer_id"
            )
        )
        fb_ids = [a for a in author_ids if a not in known]
        fb_rows = [m for m in rows if m.source in FACEBOOK_SOURCES]
        if fb_ids and fb_rows:
            known.update(conv_selectors.linked_customers("facebook", fb_ids))
    for m in rows:
        if m.author_id in known:
            m.customer_id = known[m.author_id]
            continue
        if not any(ch.isdigit() for ch in m.text):
            continue
        for code in extract_customer_codes(m.text)[:2]:
            c = customer_selectors.find_by_code(code)
            if c is not None:
                m.proposed_customer_id = c.pk
                m.proposal_reason = _("Mã khách hàng %(code)s trong bài") % {"code": code}
                break
        else:
            for phone in extract_phones(m.text)[:2]:
                found = customer_selectors.find_by_phone(phone)
                if len(found) == 1:
                    m.proposed_customer_id = found[0].pk
                    m.proposal_reason = _("Số điện thoại trong bài")
                    break


def ingest(
    *,
    items: list[MentionData],
    now: datetime | None = None,
    stats: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Store, analyse, cluster and identify mentions; answer one dict per item in order:
    {"id", "sentiment", "actionable", "case_types", "urgent", "duplicate_of", "case_number"}.
    ``stats`` (optional) receives {"new": number of mentions stored by this call}."""
    _check(items)
    stats = stats if stats is not None else {}
    try:
        return _ingest(items, now or timezone.now(), stats)
    except IntegrityError:  # a concurrent request stored one of these keys first: answer again
        return _ingest(items, now or timezone.now(), stats)


def _ingest(items: list[MentionData], now: datetime, stats: dict[str, int]) -> list[dict[str, Any]]:
    default_profile = catalog_services.active_profile().code
    keys = [(it.source, it.external_id.strip()) for it in items]

    with transaction.atomic():
        existing: dict[tuple[str, str], Mention] = {}
        for m in Mention.objects.filter(
            source__in={k[0] for k in keys}, external_id__in={k[1] for k in keys}
        ).select_related("case"):
            existing[(m.source, m.external_id)] = m

        fresh: dict[tuple[str, str], MentionData] = {}
        for key, it in zip(keys, items, strict=True):
            if key not in existing and key not in fresh:
                fresh[key] = it
        new_rows: list[Mention] = []
        if fresh:
            new_rows = _build(list(fresh.values()), default_profile, now)
            _cluster(new_rows, now)
            _identify(new_rows)
            heads = [m for m in new_rows if m.duplicate_of_id is None and m.pk is None]
            _save(new_rows, heads)
            from cskh.social.services.cases import open_cases_for

            open_cases_for([m for m in new_rows if m.customer_id and m.actionable])
        for m in new_rows:
            existing[(m.source, m.external_id)] = m
        stats["new"] = len(new_rows)

    out = []
    for key in keys:
        m = existing[key]
        out.append(_out(m, m.case.number if m.case_id and m.case else None))
    return out


def _build(data: list[MentionData], default_profile: str, now: datetime) -> list[Mention]:
    by_profile: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(data):
        by_profile[it.profile or default_profile].append(i)
    analysis: list[dict[str, Any]] = [{}] * len(data)
    for profile, idx in by_profile.items():
        for i, a in zip(idx, analyze_posts([data[i].text for i in idx], profile), strict=True):
            analysis[i] = a
    rows = []
    for it, a in zip(data, analysis, strict=True):
        followers, reactions, shares, reach = _reach(it.reach)
        posted = it.posted_at
        if timezone.is_naive(posted):
            posted = timezone.make_aware(posted)
        top = a["case_types"][0]["code"] if a["case_types"] else ""
        rows.append(
            Mention(
                source=it.source,
                external_id=it.external_id.strip(),
                url=(it.url or "")[:500],
                author=(it.author or "")[:200],
                author_id=(it.author_id or "")[:100],
                parent_external_id=(it.parent_external_id or "")[:200],
                text=it.text[:10000],
                posted_at=posted,
                received_at=now,
                profile=it.profile or default_profile,
                followers=followers,
                reactions=reactions,
                shares=shares,
                reach=reach,
                sentiment=a["sentiment"],
                sentiment_score=a["sentiment_score"],
                actionable=a["actionable"],
                actionable_score=a["actionable_score"],
                urgent=a["urgent"],
                case_types=a["case_types"],
                topic=top if a["actionable"] else "",
            )
        )
    return rows


def _cluster(rows: list[Mention], now: datetime) -> None:
    """Set duplicate_of (an existing head's id) or mark in-batch duplicates (``_head``) and
    count duplicates per head (``_new_dups`` for existing heads)."""
    sigs = dedupe.signatures([m.text for m in rows])
    threshold = settings.CSKH_SOCIAL_DUPLICATE_THRESHOLD
    row_bands: list[list[int]] = [dedupe.bands(s) if s is not None else [] for s in sigs]
    all_bands = sorted({b for bs in row_bands for b in bs})
    stored: dict[int, list[tuple[int, np.ndarray]]] = defaultdict(list)
    since = now - timedelta(days=DUPLICATE_WINDOW_DAYS)
    for i in range(0, len(all_bands), 5000):
        for band, mid, raw in MentionBand.objects.filter(
            band__in=all_bands[i : i + 5000], posted_at__gte=since
        ).values_list("band", "mention_id", "mention__minhash"):
            if raw is not None:
                stored[band].append((mid, dedupe.from_bytes(raw)))
    local: dict[int, list[int]] = defaultdict(list)  # band → indexes of heads in this batch
    for i, (m, sig, bands) in enumerate(zip(rows, sigs, row_bands, strict=True)):
        m.in_batch_head = None  # type: ignore[attr-defined]
        m.new_dups = 0  # type: ignore[attr-defined]
        if sig is None:
            continue
        m.minhash = dedupe.to_bytes(sig)
        m.sig = sig  # type: ignore[attr-defined]
        best: tuple[float, int | None, int | None] = (0.0, None, None)
        seen: set[int] = set()
        for b in bands:
            for mid, other in stored.get(b, ()):
                if mid in seen:
                    continue
                seen.add(mid)
                s = dedupe.jaccard(sig, other)
                if s >= threshold and s > best[0]:
                    best = (s, mid, None)
        if best[1] is None:
            seen_local: set[int] = set()
            for b in bands:
                for j in local.get(b, ()):
                    if j in seen_local:
                        continue
                    seen_local.add(j)
                    s = dedupe.jaccard(sig, rows[j].sig)  # type: ignore[attr-defined]
                    if s >= threshold and s > best[0]:
                        best = (s, None, j)
        if best[1] is not None:
            m.duplicate_of_id = best[1]
        elif best[2] is not None:
            m.in_batch_head = best[2]  # type: ignore[attr-defined]
            rows[best[2]].new_dups += 1  # type: ignore[attr-defined]
        else:
            for b in bands:
                local[b].append(i)


def _save(rows: list[Mention], heads: list[Mention]) -> None:
    head_rows = [m for m in heads if getattr(m, "in_batch_head", None) is None]
    for m in head_rows:
        m.duplicate_count = getattr(m, "new_dups", 0)
    Mention.objects.bulk_create(head_rows)
    head_ids = {id(m) for m in head_rows}
    dups = [m for m in rows if id(m) not in head_ids]
    for m in dups:
        j = getattr(m, "in_batch_head", None)
        if j is not None:
            m.duplicate_of_id = rows[j].pk
            m.duplicate_of = rows[j]
    if dups:
        Mention.objects.bulk_create(dups)
    bands = [
        MentionBand(band=b, mention_id=m.pk, posted_at=m.posted_at)
        for m in head_rows
        if getattr(m, "sig", None) is not None
        for b in dedupe.bands(m.sig)  # type: ignore[attr-defined]
    ]
    if bands:
        MentionBand.objects.bulk_create(bands, batch_size=5000)
    # existing heads that gained duplicates: one UPDATE
    counts: dict[int, int] = defaultdict(int)
    for m in dups:
        if getattr(m, "in_batch_head", None) is None and m.duplicate_of_id:
            counts[m.duplicate_of_id] += 1
    if counts:
        Mention.objects.filter(pk__in=list(counts)).update(
            duplicate_count=F("duplicate_count")
            + SqlCase(
                *[When(pk=pk, then=Value(n)) for pk, n in counts.items()],
                default=Value(0),
                output_field=IntegerField(),
            )
        )
