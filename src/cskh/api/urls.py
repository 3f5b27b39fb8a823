"""Assembles the typed REST API (django-ninja) from each app's router."""

import importlib.util
import logging

from django.apps import apps
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cskh.api.auth import AUTH
from cskh.core.errors import DomainError

log = logging.getLogger("cskh.api")

api = NinjaAPI(
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
    ("/reports", "cskh.reports.api.router", "cskh.reports"),
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


@api.exception_handler(Exception)
def unexpected(request, exc: Exception):
    log.exception("API error on %s %s", request.method, request.path)
    return api.create_response(
        request,
        {"detail": _("Lỗi hệ thống, vui lòng thử lại."), "code": "server_error"},
        status=500,
    )
