from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from cskh.core import hooks
from cskh.core.phones import try_e164
from cskh.search import selectors

router = Router(tags=["search"])


class HitOut(Schema):
    kind: str = Field(..., description="customer | case | article")
    id: int | str = Field(
        ...,
        description="customer: customer id; case: case number (e.g. CS-2026-000123, "
        "as used by /api/v1/cases/{number}); article: article id",
    )
    title: str = Field(..., description="Plain text, original spelling")
    title_html: str = Field(..., description="Title, HTML-escaped, matches in <mark>")
    snippet: str = Field(..., description="HTML-escaped excerpt, matched words in <mark>")
    score: float = Field(..., description="0..1, comparable across kinds")
    url: str


class SearchOut(Schema):
    items: list[HitOut]
    next: str | None = Field(
        None,
        description="kind=case: cursor of the next page (older cases), null on the last page; "
        "other kinds: always null (the best `limit` hits)",
    )


@router.get(
    "",
    response=SearchOut,
    summary="Tìm kiếm khách hàng, yêu cầu, bài viết (không phân biệt dấu)",
    description=_(
        "q: từ khóa (2–200 ký tự, có hoặc không dấu; tiền tố được chấp nhận; "
        "chuỗi số ≥ 4 chữ số tìm trong số điện thoại/mã). kind: customer | case | article. "
        "Yêu cầu (kind=case): mới nhất trước, phân trang bằng cursor (trường next)."
    ),
)
def search(
    request, q: str = "", kind: str | None = None, limit: int = 20, cursor: str | None = None
):
    hits, next_cursor = selectors.search_page(
        request.auth, q, kind=kind or None, limit=limit, cursor=cursor or None
    )
    if phone := try_e164(q):  # audit of reads, as the desk's phone look-up
        hooks.run(
            "customer_read",
            user=request.auth,
            customer_ids=[h.object_id for h in hits if h.kind == "customer"] or [None],
            action="search",
            detail=phone,
        )
    return {"items": [h.__dict__ for h in hits], "next": next_cursor}


class SearchIn(Schema):
    q: str = Field("", max_length=200)
    kind: str | None = None
    limit: int = 20
    cursor: str | None = Field(None, max_length=500)


@router.post(
    "",
    response=SearchOut,
    summary="Tìm kiếm (từ khóa trong thân yêu cầu: số điện thoại không nằm trong URL)",
)
def search_post(request, payload: SearchIn):
    """The same search as GET, for queries that may hold a phone number."""
    return search(request, payload.q, kind=payload.kind, limit=payload.limit, cursor=payload.cursor)
