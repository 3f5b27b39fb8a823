import importlib.util

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView

from cskh.api.urls import api
from cskh.core import observability
from cskh.core.views import LoginView, home

# Browsers ask for /favicon.ico on pages that name no icon (admin, API docs, JSON errors).
favicon = login_not_required(RedirectView.as_view(url=static("cskh/favicon.svg"), permanent=True))

urlpatterns = [
    path("healthz", observability.healthz, name="healthz"),
    path("readyz", observability.readyz, name="readyz"),
    path("metrics", observability.metrics, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("cskh.org.urls")),  # two-factor steps, log out everywhere
    path("i18n/", include("django.conf.urls.i18n")),
    path("", home, name="home"),
]

for app, prefix, module in [
    ("cskh.desk", "", "cskh.desk.urls"),
    ("cskh.cx", "", "cskh.cx.urls"),
    ("cskh.dispatch", "portal/", "cskh.dispatch.urls"),
    ("cskh.incidents", "", "cskh.incidents.urls"),
    ("cskh.knowledge", "kb/", "cskh.knowledge.urls"),
    ("cskh.search", "", "cskh.search.urls"),
    ("cskh.sla", "sla/", "cskh.sla.urls"),
    ("cskh.wfm", "", "cskh.wfm.urls"),
    ("cskh.conversations", "", "cskh.conversations.urls"),
    ("cskh.qa", "qa/", "cskh.qa.urls"),
    ("cskh.reports", "reports/", "cskh.reports.urls"),
    ("cskh.privacy", "", "cskh.privacy.urls"),
    ("cskh.social", "social/", "cskh.social.urls"),
    ("cskh.counters", "", "cskh.counters.urls"),
    ("cskh.portal", "khach-hang/", "cskh.portal.urls"),
    ("cskh.training", "dao-tao/", "cskh.training.urls"),
]:
    if app in settings.INSTALLED_APPS and importlib.util.find_spec(module):
        urlpatterns.append(path(prefix, include(module)))

handler404 = "cskh.core.views.not_found"

admin.site.site_header = gettext_lazy("cskh — Quản trị")
admin.site.site_title = "cskh"
