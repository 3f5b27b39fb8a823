"""Global search: diacritic-insensitive, prefix-aware, ranked, with highlights, per-unit access.

Query → folded tokens (cskh.textintel.normalize.fold). Every token must match (AND). Per kind,
the cheapest and most precise strategy runs first and the next ones only while fewer than
``limit`` documents were found:
1. a number (digits with spaces, dots, dashes, '+'; at least 4 digits) is looked up anywhere
   inside phone numbers, codes and case numbers ('0901 23' finds 0901 234 567);
2. PostgreSQL, customers: folded name starting with the query (btree prefix index);
3. whole words; 4. the last word as a prefix (as-you-type: 'nguy' → 'Nguyễn'); 5. when
   nothing matched, every word as a prefix.

The database returns up to ``CANDIDATES`` documents per strategy ranked by its own relevance
(SQLite FTS5 bm25, PostgreSQL ts_rank with title/keys weighted above the body); these are
re-scored here (exact word > prefix, title > body, whole phrase in order) so that scores are
comparable across kinds and databases, and only the returned ones are highlighted. The SQL of
each database is in cskh.search.backends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from cskh.cases.models import Case
from cskh.core.errors import DomainError
from cskh.core.pagination import decode_cursor, encode_cursor
from cskh.core.text import fold, nfc
from cskh.org.selectors import visible_unit_ids
from cskh.search import backends, synonyms
from cskh.search.backends.base import digit_candidates
from cskh.search.highlight import Terms, highlight, snippet
from cskh.search.synonyms import Group, active_thesaurus

KINDS = ("customer", "case", "article")
MIN_CHARS = 2
MAX_CHARS = 200
MAX_TOKENS = 8
MIN_DIGITS = 4
TOKEN = re.compile(r"[a-z0-9]+")
NUMBERISH = re.compile(r"[\d\s.+()\-]+")
# a case number typed whole ("CS-2026-000123", "cs 2026 123"): looked up in the keys, where
# the number is also stored as digits only, so old cases are found as fast as new ones
CASE_NUMBER = re.compile(r"[a-z]{1,4}[\s-]*(\d{4})[\s-]*(\d{3,})")


@dataclass
class Query:
    text: str
    tokens: list[str]
    digits: str
    # the tokens cut into synonym groups (cskh.search.synonyms); default: one group per token
    groups: list[Group] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.groups:
            self.groups = [((t,),) for t in self.tokens]

    @property
    def phrase(self) -> str:
        return " ".join(self.tokens)

    @property
    def words(self) -> list[str]:
        """Every word of every alternative (highlighting), typed words first."""
        out = dict.fromkeys(self.tokens)
        for group in self.groups:
            for alternative in group:
                out.update(dict.fromkeys(alternative))
        return list(out)


@dataclass
class Hit:
    kind: str
    id: int | str
    object_id: int
    title: str
    title_html: str
    snippet: str
    score: float
    url: str


def parse(q: str | None) -> Query:
    text = " ".join(nfc(q or "").split())
    if not text:
        raise DomainError(_("Vui lòng nhập từ khóa tìm kiếm."), code="empty_query")
    if len(text) > MAX_CHARS:
        raise DomainError(
            _("Từ khóa tìm kiếm quá dài (tối đa %(n)s ký tự).") % {"n": MAX_CHARS},
            code="query_too_long",
        )
    folded = fold(text)
    tokens = TOKEN.findall(folded)
    if len(tokens) > MAX_TOKENS:
        raise DomainError(
            _("Từ khóa tìm kiếm có quá nhiều từ (tối đa %(n)s từ).") % {"n": MAX_TOKENS},
            code="query_too_long",
        )
    if sum(len(t) for t in tokens) < MIN_CHARS:
        raise DomainError(
            _("Từ khóa tìm kiếm quá ngắn (tối thiểu %(n)s ký tự chữ hoặc số).") % {"n": MIN_CHARS},
            code="query_too_short",
        )
    digits = ""
    if NUMBERISH.fullmatch(text):
        d = re.sub(r"\D", "", text)
        if len(d) >= MIN_DIGITS:
            digits = d
    elif m := CASE_NUMBER.fullmatch(folded):
        digits = m.group(1) + m.group(2)
    groups = [] if digits else active_thesaurus().groups(folded)
    return Query(text=text, tokens=tokens, digits=digits, groups=groups)


def case_type_terms(name: str, description: str) -> str:
    """Folded synonyms under which the desk's case-type picker also finds a type (the active
    profile's sets, cskh.search.synonyms)."""
    return synonyms.type_terms(name, description)


# ---------------------------------------------------------------- access control


@dataclass
class Scope:
    units: set[int] | None  # None: every unit

    @classmethod
    def for_user(cls, user) -> Scope:
        return cls(units=visible_unit_ids(user))

    def allows_kind(self, kind: str) -> bool:
        return kind == "article" or self.units is None or bool(self.units)

    def sql(self, kind: str) -> tuple[str, list]:
        """Extra WHERE clause on the document table for this kind."""
        if self.units is None or kind == "article":
            return "", []
        return backends.get().unit_filter(kind, sorted(self.units))

    def verify(self, kind: str, ids: list[int]) -> set[int]:
        """The authoritative check on the rows about to be returned (the document's unit id
        can lag behind a reassignment)."""
        if self.units is None or kind == "article" or not ids:
            return set(ids)
        if kind == "case":
            qs = Case.objects.filter(id__in=ids, unit_id__in=self.units)
            return set(qs.values_list("id", flat=True))
        qs = Case.objects.filter(customer_id__in=ids, unit_id__in=self.units)
        return set(qs.values_list("customer_id", flat=True).distinct())


# ---------------------------------------------------------------- candidates


def candidates(
    kind: str,
    query: Query,
    scope: Scope,
    limit: int,
    *,
    fallback: bool = False,
    prefix: bool = True,
    before: int | None = None,
    deep: bool = True,
) -> list[tuple]:
    """Cheapest, most precise strategies first; stop as soon as ``limit`` documents are found
    (on PostgreSQL a prefix term is the expensive part of a GIN search). Cases come most
    recent first, below case id `before`; without `deep`, only among the newest cases."""
    backend = backends.get()
    where = scope.sql(kind)
    rows: dict[int, tuple] = {}
    groups = query.groups
    if kind == "customer":  # names, addresses, codes: the words as typed, no complaint synonyms
        groups = [((t,),) for t in query.tokens]
    if fallback:  # nothing matched in any kind: every word as a prefix
        mode = "all" if len(query.tokens) > 1 else "last"
        if kind == "case":
            if all(backend.last_word_as_prefix(t) for t in query.tokens[-1:]):
                return []  # the last word was a prefix already: other words stay whole
            return backend.recent_candidates(
                groups, mode, where, before=None, limit=limit, fallback=True
            )
        return backend.text_candidates(kind, groups, mode, where, fallback=True)

    def add(found):
        for r in found:
            rows.setdefault(r[0], r)
        return len(rows) >= limit

    if query.digits:  # a number: phone numbers, codes, case numbers only (the words of a
        # number, e.g. "0903" and "12", match countless house numbers in 3M case texts)
        add(digit_candidates(kind, query.digits, where))
        return list(rows.values())
    if (
        kind == "customer"
        and backend.has_name_prefix
        and add(backend.name_prefix_candidates(query.phrase, where))
    ):
        return list(rows.values())
    if kind == "case":
        # The most recent matching cases, one query, keyset-paged on the case id (as-you-type:
        # the last word also as a prefix).
        mode = "last" if prefix and backend.last_word_as_prefix(query.tokens[-1]) else "exact"
        return backend.recent_candidates(groups, mode, where, before=before, limit=limit, deep=deep)
    if add(backend.text_candidates(kind, groups, "exact", where)):
        return list(rows.values())
    # As-you-type: the last word as a prefix. (Every word as a prefix is the fallback pass, run by
    # search() only when no kind found anything: on a big index it is the expensive query.)
    if prefix and backend.last_word_as_prefix(query.tokens[-1]):
        add(backend.text_candidates(kind, groups, "last", where))
    return list(rows.values())


# ---------------------------------------------------------------- scoring


def _word_level(words: list[str], token: str) -> float:
    best = 0.0
    for w in words:
        if w == token:
            return 1.0
        if w.startswith(token):
            best = max(best, 0.7)
    return best


def score(query: Query, title_folded: str, keys: str, body_folded: str) -> float:
    """0..1: per token, the best of title/keys (weight 1) or body (weight 0.4), exact word 1,
    prefix 0.7; + the whole phrase in the title (or body) in order; + title equal to query."""
    title_words = TOKEN.findall(title_folded)
    tw = title_words + TOKEN.findall(keys)
    bw = TOKEN.findall(body_folded)
    total = 0.0
    for group in query.groups:  # the best alternative; a synonym counts a little less
        best = 0.0
        for i, words in enumerate(group):
            level = sum(max(_word_level(tw, w), 0.4 * _word_level(bw, w)) for w in words)
            best = max(best, level / len(words) * (1.0 if i == 0 else 0.9))
        total += best
    base = total / max(len(query.groups), 1)
    bonus = 0.0
    if query.digits:
        key_list = keys.split()
        if query.digits in key_list:
            bonus += 0.4
        elif any(query.digits in k for k in key_list):
            bonus += 0.3
    phrase = query.phrase
    if len(query.tokens) > 1:
        if f" {phrase}" in " " + " ".join(title_words):
            bonus += 0.25
        elif f" {phrase}" in " " + " ".join(bw):
            bonus += 0.1
    if " ".join(title_words) == phrase:
        bonus += 0.15
    return round(min(1.0, 0.6 * base + bonus), 4)


# ---------------------------------------------------------------- entry point


def _url(kind: str, ref: str, object_id: int) -> str:
    try:
        if kind == "case":
            return reverse("desk:case", args=[ref])
        if kind == "customer":
            return reverse("desk:card", args=[object_id])
        if kind == "article":
            return reverse("kb:article", args=[object_id])
    except NoReverseMatch:
        return ""
    return ""


def search(user, q: str | None, *, kind: str | None = None, limit: int = 20) -> list[Hit]:
    """The first page of hits (see search_page)."""
    return search_page(user, q, kind=kind, limit=limit)[0]


def search_page(
    user, q: str | None, *, kind: str | None = None, limit: int = 20, cursor: str | None = None
) -> tuple[list[Hit], str | None]:
    """Hits best first across kinds; with kind="case" the most recent matching cases first,
    keyset-paged: returns the cursor of the next page (None on the last page, and always for
    the other kinds, which return the best ``limit`` hits only)."""
    if kind not in (None, "", *KINDS):
        raise DomainError(
            _("Loại kết quả không hợp lệ: %(k)s (customer, case hoặc article).") % {"k": kind},
            code="bad_kind",
        )
    query = parse(q)
    limit = max(1, min(int(limit), 50))
    before = None
    if cursor:
        if kind != "case":
            raise DomainError(
                _("Chỉ kết quả yêu cầu (kind=case) có phân trang."), code="bad_cursor"
            )
        values = decode_cursor(cursor)
        if len(values) != 1 or not isinstance(values[0], int):
            raise DomainError(_("Con trỏ phân trang không hợp lệ."), code="bad_cursor")
        before = values[0]
    scope = Scope.for_user(user)
    kinds = [kind] if kind else list(KINDS)
    terms = Terms(words=query.words, prefix=set(query.tokens), digits=query.digits)
    scored: list[tuple[float, int, tuple]] = []
    next_cursor = None
    for fallback in (False, True):
        if fallback and (scored or before is not None):
            break
        for k in kinds:
            if not scope.allows_kind(k):
                continue
            # Global search: once earlier kinds (customers first) filled the page, the next
            # kinds only get whole-word matches (a prefix over 3M case texts is expensive).
            rows = candidates(
                k,
                query,
                scope,
                limit + 1 if kind == "case" else limit,
                fallback=fallback,
                prefix=len(scored) < limit,
                before=before,
                # the global search looks at the newest cases only (bounded); "cases only"
                # searches them all
                deep=kind == "case",
            )
            if kind == "case" and len(rows) > limit and not query.digits:
                rows = rows[:limit]
                next_cursor = encode_cursor([rows[-1][2]])
            allowed = scope.verify(k, [r[2] for r in rows])
            for order, row in enumerate(rows):
                if row[2] in allowed:
                    scored.append((score(query, row[7], row[6], row[8]), -order, row))
    if kind != "case" or query.digits:  # a page of cases keeps its recency order
        scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
    hits = []
    for s, _order, (_id, kind_, object_id, ref, title, body, *_rest) in scored[:limit]:
        hits.append(
            Hit(
                kind=kind_,
                id=int(ref) if kind_ != "case" else ref,
                object_id=object_id,
                title=title,
                title_html=str(highlight(title, terms)),
                snippet=str(snippet(body, terms)),
                score=s,
                url=_url(kind_, ref, object_id),
            )
        )
    return hits, next_cursor
