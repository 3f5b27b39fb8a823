"""Intake of mentions: one or a batch of up to 1,000, in one transaction and a fixed number
of statements whatever the batch size (existing rows, candidate duplicate bands, known
authors, customers by code, phone and address, two INSERTs, the band INSERT, one UPDATE of
cluster counts; ``tests/social/test_intake.py`` pins the count). The batch is normalised
once and each profile's posts go through each model in one call.

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
from cskh.geo import selectors as geo_selectors
from cskh.social import dedupe
from cskh.social.models import KnownAuthor, Mention, MentionBand, Source
from cskh.social.understanding import analyze_posts, normalize_post
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


# a ward named in the post ("12 Lê Lợi, P. Bến Thành"): worth asking the address resolver
_WARD_WORD = re.compile(r"\b(phường|phuong|xã|p\.)\s*\w", re.IGNORECASE)


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


@dataclass
class _Pending:
    """A new mention on its way into the database, with what the batch works out about it
    (its signature and bands, the in-batch cluster it joins) but never stores as such."""

    mention: Mention
    normalized: str = ""
    sig: np.ndarray | None = None
    bands: list[int] = field(default_factory=list)
    in_batch_head: int | None = None  # index in the batch of the head this copy joins
    new_dups: int = 0  # copies in this batch joining this (new) head


def _identify(rows: list[_Pending]) -> None:
    """Confirmed customer for a known author (an account an agent confirmed, or a Messenger
    identity already linked), else a proposal from a customer code, a phone number or a
    street address in the text (only when it fits exactly one customer). A fixed number of
    queries per batch whatever its size."""
    mentions = [r.mention for r in rows]
    author_ids = sorted({m.author_id for m in mentions if m.author_id})
    known: dict[str, int] = {}
    if author_ids:
        known = dict(
            KnownAuthor.objects.filter(author_id__in=author_ids).values_list(
                "author_id", "customer_id"
            )
        )
        fb_ids = [a for a in author_ids if a not in known]
        if fb_ids and any(m.source in FACEBOOK_SOURCES for m in mentions):
            known.update(conv_selectors.linked_customers("facebook", fb_ids))
    pending: list[tuple[Mention, list[str], list[str]]] = []
    for m in mentions:
        if m.author_id in known:
            m.customer_id = known[m.author_id]
        elif any(ch.isdigit() for ch in m.text):
            pending.append((m, extract_customer_codes(m.text)[:2], extract_phones(m.text)[:2]))
    if not pending:
        return
    by_code = customer_selectors.customer_ids_by_codes([c for _m, cs, _p in pending for c in cs])
    by_phone = customer_selectors.customer_ids_by_phones([p for _m, _c, ps in pending for p in ps])
    by_address: list[tuple[Mention, int]] = []
    for m, codes, phones in pending:
        code = next((c for c in codes if c in by_code), None)
        phone = next((p for p in phones if len(by_phone.get(p, ())) == 1), None)
        if code is not None:
            m.proposed_customer_id = by_code[code]
            m.proposal_reason = _("Mã khách hàng %(code)s trong bài") % {"code": code}
        elif phone is not None:
            m.proposed_customer_id = by_phone[phone][0]
            m.proposal_reason = _("Số điện thoại trong bài")
        elif find_address(m.text) or _WARD_WORD.search(m.text):
            ward = geo_selectors.resolve_address(m.text).ward_code
            if ward is not None:
                by_address.append((m, ward))
    if by_address:
        found = customer_selectors.customer_ids_at_addresses(
            [(ward, m.text) for m, ward in by_address]
        )
        for (m, _ward), ids in zip(by_address, found, strict=True):
            if len(ids) == 1:
                m.proposed_customer_id = ids[0]
                m.proposal_reason = _("Địa chỉ trong bài")


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
            pending = _build(list(fresh.values()), default_profile, now)
            _cluster(pending, now)
            _identify(pending)
            _save(pending)
            new_rows = [r.mention for r in pending]
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


def _build(data: list[MentionData], default_profile: str, now: datetime) -> list[_Pending]:
    """Unsaved mentions with their analysis: each profile's posts in one call of the models."""
    normalized = [normalize_post(it.text) for it in data]
    by_profile: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(data):
        by_profile[it.profile or default_profile].append(i)
    analysis: list[dict[str, Any]] = [{}] * len(data)
    for profile, idx in by_profile.items():
        results = analyze_posts(
            [data[i].text for i in idx], profile, normalized=[normalized[i] for i in idx]
        )
        for i, a in zip(idx, results, strict=True):
            analysis[i] = a
    rows = []
    for it, a, norm in zip(data, analysis, normalized, strict=True):
        followers, reactions, shares, reach = _reach(it.reach)
        posted = it.posted_at
        if timezone.is_naive(posted):
            posted = timezone.make_aware(posted)
        top = a["case_types"][0]["code"] if a["case_types"] else ""
        mention = Mention(
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
        rows.append(_Pending(mention=mention, normalized=norm))
    return rows


def _cluster(rows: list[_Pending], now: datetime) -> None:
    """Set ``duplicate_of`` (an existing head within the window) or ``in_batch_head`` (an
    earlier new mention of this batch), and count the copies each new head gathers.

    Candidates come from the stored bands of the batch's bands (one query per 5,000 bands,
    the head's signature read in the same join), so every process sees the same clusters."""
    sigs = dedupe.signatures(
        [r.mention.text for r in rows], normalized=[r.normalized for r in rows]
    )
    threshold = settings.CSKH_SOCIAL_DUPLICATE_THRESHOLD
    for r, sig in zip(rows, sigs, strict=True):
        r.sig = sig
        r.bands = dedupe.bands(sig) if sig is not None else []
        r.mention.minhash = dedupe.to_hex(sig) if sig is not None else ""
    all_bands = sorted({b for r in rows for b in r.bands})
    stored: dict[int, list[int]] = defaultdict(list)  # band → ids of stored heads
    stored_sigs: dict[int, np.ndarray] = {}
    since = now - timedelta(days=DUPLICATE_WINDOW_DAYS)
    for i in range(0, len(all_bands), 5000):
        for band, mid, raw in MentionBand.objects.filter(
            band__in=all_bands[i : i + 5000], posted_at__gte=since
        ).values_list("band", "mention_id", "mention__minhash"):
            if raw:
                stored[band].append(mid)
                if mid not in stored_sigs:
                    stored_sigs[mid] = dedupe.from_hex(raw)
    local: dict[int, list[int]] = defaultdict(list)  # band → indexes of heads in this batch
    for i, r in enumerate(rows):
        if r.sig is None:
            continue
        best_score, best_id, best_local = 0.0, None, None
        seen: set[int] = set()
        for b in r.bands:
            for mid in stored.get(b, ()):
                if mid not in seen:
                    seen.add(mid)
                    s = dedupe.jaccard(r.sig, stored_sigs[mid])
                    if s >= threshold and s > best_score:
                        best_score, best_id = s, mid
        if best_id is None:
            seen.clear()
            for b in r.bands:
                for j in local.get(b, ()):
                    other = rows[j].sig
                    if j not in seen and other is not None:
                        seen.add(j)
                        s = dedupe.jaccard(r.sig, other)
                        if s >= threshold and s > best_score:
                            best_score, best_local = s, j
        if best_id is not None:
            r.mention.duplicate_of_id = best_id
        elif best_local is not None:
            r.in_batch_head = best_local
            rows[best_local].new_dups += 1
        else:
            for b in r.bands:
                local[b].append(i)


def _save(rows: list[_Pending]) -> None:
    """Heads first (their ids are needed by their in-batch copies), then the copies, then the
    bands of the new heads and one UPDATE of the counts of existing heads that gained copies."""
    heads = [r for r in rows if r.mention.duplicate_of_id is None and r.in_batch_head is None]
    for r in heads:
        r.mention.duplicate_count = r.new_dups
    Mention.objects.bulk_create([r.mention for r in heads])
    dups = [r for r in rows if r.mention.duplicate_of_id is not None or r.in_batch_head is not None]
    for r in dups:
        if r.in_batch_head is not None:
            head = rows[r.in_batch_head].mention
            r.mention.duplicate_of_id = head.pk
            r.mention.duplicate_of = head
    if dups:
        Mention.objects.bulk_create([r.mention for r in dups])
    bands = [
        MentionBand(band=b, mention_id=r.mention.pk, posted_at=r.mention.posted_at)
        for r in heads
        for b in r.bands
    ]
    if bands:
        MentionBand.objects.bulk_create(bands, batch_size=5000)
    counts: dict[int, int] = defaultdict(int)  # existing heads that gained copies
    for r in dups:
        if r.in_batch_head is None and r.mention.duplicate_of_id:
            counts[r.mention.duplicate_of_id] += 1
    if counts:
        Mention.objects.filter(pk__in=list(counts)).update(
            duplicate_count=F("duplicate_count")
            + SqlCase(
                *[When(pk=pk, then=Value(n)) for pk, n in counts.items()],
                default=Value(0),
                output_field=IntegerField(),
            )
        )
