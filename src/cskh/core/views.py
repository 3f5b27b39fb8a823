from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import defaults

from cskh.core import ratelimit
from cskh.core.errors import DomainError


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            ratelimit.hit("login", ratelimit.client_ip(request))
        except DomainError as exc:
            return render(
                request,
                "registration/login.html",
                {"form": self.get_form(), "error": str(exc.message)},
                status=429,
            )
        return super().post(request, *args, **kwargs)


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the screen it works in."""
    targets = {
        "unit_staff": "portal:home",
        "agent": "desk:home",
        "shift_lead": "desk:supervisor",
        "manager": "desk:supervisor",
        "admin": "desk:home",
        "counter_staff": "counters:staff_home",
    }
    try:
        role = getattr(request.user, "role", "")  # signed in: LoginRequiredMiddleware
        return redirect(reverse(targets.get(role, "desk:home")))
    except NoReverseMatch:
        return render(request, "home.html")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler404`: an API client gets JSON like every other API error (a path that matches
    no operation, e.g. a word where the URL takes a number), a browser the page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("Không tìm thấy."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)
