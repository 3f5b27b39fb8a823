from cskh.core.audit import set_request_ip


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        set_request_ip(request.META.get("REMOTE_ADDR"))
        return self.get_response(request)
