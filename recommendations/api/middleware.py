from django.conf import settings
from django.http import JsonResponse


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
            if length > settings.API_MAX_BODY_BYTES:
                return JsonResponse(
                    {
                        "detail": f"Request body too large: {length} bytes, "
                        f"the limit is {settings.API_MAX_BODY_BYTES}."
                    },
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
