"""Knowledge base: drafts by staff, approval by a shift lead, flags by agents, demo content."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cskh.catalog.models import CaseType
from cskh.core import audit, hooks
from cskh.core.errors import DomainError, Forbidden
from cskh.core.text import fold, nfc
from cskh.knowledge.demo_content import ARTICLES, CANNED
from cskh.knowledge.models import (
    Article,
    ArticleFlag,
    ArticleVersion,
    CannedAnswer,
    CannedAnswerVersion,
    Topic,
)
from cskh.knowledge.selectors import current_version
from cskh.org import permissions

MAX_BODY = 50_000


def _text(value: str, field: str, max_len: int | None = None) -> str:
    value = nfc(value or "").strip()
    if not value:
        raise DomainError(_("Thiếu nội dung (%(f)s).") % {"f": field}, code="missing_text")
    if max_len and len(value) > max_len:
        raise DomainError(_("Nội dung quá dài (%(f)s).") % {"f": field}, code="too_long")
    return value


@transaction.atomic
def create_article(
    *,
    title: str,
    body: str,
    topic: str,
    case_type=None,
    effective_from: date | None = None,
    author=None,
    slug: str | None = None,
    public: bool = False,
) -> ArticleVersion:
    _check_writer(author)
    if topic not in Topic.values:
        raise DomainError(_("Chủ đề không hợp lệ: %(t)s") % {"t": topic}, code="bad_topic")
    title = _text(title, "title", 200)
    body = _text(body, "body", MAX_BODY)
    base = slug or slugify(fold(title))[:70] or "bai-viet"
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    article = Article.objects.create(
        case_type=case_type, topic=topic, slug=slug, created_by=_user(author), public=public
    )
    version = ArticleVersion.objects.create(
        article=article,
        number=1,
        title=title,
        body=body,
        effective_from=effective_from or timezone.localdate(),
        author=_user(author),
    )
    audit.record(actor=author, action="kb.create", obj=article, changes={"title": title})
    return version


@transaction.atomic
def set_public(*, article: Article, public: bool, actor=None) -> Article:
    """Show (or stop showing) an article on the customer portal's help pages."""
    _check_writer(actor)
    if article.public != public:
        Article.objects.filter(pk=article.pk).update(public=public)
        article.public = public
        audit.record(actor=actor, action="kb.public", obj=article, changes={"public": public})
    return article


@transaction.atomic
def add_version(
    *, article: Article, title: str, body: str, effective_from: date | None, author=None
) -> ArticleVersion:
    _check_writer(author)
    article = Article.objects.select_for_update().get(pk=article.pk)
    number = (article.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = ArticleVersion.objects.create(
        article=article,
        number=number,
        title=_text(title, "title", 200),
        body=_text(body, "body", MAX_BODY),
        effective_from=effective_from or timezone.localdate(),
        author=_user(author),
    )
    audit.record(actor=author, action="kb.version", obj=article, changes={"version": number})
    return version


def can_approve(user) -> bool:
    """Shift leads and managers approve articles (org.permissions.can_supervise)."""
    return permissions.can_supervise(user)


def can_write(user) -> bool:
    return permissions.is_center_staff(user)


def _check_writer(user) -> None:
    if user is not None and not can_write(user):
        raise Forbidden(_("Bạn không có quyền soạn bài viết tri thức."))


def _decide_draft(
    model: Any, *, version: Any, approver: Any, approve: bool, who_msg: Any, self_msg: Any
) -> tuple[Any, bool]:
    """The approval rule articles and canned answers share: shift leads or managers decide a
    draft, never their own (superusers excepted); approving twice is a no-op. Returns the locked
    version and whether it changed."""
    if not can_approve(approver):
        raise Forbidden(who_msg)
    version = model.objects.select_for_update().get(pk=version.pk)
    if approve and version.status == model.Status.APPROVED:
        return version, False
    if version.status != model.Status.DRAFT:
        msg = (
            _("Chỉ duyệt được bản nháp đang chờ duyệt.")
            if approve
            else _("Chỉ từ chối được bản nháp đang chờ duyệt.")
        )
        raise DomainError(msg, status=409, code="not_draft")
    if approve and version.author_id == approver.pk and not approver.is_superuser:
        raise Forbidden(self_msg, code="self_approval")
    if approve:
        version.status = model.Status.APPROVED
        version.approved_by = approver
        version.approved_at = timezone.now()
        version.save(update_fields=["status", "approved_by", "approved_at"])
    else:
        version.status = model.Status.REJECTED
        version.save(update_fields=["status"])
    return version, True


def _decide_article(*, version: ArticleVersion, approver: Any, approve: bool) -> ArticleVersion:
    version, changed = _decide_draft(
        ArticleVersion,
        version=version,
        approver=approver,
        approve=approve,
        who_msg=_("Chỉ trưởng ca hoặc quản lý được duyệt bài viết."),
        self_msg=_("Người viết không tự duyệt bài của mình; cần một trưởng ca khác duyệt."),
    )
    if changed:
        audit.record(
            actor=approver,
            action="kb.approve" if approve else "kb.reject",
            obj=version.article,
            changes={"version": version.number},
        )
        hooks.run("article_changed", article=version.article, actor=approver)
    return version


@transaction.atomic
def approve_version(*, version: ArticleVersion, approver: Any) -> ArticleVersion:
    return _decide_article(version=version, approver=approver, approve=True)


@transaction.atomic
def reject_version(*, version: ArticleVersion, approver: Any) -> ArticleVersion:
    return _decide_article(version=version, approver=approver, approve=False)


@transaction.atomic
def resolve_flag(*, flag: ArticleFlag, actor) -> ArticleFlag:
    if not can_approve(actor):
        raise Forbidden(_("Chỉ trưởng ca hoặc quản lý xử lý báo sai."))
    if flag.resolved_at is None:
        flag.resolved_at = timezone.now()
        flag.save(update_fields=["resolved_at"])
        audit.record(actor=actor, action="kb.flag_resolve", obj=flag.article)
    return flag


@transaction.atomic
def flag_article(*, article: Article, user, reason: str) -> ArticleFlag:
    flag = ArticleFlag.objects.create(
        article=article,
        version=current_version(article),
        user=_user(user),
        reason=_text(reason, "reason", 2000),
    )
    audit.record(actor=user, action="kb.flag", obj=article, changes={"reason": flag.reason})
    return flag


@transaction.atomic
def create_canned_answer(*, title: str, body: str, case_type=None, sort_order: int = 100):
    return CannedAnswer.objects.create(
        title=_text(title, "title", 120),
        body=_text(body, "body"),
        case_type=case_type,
        sort_order=sort_order,
    )


@transaction.atomic
def propose_canned_answer(
    *,
    author: Any,
    title: str,
    body: str,
    case_type: Any = None,
    answer: CannedAnswer | None = None,
    sort_order: int = 100,
) -> CannedAnswerVersion:
    """A new canned answer (hidden from the desk until approved) or a new version of one
    (the approved text stays in use until this one is approved)."""
    _check_writer(author)
    title = _text(title, "title", 120)
    body = _text(body, "body", MAX_BODY)
    if answer is None:
        answer = CannedAnswer.objects.create(
            title=title, body=body, case_type=case_type, sort_order=sort_order, is_active=False
        )
    else:
        answer = CannedAnswer.objects.select_for_update().get(pk=answer.pk)
    number = (answer.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = CannedAnswerVersion.objects.create(
        answer=answer, number=number, title=title, body=body, author=_user(author)
    )
    audit.record(actor=author, action="kb.canned_version", obj=answer, changes={"version": number})
    return version


def _decide_canned(
    *, version: CannedAnswerVersion, approver: Any, approve: bool
) -> CannedAnswerVersion:
    version, changed = _decide_draft(
        CannedAnswerVersion,
        version=version,
        approver=approver,
        approve=approve,
        who_msg=_("Chỉ trưởng ca hoặc quản lý được duyệt câu trả lời mẫu."),
        self_msg=_("Người viết không tự duyệt câu trả lời mẫu của mình; cần một trưởng ca khác."),
    )
    if not changed:
        return version
    answer = CannedAnswer.objects.select_for_update().get(pk=version.answer_id)
    if approve:
        answer.title, answer.body, answer.is_active = version.title, version.body, True
        answer.save(update_fields=["title", "body", "is_active"])
    audit.record(
        actor=approver,
        action="kb.canned_approve" if approve else "kb.canned_reject",
        obj=answer,
        changes={"version": version.number},
    )
    return version


@transaction.atomic
def approve_canned_version(*, version: CannedAnswerVersion, approver: Any) -> CannedAnswerVersion:
    """Shift leads approve (not their own draft): the desk offers this text from now on."""
    return _decide_canned(version=version, approver=approver, approve=True)


@transaction.atomic
def reject_canned_version(*, version: CannedAnswerVersion, approver: Any) -> CannedAnswerVersion:
    return _decide_canned(version=version, approver=approver, approve=False)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def install_demo_content(profile_code: str = "electricity") -> dict[str, Any]:
    """Idempotent: approved articles and canned answers for the profile's case types."""
    if profile_code not in ARTICLES:
        return {"articles": 0, "canned": 0}
    types = {t.code: t for t in CaseType.objects.filter(profile__code=profile_code)}
    start = date(2025, 7, 1)
    n_articles = n_canned = 0
    for slug, type_code, topic, title, body in ARTICLES[profile_code]:
        if Article.objects.filter(slug=slug).exists():
            continue
        article = Article.objects.create(
            case_type=types.get(type_code) if type_code else None, topic=topic, slug=slug
        )
        ArticleVersion.objects.create(
            article=article,
            number=1,
            title=title,
            body=body,
            effective_from=start,
            status=ArticleVersion.Status.APPROVED,
            approved_at=timezone.now(),
        )
        n_articles += 1
    for type_code, title, body in CANNED.get(profile_code, []):
        ct = types.get(type_code) if type_code else None
        if type_code and ct is None:
            continue
        if CannedAnswer.objects.filter(case_type=ct, title=title).exists():
            continue
        CannedAnswer.objects.create(case_type=ct, title=title, body=body, sort_order=10 + n_canned)
        n_canned += 1
    return {"articles": n_articles, "canned": n_canned}
