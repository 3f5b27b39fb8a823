"""Knowledge base API (/api/v1/knowledge): search, read, draft, approve, flag, canned answers."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cskh.catalog.services import get_case_type
from cskh.core.errors import Forbidden, NotFound
from cskh.customers.selectors import get as get_customer
from cskh.knowledge import selectors, services
from cskh.knowledge.models import Article, ArticleVersion
from cskh.org import permissions

router = Router(tags=["knowledge"])


class VersionOut(Schema):
    article: int
    version: int
    title: str
    body: str
    topic: str
    case_type: str | None
    effective_from: date
    status: str


def _out(v: ArticleVersion) -> dict:
    return {
        "article": v.article_id,
        "version": v.number,
        "title": v.title,
        "body": v.body,
        "topic": v.article.topic,
        "case_type": v.article.case_type.code if v.article.case_type else None,
        "effective_from": v.effective_from,
        "status": v.status,
    }


class ListOut(Schema):
    items: list[VersionOut]
    next_cursor: str | None = None


def _staff(user) -> None:
    if not permissions.is_center_staff(user):
        raise Forbidden(_("Chỉ nhân viên trung tâm dùng kho tri thức."))


@router.get("/articles", response=ListOut, summary="Tìm bài viết (không dấu được)")
def search(request, q: str = "", type: str = "", limit: int = 10):
    """Approved, effective articles. Without q: suggestions for the case type."""
    _staff(request.auth)
    limit = max(1, min(limit, 50))
    if q.strip():
        rows = selectors.search(q[:200], type_code=type or None, limit=limit)
    else:
        rows = selectors.suggested_for(type_code=type, limit=limit)
    return {"items": [_out(v) for v in rows], "next_cursor": None}


@router.get("/articles/{article_id}", response=VersionOut, summary="Phiên bản đang hiệu lực")
def article(request, article_id: int):
    _staff(request.auth)
    art = Article.objects.filter(pk=article_id).first()
    current = selectors.current_version(art) if art else None
    if current is None:
        raise NotFound(_("Không có bài viết đang hiệu lực."))
    return _out(current)


class DraftIn(Schema):
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=50_000)
    topic: str = "general"
    case_type: str | None = None
    effective_from: date | None = None


@router.post("/articles", response={201: VersionOut}, summary="Viết bài (bản nháp)")
def create(request, payload: DraftIn):
    ct = get_case_type(payload.case_type) if payload.case_type else None
    v = services.create_article(
        title=payload.title,
        body=payload.body,
        topic=payload.topic,
        case_type=ct,
        effective_from=payload.effective_from,
        author=request.auth,
    )
    return Status(201, _out(v))


class VersionIn(Schema):
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=50_000)
    effective_from: date | None = None


@router.post("/articles/{article_id}/versions", response={201: VersionOut}, summary="Phiên bản mới")
def new_version(request, article_id: int, payload: VersionIn):
    art = get_object_or_404(Article, pk=article_id)
    v = services.add_version(
        article=art,
        title=payload.title,
        body=payload.body,
        effective_from=payload.effective_from,
        author=request.auth,
    )
    return Status(201, _out(v))


@router.post(
    "/articles/{article_id}/versions/{number}/approve",
    response=VersionOut,
    summary="Trưởng ca duyệt",
)
def approve(request, article_id: int, number: int):
    v = ArticleVersion.objects.filter(article_id=article_id, number=number).first()
    if v is None:
        raise NotFound(_("Không tìm thấy phiên bản."))
    return _out(services.approve_version(version=v, approver=request.auth))


class FlagIn(Schema):
    reason: str = Field(..., max_length=2000)


class FlagOut(Schema):
    id: int
    article: int
    reason: str


@router.post("/articles/{article_id}/flags", response={201: FlagOut}, summary="Báo bài viết sai")
def flag(request, article_id: int, payload: FlagIn):
    _staff(request.auth)
    art = get_object_or_404(Article, pk=article_id)
    f = services.flag_article(article=art, user=request.auth, reason=payload.reason)
    return Status(201, {"id": f.pk, "article": art.pk, "reason": f.reason})


class CannedOut(Schema):
    id: int
    title: str
    text: str


@router.get("/canned", response=list[CannedOut], summary="Câu trả lời mẫu (biến đã điền)")
def canned(request, type: str = "", customer: int | None = None):
    _staff(request.auth)
    cust = get_customer(customer) if customer else None
    rows = selectors.canned_for(type_code=type, customer=cust, agent=request.auth)
    return [{"id": r["answer"].pk, "title": r["answer"].title, "text": r["text"]} for r in rows]
