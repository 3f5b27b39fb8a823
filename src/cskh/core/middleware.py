from django.contrib.auth.middleware import LoginRequiredMiddleware as _LoginRequired

from cskh.core.audit import set_request_ip


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        set_request_ip(request.META.get("REMOTE_ADDR"))
        return self.get_response(request)


class LoginRequiredMiddleware(_LoginRequired):
    """Pages need a login; the API authenticates itself (Bearer token or session) and answers
    401 in JSON instead of redirecting to the login page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
