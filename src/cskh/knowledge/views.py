"""Knowledge base pages (/kb/): search (also the desk card's HTMX panel), article, drafts,
approval by a shift lead, flags from agents."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cskh.catalog.models import CaseType
from cskh.core.errors import DomainError
from cskh.knowledge import selectors, services
from cskh.knowledge.models import (
    Article,
    ArticleFlag,
    ArticleVersion,
    CannedAnswer,
    CannedAnswerVersion,
    Topic,
)
from cskh.org import permissions


def _staff(user) -> None:
    if not permissions.is_center_staff(user):
        raise PermissionDenied


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def index(request):
    """Search (diacritic-insensitive). HTMX requests get only the result list (desk card)."""
    _staff(request.user)
    q = (request.GET.get("q") or "").strip()[:200]
    type_code = (request.GET.get("type") or "").strip() or None
    results = selectors.search(q, type_code=type_code, limit=20) if q else []
    ctx = {"q": q, "type": type_code or "", "results": results}
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_results.html", ctx)
    lead = permissions.can_supervise(request.user)
    ctx.update(
        {
            "latest": [] if q else selectors.latest_titles(),
            "case_types": selectors.case_types(),
            "can_approve": lead,
            "pending": selectors.pending_versions() if lead else [],
            "flags": selectors.open_flags() if lead else [],
        }
    )
    return render(request, "knowledge/index.html", ctx)


def _article(request, article_id: int) -> tuple[Article, ArticleVersion | None]:
    article = get_object_or_404(Article.objects.select_related("case_type"), pk=article_id)
    current = selectors.current_version(article)
    if current is None and not permissions.can_supervise(request.user):
        mine = article.versions.filter(author=request.user).exists()
        if not mine:
            raise Http404
    return article, current


def article_detail(request, article_id: int):
    _staff(request.user)
    article, current = _article(request, article_id)
    lead = permissions.can_supervise(request.user)
    versions = selectors.history(article)
    if not lead:  # agents see approved versions and their own drafts only
        versions = [
            v
            for v in versions
            if v.status == ArticleVersion.Status.APPROVED or v.author_id == request.user.pk
        ]
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "current": current,
            "versions": versions,
            "can_approve": lead,
            "flags": list(article.flags.filter(resolved_at__isnull=True).select_related("user"))
            if lead
            else [],
        },
    )


def _form_ctx(request, **extra) -> dict:
    return {"topics": Topic.choices, "case_types": selectors.case_types(), **extra}


def article_new(request):
    _staff(request.user)
    if request.method == "POST":
        ct = CaseType.objects.filter(code=request.POST.get("type") or "", is_active=True).first()
        try:
            version = services.create_article(
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                topic=request.POST.get("topic", ""),
                case_type=ct,
                effective_from=_date(request.POST.get("effective_from")),
                author=request.user,
            )
        except DomainError as exc:
            return render(
                request,
                "knowledge/edit.html",
                _form_ctx(request, error=str(exc.message), form=request.POST),
                status=400,
            )
        messages.success(
            request, _("Đã lưu bản nháp; bài viết hiện với tư vấn viên khi được duyệt.")
        )
        return redirect(reverse("kb:article", args=[version.article_id]))
    return render(request, "knowledge/edit.html", _form_ctx(request, form={}))


def article_edit(request, article_id: int):
    """A new version (draft): the approved one stays in use until this one is approved."""
    _staff(request.user)
    article, current = _article(request, article_id)
    if request.method == "POST":
        try:
            services.add_version(
                article=article,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                effective_from=_date(request.POST.get("effective_from")),
                author=request.user,
            )
        except DomainError as exc:
            return render(
                request,
                "knowledge/edit.html",
                _form_ctx(request, article=article, error=str(exc.message), form=request.POST),
                status=400,
            )
        messages.success(request, _("Đã lưu phiên bản mới (chờ duyệt)."))
        return redirect(reverse("kb:article", args=[article.pk]))
    latest = article.versions.order_by("-number").first()
    form = {
        "title": latest.title if latest else "",
        "body": latest.body if latest else "",
    }
    return render(request, "knowledge/edit.html", _form_ctx(request, article=article, form=form))


@require_POST
def article_flag(request, article_id: int):
    _staff(request.user)
    article, _current = _article(request, article_id)
    try:
        services.flag_article(
            article=article, user=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Cảm ơn, trưởng ca sẽ kiểm tra lại bài viết."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_flagged.html", {})
    return redirect(reverse("kb:article", args=[article.pk]))


def _version_action(request, version_id: int, fn, ok: str):
    version = get_object_or_404(ArticleVersion, pk=version_id)
    try:
        fn(version=version, approver=request.user)
        messages.success(request, ok)
    except DomainError as exc:
        if exc.status == 403 and exc.code == "forbidden":
            raise PermissionDenied from exc
        messages.error(request, str(exc.message))
    return redirect(reverse("kb:article", args=[version.article_id]))


@require_POST
def version_approve(request, version_id: int):
    return _version_action(request, version_id, services.approve_version, _("Đã duyệt."))


@require_POST
def version_reject(request, version_id: int):
    return _version_action(request, version_id, services.reject_version, _("Đã từ chối."))


@require_POST
def flag_resolve(request, flag_id: int):
    flag = get_object_or_404(ArticleFlag, pk=flag_id)
    try:
        services.resolve_flag(flag=flag, actor=request.user)
    except DomainError as exc:
        raise PermissionDenied from exc
    return redirect(request.POST.get("next") or reverse("kb:article", args=[flag.article_id]))


# --------------------------------------------------------------------------- canned answers


def canned_list(request):
    """Canned answers in use and the drafts waiting for approval (#21: managed in the app)."""
    _staff(request.user)
    answers = list(
        CannedAnswer.objects.select_related("case_type").order_by(
            "case_type__sort_order", "sort_order", "id"
        )[:500]
    )
    drafts = list(
        CannedAnswerVersion.objects.filter(status=CannedAnswerVersion.Status.DRAFT)
        .select_related("answer__case_type", "author")
        .order_by("created_at", "id")[:200]
    )
    ctx = {"answers": answers, "drafts": drafts, "can_approve": services.can_approve(request.user)}
    return render(request, "knowledge/canned_list.html", ctx)


def canned_edit(request, answer_id: int | None = None):
    """New canned answer, or a new version of one: waits for a shift lead's approval."""
    _staff(request.user)
    answer = get_object_or_404(CannedAnswer, pk=answer_id) if answer_id else None
    types = list(CaseType.objects.filter(is_active=True).order_by("sort_order"))
    if request.method == "POST":
        type_code = request.POST.get("case_type") or ""
        case_type = next((t for t in types if t.code == type_code), None)
        try:
            services.propose_canned_answer(
                author=request.user,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                case_type=case_type,
                answer=answer,
            )
        except DomainError as exc:
            ctx = {"answer": answer, "types": types, "form": request.POST, "error": exc.message}
            return render(request, "knowledge/canned_edit.html", ctx, status=400)
        messages.success(request, _("Đã lưu, chờ trưởng ca duyệt."))
        return redirect(reverse("kb:canned"))
    form = {
        "title": answer.title if answer else "",
        "body": answer.body if answer else "",
        "case_type": answer.case_type.code if answer and answer.case_type else "",
    }
    ctx = {"answer": answer, "types": types, "form": form}
    return render(request, "knowledge/canned_edit.html", ctx)


@require_POST
def canned_decide(request, version_id: int):
    version = get_object_or_404(CannedAnswerVersion, pk=version_id)
    fn = (
        services.approve_canned_version
        if request.POST.get("decision") == "approve"
        else services.reject_canned_version
    )
    try:
        fn(version=version, approver=request.user)
        messages.success(
            request, _("Đã duyệt.") if fn is services.approve_canned_version else _("Đã từ chối.")
        )
    except DomainError as exc:
        if exc.status == 403 and exc.code == "forbidden":
            raise PermissionDenied from exc
        messages.error(request, str(exc.message))
    return redirect(reverse("kb:canned"))
