import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as _LoginRequired
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from cskh.core.audit import set_request_ip


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        set_request_ip(request.META.get("REMOTE_ADDR"))
        return self.get_response(request)


class LoginRequiredMiddleware(_LoginRequired):
    """Pages need a login; the API authenticates itself (Bearer token or session) and answers
    401 in JSON instead of redirecting to the login page."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


def body_limit(content_type: str) -> int:
    """The largest request body accepted, in bytes: DATA_UPLOAD_MAX_MEMORY_SIZE (10 MB) for
    JSON and forms, CSKH_MAX_UPLOAD_BYTES for multipart (photos of a work order)."""
    if content_type.lower().startswith("multipart/"):
        return int(settings.CSKH_MAX_UPLOAD_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) or 2**62


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _bad_input(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class BadInputMiddleware:
    """Refuses, before any view runs, what no view can handle: a body over the size limit
    (413, also enforced before the body is read by ``cskh.asgi``) and NUL characters in the
    path, the query string or, for the API, a JSON or form body (400). PostgreSQL cannot store
    NUL in text, so without this the first query with such a value fails as a server error.

    Page forms already refuse NUL (Django's ``ProhibitNullCharactersValidator``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        refused = self.refuse(request)
        if refused is not None:
            return refused
        return self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse | None:
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(content_type)
        if length > limit:
            return _bad_input(
                request,
                413,
                "too_large",
                _("Dữ liệu gửi lên quá lớn (tối đa %(mb)s MB).") % {"mb": limit // (1024 * 1024)},
            )
        nul = _("Dữ liệu gửi lên chứa ký tự NUL (U+0000), không được chấp nhận.")
        if "\x00" in request.path or any(
            "\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()
        ):
            return _bad_input(request, 400, "nul_character", nul)
        if request.path_info.startswith("/api/") and request.method in ("POST", "PUT", "PATCH"):
            try:
                if self._body_has_nul(request, content_type):
                    return _bad_input(request, 400, "nul_character", nul)
            except (MultiPartParserError, BadRequest):
                return _bad_input(
                    request,
                    400,
                    "bad_form",
                    _(
                        "Dữ liệu biểu mẫu không hợp lệ (multipart thiếu boundary hoặc sai cấu trúc)."
                    ),
                )
        return None

    @staticmethod
    def _body_has_nul(request: HttpRequest, content_type: str) -> bool:
        kind = content_type.split(";")[0].strip().lower()
        if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return any("\x00" in v for _k, vs in request.POST.lists() for v in vs)
        body = request.body
        if b"\x00" in body:
            return True
        if b"\\u0000" not in body.lower():  # cheap test before parsing
            return False
        try:
            return _has_nul(json.loads(body))
        except ValueError:
            return False
