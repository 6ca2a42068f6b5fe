from django.conf import settings
from django.http import JsonResponse
from django.urls import Resolver404, resolve


def body_limit(path: str) -> int:
    """The largest body an API view takes: API_MAX_BODY_BYTES, unless the view says more
    (a `max_body_bytes()` of its own, e.g. the questionnaire upload)."""
    try:
        view_class = getattr(resolve(path).func, "view_class", None)
    except Resolver404:
        view_class = None
    limit = getattr(view_class, "max_body_bytes", None)
    return limit() if limit is not None else settings.API_MAX_BODY_BYTES


class ApiBodySizeLimitMiddleware:
    """Refuse API request bodies over API_MAX_BODY_BYTES with 413, before reading them,
    and query parameters holding a NUL character with 400 (PostgreSQL cannot store or
    compare one, so it must not reach a query)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse({"detail": ["Invalid Content-Length header."]}, status=400)
            # A view's own limit is looked up only for a body over the common one.
            if length > settings.API_MAX_BODY_BYTES and length > (
                limit := body_limit(request.path_info)
            ):
                return JsonResponse(
                    {"detail": f"Request body too large: {length} bytes, the limit is {limit}."},
                    status=413,
                )
            bad = sorted(
                name
                for name, values in request.GET.lists()
                if "\x00" in name or any("\x00" in value for value in values)
            )
            if bad:
                return JsonResponse(
                    {name or "query": ["Null characters are not allowed."] for name in bad},
                    status=400,
                )
        return self.get_response(request)
