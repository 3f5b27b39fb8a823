"""What agents see: the approved version of each article whose effective date has come."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from cskh.catalog.models import CaseType
from cskh.catalog.services import active_profile
from cskh.core.errors import DomainError
from cskh.core.text import fold
from cskh.knowledge.models import Article, ArticleFlag, ArticleVersion, CannedAnswer

VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _live_versions(today=None):
    today = today or timezone.localdate()
    return (
        ArticleVersion.objects.filter(
            status=ArticleVersion.Status.APPROVED,
            effective_from__lte=today,
            article__is_active=True,
        )
        .select_related("article__case_type")
        .order_by("article_id", "-effective_from", "-number")
    )


def _one_per_article(versions) -> list[ArticleVersion]:
    seen, out = set(), []
    for v in versions:
        if v.article_id not in seen:
            seen.add(v.article_id)
            out.append(v)
    return out


def current_version(article: Article, today=None) -> ArticleVersion | None:
    return _live_versions(today).filter(article=article).first()


def live_version(article_id: int, today=None) -> ArticleVersion | None:
    """The version agents see of an active article (None when it has none or is inactive);
    the article comes with it (version.article)."""
    return _live_versions(today).filter(article_id=article_id).first()


def live_versions(today=None) -> list[ArticleVersion]:
    """The live version of every active article, one per article (the search index's
    documents)."""
    return _one_per_article(_live_versions(today))


def search(q: str, *, type_code: str | None = None, limit: int = 10) -> list[ArticleVersion]:
    """Diacritic-insensitive: 'hoa don' finds 'Hóa đơn'. Title matches rank first."""
    words = fold(q).split()
    qs = _live_versions()
    if type_code:
        qs = qs.filter(article__case_type__code=type_code)
    for w in words[:8]:
        qs = qs.filter(Q(title_folded__contains=w) | Q(body_folded__contains=w))
    versions = _one_per_article(qs[:500])
    phrase = " ".join(words)
    versions.sort(
        key=lambda v: (
            phrase not in v.title_folded,
            -sum(w in v.title_folded for w in words),
            v.title_folded,
        )
    )
    return versions[:limit]


def suggested_for(*, type_code: str, limit: int = 5) -> list[ArticleVersion]:
    if not type_code:
        return []
    qs = _live_versions().filter(article__case_type__code=type_code)
    return _one_per_article(qs[:200])[:limit]


def canned_for(*, type_code: str, customer=None, agent=None) -> list[dict[str, Any]]:
    """Canned answers for a case type (then the general ones), variables filled where known.
    {{so_vu_viec}} / {{han_xu_ly}} stay until the case exists (filled on save)."""
    qs = CannedAnswer.objects.filter(is_active=True)
    qs = (
        qs.filter(Q(case_type__code=type_code) | Q(case_type__isnull=True))
        if type_code
        else qs.filter(case_type__isnull=True)
    )
    known = {
        "ten_khach_hang": customer.full_name if customer else "",
        "ma_khach_hang": customer.code if customer else "",
        "ten_tu_van_vien": agent.display_name if agent else "",
    }
    out = []
    for a in qs.order_by(F("case_type_id").asc(nulls_last=True), "sort_order", "id")[:9]:
        out.append({"answer": a, "text": render(a.body, known)})
    return out


def render(body: str, values: dict) -> str:
    def sub(m):
        value = values.get(m.group(1))
        return value if value else m.group(0)

    return VAR.sub(sub, body)


def case_types() -> list[CaseType]:
    """The active profile's case types an article can be filed under (none before a profile
    is installed)."""
    try:
        profile = active_profile()
    except DomainError:
        return []
    return list(CaseType.objects.filter(profile=profile, is_active=True).order_by("sort_order"))


def pending_versions(limit: int = 50) -> list[ArticleVersion]:
    """Drafts waiting for a shift lead, oldest first."""
    return list(
        ArticleVersion.objects.filter(status=ArticleVersion.Status.DRAFT)
        .select_related("article__case_type", "author")
        .order_by("id")[:limit]
    )


def open_flags(limit: int = 50) -> list[ArticleFlag]:
    return list(
        ArticleFlag.objects.filter(resolved_at__isnull=True)
        .select_related("article", "version", "user")
        .order_by("-id")[:limit]
    )


def history(article: Article) -> list[ArticleVersion]:
    return list(article.versions.select_related("author", "approved_by").order_by("-number"))


def latest_titles(limit: int = 30) -> list[ArticleVersion]:
    """The live version of the most recently written articles (browse without a query)."""
    return _one_per_article(
        _live_versions().order_by("-article_id", "-effective_from", "-number")[: limit * 3]
    )[:limit]


def public_articles(q: str = "", *, limit: int = 30) -> list[ArticleVersion]:
    """Live versions of the articles marked public (the customer portal's help pages);
    ``q`` is matched without diacritics ("mat dien" finds "Mất điện"), title matches first."""
    words = fold(q).split()
    qs = _live_versions().filter(article__public=True)
    for w in words[:8]:
        qs = qs.filter(Q(title_folded__contains=w) | Q(body_folded__contains=w))
    versions = _one_per_article(qs[:500])
    versions.sort(key=lambda v: (-sum(w in v.title_folded for w in words), v.title_folded))
    return versions[:limit]


def public_article(slug: str) -> ArticleVersion | None:
    """The live version of a public article by its slug (None: missing, internal, retired)."""
    return _live_versions().filter(article__slug=slug, article__public=True).first()
