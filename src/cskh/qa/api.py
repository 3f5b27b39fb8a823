"""/api/v1/qa: the attitude check of a reply draft."""

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from cskh.core.errors import DomainError
from cskh.org import permissions
from cskh.qa.attitude import MAX_CHARS, check_reply
from cskh.textintel.services import check_profile

router = Router(tags=["qa"])


class CheckIn(Schema):
    text: str = Field(..., max_length=MAX_CHARS)
    profile: str | None = None


class IssueOut(Schema):
    code: str
    message: str
    start: int
    end: int


class CheckOut(Schema):
    ok: bool
    score: float
    issues: list[IssueOut]
    suggestion: str | None


@router.post("/check-reply", response=CheckOut)
def check(request, payload: CheckIn):
    if not permissions.can_check_replies(request.user):
        raise DomainError(_("Bạn không có quyền dùng chức năng này."), status=403, code="forbidden")
    if not payload.text.strip():
        raise DomainError(_("Nội dung trả lời trống."), code="empty_text")
    return check_reply(payload.text, check_profile(payload.profile))
