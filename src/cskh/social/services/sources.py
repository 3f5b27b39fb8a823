"""Where mentions come from besides the API: the Facebook page feed webhook, RSS/Atom feeds
(polled with a conditional GET) and vendor export files (JSON lines or CSV, docs/social.md).
Each turns its input into ``MentionData`` and calls ``intake.ingest`` in batches."""

from __future__ import annotations

import csv
import io
import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cskh.core.errors import DomainError
from cskh.social.models import Feed, Source
from cskh.social.services.intake import MAX_BATCH, MentionData, ingest

__all__ = [
    "parse_facebook_feed",
    "ingest_facebook_feed",
    "on_facebook_page_feed",
    "parse_feed",
    "poll_feed",
    "poll_due_feeds",
    "read_export",
    "import_export",
]

log = logging.getLogger("cskh.social")


# --------------------------------------------------------------------------- Facebook page feed


def _fb_time(value: Any) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        parsed = parse_datetime(value.replace("+0000", "+00:00"))
        if parsed:
            return parsed
    return timezone.now()


def parse_facebook_feed(payload: Any) -> list[MentionData]:
    """``{"object": "page", "entry": [{"id", "changes": [{"field": "feed", "value": …}]}]}``:
    new or edited page posts and comments by others (the page's own posts are skipped)."""
    out: list[MentionData] = []
    if not isinstance(payload, dict) or payload.get("object") != "page":
        return out
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        page_id = str(entry.get("id", ""))
        for change in entry.get("changes") or []:
            if not isinstance(change, dict) or change.get("field") != "feed":
                continue
            v = change.get("value") or {}
            if not isinstance(v, dict) or v.get("verb") not in ("add", "edited"):
                continue
            item = v.get("item")
            sender = v.get("from") or {}
            if str(sender.get("id", "")) == page_id:
                continue
            message = str(v.get("message") or "").strip()
            if not message:
                continue
            if item == "comment":
                source, ext = Source.FACEBOOK_COMMENT, str(v.get("comment_id") or "")
                parent = str(v.get("parent_id") or v.get("post_id") or "")
            elif item in ("post", "status", "photo", "video", "share"):
                source, ext = Source.FACEBOOK_PAGE_POST, str(v.get("post_id") or "")
                parent = ""
            else:
                continue
            if not ext:
                continue
            out.append(
                MentionData(
                    source=source,
                    external_id=ext,
                    text=message,
                    posted_at=_fb_time(v.get("created_time")),
                    url=f"https://www.facebook.com/{ext}",
                    author=str(sender.get("name", ""))[:200],
                    author_id=str(sender.get("id", ""))[:100],
                    parent_external_id=parent,
                )
            )
    return out


def ingest_facebook_feed(payload: Any) -> int:
    items = parse_facebook_feed(payload)
    for i in range(0, len(items), MAX_BATCH):
        ingest(items=items[i : i + MAX_BATCH])
    return len(items)


def on_facebook_page_feed(*, payload: Any, event_id: int | None = None, **_kw: object) -> None:
    """settings.CSKH_HOOKS["facebook_page_feed"]: the Messenger webhook (conversations) got
    page feed changes; store them as mentions. A failure here is logged and never undoes the
    Messenger messages of the same delivery (savepoint)."""
    try:
        with transaction.atomic():
            ingest_facebook_feed(payload)
    except (DomainError, DatabaseError, ValueError, TypeError):
        log.exception("page feed of webhook event %s not stored as mentions", event_id)


# --------------------------------------------------------------------------- RSS / Atom

_ATOM = "{http://www.w3.org/2005/Atom}"


def _date(text: str | None) -> datetime:
    if text:
        text = text.strip()
        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError):
            parsed = parse_datetime(text)
            if parsed:
                return parsed
    return timezone.now()


def _strip_html(text: str) -> str:
    from django.utils.html import strip_tags

    return " ".join(strip_tags(text or "").split())


def parse_feed(body: bytes, *, source: str = Source.NEWS) -> list[MentionData]:
    """RSS 2.0 items or Atom entries → mentions (title + summary as text)."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise DomainError(_("Nguồn tin không đúng định dạng RSS/Atom."), code="bad_feed") from exc
    out = []
    if root.tag == f"{_ATOM}feed":
        for e in root.findall(f"{_ATOM}entry"):
            link = e.find(f"{_ATOM}link")
            url = link.get("href", "") if link is not None else ""
            ext = (e.findtext(f"{_ATOM}id") or url).strip()
            title = e.findtext(f"{_ATOM}title") or ""
            summary = e.findtext(f"{_ATOM}summary") or e.findtext(f"{_ATOM}content") or ""
            author = e.findtext(f"{_ATOM}author/{_ATOM}name") or ""
            when = e.findtext(f"{_ATOM}published") or e.findtext(f"{_ATOM}updated")
            text = _strip_html(f"{title}. {summary}")
            if ext and text.strip(". "):
                out.append(MentionData(source, ext[:200], text, _date(when), url, author.strip()))
    else:
        for item in root.iter("item"):
            url = (item.findtext("link") or "").strip()
            ext = (item.findtext("guid") or url).strip()
            title = item.findtext("title") or ""
            desc = item.findtext("description") or ""
            author = item.findtext("author") or ""
            text = _strip_html(f"{title}. {desc}")
            if ext and text.strip(". "):
                out.append(
                    MentionData(
                        source, ext[:200], text, _date(item.findtext("pubDate")), url, author
                    )
                )
    return out


def poll_feed(feed: Feed, *, client: httpx.Client | None = None) -> int:
    """One conditional GET (If-None-Match / If-Modified-Since); 304 stores nothing."""
    headers = {"User-Agent": "cskh-social/1"}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    now = timezone.now()
    feed.next_poll_at = now + timedelta(seconds=feed.interval_seconds)
    try:
        if client is None:
            r = httpx.get(feed.url, headers=headers, timeout=15, follow_redirects=True)
        else:
            r = client.get(feed.url, headers=headers)
    except httpx.HTTPError as exc:
        feed.last_status = f"error: {exc}"[:100]
        feed.save(update_fields=["next_poll_at", "last_status"])
        return 0
    if r.status_code == 304:
        feed.last_status = "304"
        feed.save(update_fields=["next_poll_at", "last_status"])
        return 0
    if r.status_code != 200:
        feed.last_status = f"HTTP {r.status_code}"
        feed.save(update_fields=["next_poll_at", "last_status"])
        return 0
    try:
        items = parse_feed(r.content, source=feed.source)
    except DomainError:
        feed.last_status = "bad feed"
        feed.save(update_fields=["next_poll_at", "last_status"])
        return 0
    for i in range(0, len(items), MAX_BATCH):
        ingest(items=items[i : i + MAX_BATCH])
    feed.etag = r.headers.get("ETag", "")[:200]
    feed.last_modified = r.headers.get("Last-Modified", "")[:100]
    feed.last_status = f"200 ({len(items)})"
    feed.save(update_fields=["next_poll_at", "last_status", "etag", "last_modified"])
    return len(items)


def poll_due_feeds(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    total = 0
    for feed in Feed.objects.filter(enabled=True).exclude(next_poll_at__gt=now)[:50]:
        try:
            total += poll_feed(feed)
        except Exception:  # one broken feed never stops the others
            log.exception("feed %s failed", feed.pk)
    return total


# --------------------------------------------------------------------------- vendor exports

FIELDS = ("source", "external_id", "url", "author", "author_id", "text", "posted_at", "profile")
REACH = ("followers", "reactions", "shares")


def _row(d: dict[str, Any], line: int) -> MentionData:
    posted = d.get("posted_at")
    when = parse_datetime(str(posted)) if posted else None
    if when is None:
        raise DomainError(
            _("Dòng %(n)s: thời điểm đăng không hợp lệ.") % {"n": line}, code="bad_posted_at"
        )
    given = d.get("reach")
    reach: dict[str, int] = dict(given) if isinstance(given, dict) else {}
    for k in REACH:
        if d.get(k) not in (None, ""):
            try:
                reach[k] = int(d[k])
            except (TypeError, ValueError):
                raise DomainError(
                    _("Dòng %(n)s: số không hợp lệ.") % {"n": line}, code="bad_number"
                ) from None
    return MentionData(
        source=str(d.get("source") or ""),
        external_id=str(d.get("external_id") or ""),
        text=str(d.get("text") or ""),
        posted_at=when,
        url=str(d.get("url") or ""),
        author=str(d.get("author") or ""),
        author_id=str(d.get("author_id") or ""),
        parent_external_id=str(d.get("parent_external_id") or ""),
        profile=str(d.get("profile") or ""),
        reach=reach,
    )


def read_export(stream: Iterable[str], *, fmt: str) -> Iterator[MentionData]:
    """JSON lines (one object per line) or CSV with a header row; schema in docs/social.md."""
    if fmt == "jsonl":
        for n, line in enumerate(stream, 1):
            if line.strip():
                try:
                    d = json.loads(line)
                except json.JSONDecodeError:
                    raise DomainError(
                        _("Dòng %(n)s: JSON không hợp lệ.") % {"n": n}, code="bad_json"
                    ) from None
                yield _row(d, n)
    elif fmt == "csv":
        for n, d in enumerate(csv.DictReader(stream), 2):
            yield _row(d, n)
    else:
        raise DomainError(_("Định dạng phải là jsonl hoặc csv."), code="bad_format")


def import_export(stream: Iterable[str] | io.TextIOBase, *, fmt: str) -> dict[str, int]:
    """Import a vendor export in batches of 1,000: {"rows", "new", "duplicates"}."""
    rows = new = dups = 0
    batch: list[MentionData] = []

    def flush() -> None:
        nonlocal new, dups
        stats: dict[str, int] = {}
        out = ingest(items=batch, stats=stats)
        new += stats["new"]
        dups += sum(1 for o in out if o["duplicate_of"])
        batch.clear()

    for item in read_export(stream, fmt=fmt):
        batch.append(item)
        rows += 1
        if len(batch) == MAX_BATCH:
            flush()
    if batch:
        flush()
    return {"rows": rows, "new": new, "duplicates": dups}
