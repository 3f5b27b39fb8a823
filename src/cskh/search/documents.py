"""What a search document holds, built in Python (any database), and the ORM writes of one
document. The PostgreSQL backend builds the same columns in SQL (backends/postgres.py); the
SQLite backend and the article documents use these builders.

- customer: title = full name; body = code · phone numbers (national form) · address;
  keys = code, phones (0… and 84… forms), service point codes.
- case: title = number · subject; body = description, notes/replies, resolution (first
  10,000 characters); keys = number (lower case, '-' as spaces, and digits only); unit_id = case.unit_id.
- article: the live (approved, effective) version's title and body; id = article id.
"""

from __future__ import annotations

from collections.abc import Iterable

from cskh.core.text import fold
from cskh.knowledge.selectors import live_versions
from cskh.search.models import SearchDocument

BODY_MAX = 10_000
TABLE = SearchDocument._meta.db_table
NOTE_KINDS = ("note", "reply")
UPDATE_FIELDS = ["unit_id", "ref", "title", "body", "keys", "title_folded", "body_folded"]


def national(e164: str) -> str:
    """'+84901234567' → '0901234567' (other countries: digits only)."""
    if e164.startswith("+84"):
        return "0" + e164[3:]
    return e164.lstrip("+")


def phone_keys(e164: str) -> str:
    if e164.startswith("+84"):
        return f"{national(e164)} {e164[1:]}"
    return e164.lstrip("+")


def customer_values(
    cid: int,
    code: str,
    full_name: str,
    address: str,
    phones: Iterable[str],
    sp_codes: Iterable[str],
) -> tuple:
    """(ref, title, body, keys, title_folded, body_folded) of a customer document; phones in
    display order (primary first)."""
    phones = list(phones)
    nat = " ".join(national(e) for e in phones)
    keys = " ".join(x for x in [code, *(phone_keys(e) for e in phones), *sp_codes] if x).lower()
    body = " · ".join(x for x in (code, nat, address) if x)
    return (str(cid), full_name, body, keys, fold(full_name), fold(address or ""))


def customer_doc(c) -> SearchDocument:
    """The document of a customer fetched with its phones and service points prefetched."""
    phones = sorted(c.phones.all(), key=lambda p: (not p.is_primary, p.id))
    ref, title, body, keys, title_folded, body_folded = customer_values(
        c.id,
        c.code,
        c.full_name,
        c.address,
        [p.e164 for p in phones],
        [s.code for s in c.service_points.all()],
    )
    return SearchDocument(
        kind="customer",
        object_id=c.id,
        unit_id=None,
        ref=ref,
        title=title,
        body=body,
        keys=keys,
        title_folded=title_folded,
        body_folded=body_folded,
    )


def case_values(
    number: str, subject: str, description: str, resolution: str, notes: Iterable[str]
) -> tuple:
    """(ref, title, body, keys, title_folded, body_folded) of a case document."""
    body = "\n".join(p for p in [description, *[n for n in notes if n], resolution] if p)
    body = body[:BODY_MAX]
    digits = "".join(ch for ch in number if ch.isdigit())
    keys = f"{number.lower().replace('-', ' ')} {digits}"
    return (number, f"{number} · {subject}", body, keys, fold(subject), fold(body))


def case_doc(case, notes: Iterable[str]) -> SearchDocument:
    ref, title, body, keys, title_folded, body_folded = case_values(
        case.number, case.subject, case.description, case.resolution, notes
    )
    return SearchDocument(
        kind="case",
        object_id=case.id,
        unit_id=case.unit_id,
        ref=ref,
        title=title,
        body=body,
        keys=keys,
        title_folded=title_folded,
        body_folded=body_folded,
    )


def article_doc(article, version) -> SearchDocument:
    return SearchDocument(
        kind="article",
        object_id=article.id,
        unit_id=None,
        ref=str(article.id),
        title=version.title,
        body=version.body[:BODY_MAX],
        keys=article.slug.lower().replace("-", " "),
        title_folded=version.title_folded or fold(version.title),
        body_folded=fold(version.body[:BODY_MAX]),
    )


def save(doc: SearchDocument) -> None:
    SearchDocument.objects.update_or_create(
        kind=doc.kind,
        object_id=doc.object_id,
        defaults={f: getattr(doc, f) for f in UPDATE_FIELDS},
    )


def remove(kind: str, object_id: int) -> None:
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def rebuild_articles() -> int:
    """Replace every article document (a few hundred: the ORM on any database)."""
    SearchDocument.objects.filter(kind="article").delete()
    versions = live_versions()
    SearchDocument.objects.bulk_create(
        [article_doc(v.article, v) for v in versions], batch_size=2000
    )
    return len(versions)
