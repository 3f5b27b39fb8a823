"""Assembles the typed REST API (django-ninja) from each app's router."""

import importlib.util
import logging
from typing import Any

from django.apps import apps
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from cskh.api.auth import AUTH
from cskh.core.errors import DomainError
from cskh.core.schemas import ErrorOut

log = logging.getLogger("cskh.api")

#: Answers any operation may give besides the ones it declares (see ``CskhAPI``).
COMMON_ERRORS = {
    "400": "Dữ liệu không hợp lệ (ký tự NUL, biểu mẫu hỏng, JSON sai)",
    "401": "Chưa xác thực",
    "404": "Không tìm thấy (hoặc không thuộc quyền xem)",
    "413": "Dữ liệu gửi lên quá lớn",
    "422": "Dữ liệu không đúng kiểu/ràng buộc",
    "429": "Vượt giới hạn số yêu cầu",
}


class CskhAPI(NinjaAPI):
    """The API, whose OpenAPI document also lists the error answers every operation can give
    (ninja documents only the ones an operation declares): 400 (bad input refused by
    ``core.middleware.BadInputMiddleware``), 401/429 where a token is needed, 404 where the
    path names an object, 413/422 where there is a body or parameters. Each one is real:
    schemathesis (tests/api/test_schemathesis.py) fails on an answer not documented."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(
            ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}").pop("$defs")
        )
        components["ErrorOut"] = ErrorOut.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        components["ErrorOut"].pop("$defs", None)
        ref = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        }
        for methods in schema["paths"].values():
            for op in methods.values():
                params = op.get("parameters", [])
                wanted = {"400"}
                if op.get("security"):
                    wanted |= {"401", "429"}
                if any(p.get("in") == "path" for p in params):
                    wanted.add("404")
                if params or "requestBody" in op:
                    wanted.add("422")
                if "requestBody" in op:
                    wanted.add("413")
                responses = op.setdefault("responses", {})
                declared = {str(code) for code in responses}
                for code in sorted(wanted - declared):
                    responses[code] = {"description": COMMON_ERRORS[code], **ref}
        return schema


api = CskhAPI(
    title="cskh API",
    version="1",
    description="API chăm sóc khách hàng (Vietnamese-first customer care). "
    "Authorization: Bearer <token> (`cskh token create --user USERNAME`).",
    auth=AUTH,
    urls_namespace="api",
)

# (url prefix, router path, app that must be installed)
ROUTERS = [
    ("/customers", "cskh.customers.api.router", "cskh.customers"),
    ("/cases", "cskh.cases.api.router", "cskh.cases"),
    ("", "cskh.catalog.api.router", "cskh.catalog"),
    ("/telephony", "cskh.telephony.api.router", "cskh.telephony"),
    ("/text", "cskh.textintel.api.router", "cskh.textintel"),
    ("/search", "cskh.search.api.router", "cskh.search"),
    ("/dispatch", "cskh.dispatch.api.router", "cskh.dispatch"),
    ("/sla", "cskh.sla.api.router", "cskh.sla"),
    ("/notifications", "cskh.notify.api.router", "cskh.notify"),
    ("/incidents", "cskh.incidents.api.router", "cskh.incidents"),
    ("/planned-outages", "cskh.incidents.planned_api.router", "cskh.incidents"),
    ("/knowledge", "cskh.knowledge.api.router", "cskh.knowledge"),
    ("/desk", "cskh.desk.api.router", "cskh.desk"),
    ("/wfm", "cskh.wfm.api.router", "cskh.wfm"),
    ("/conversations", "cskh.conversations.api.router", "cskh.conversations"),
    ("/channels", "cskh.conversations.api.webhook_router", "cskh.conversations"),
    ("/qa", "cskh.qa.api.router", "cskh.qa"),
    ("/cx", "cskh.cx.api.router", "cskh.cx"),
    ("/social", "cskh.social.api.router", "cskh.social"),
    ("/social", "cskh.social.api.webhook_router", "cskh.social"),
    ("/counters", "cskh.counters.api.router", "cskh.counters"),
    ("/reports", "cskh.reports.api.router", "cskh.reports"),
    ("/webhooks", "cskh.webhooks.api.router", "cskh.webhooks"),
]

for prefix, path, app in ROUTERS:
    if apps.is_installed(app) and importlib.util.find_spec(path.rsplit(".", 1)[0]):
        api.add_router(prefix, import_string(path))


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(
        request, {"detail": str(exc.message), "code": exc.code}, status=exc.status
    )


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = []
    for err in exc.errors:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "payload"))
        errors.append({"field": loc, "message": err.get("msg", "")})
    return api.create_response(
        request,
        {"detail": _("Dữ liệu gửi lên không hợp lệ."), "code": "validation", "errors": errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(
        request,
        {"detail": _("Chưa xác thực hoặc mã truy cập không hợp lệ."), "code": "unauthorized"},
        status=401,
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(
        request, {"detail": str(exc), "code": "http"}, status=exc.status_code
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(
        request, {"detail": _("Không tìm thấy."), "code": "not_found"}, status=404
    )


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    return api.create_response(
        request, {"detail": _("Dữ liệu gửi lên quá lớn."), "code": "too_large"}, status=413
    )


@api.exception_handler(MultiPartParserError)
@api.exception_handler(BadRequest)
@api.exception_handler(SuspiciousOperation)
def bad_request(request, exc):
    return api.create_response(
        request,
        {"detail": _("Yêu cầu không hợp lệ (định dạng dữ liệu sai)."), "code": "bad_request"},
        status=400,
    )


@api.exception_handler(Exception)
def unexpected(request, exc: Exception):
    log.exception("API error on %s %s", request.method, request.path)
    return api.create_response(
        request,
        {"detail": _("Lỗi hệ thống, vui lòng thử lại."), "code": "server_error"},
        status=500,
    )
