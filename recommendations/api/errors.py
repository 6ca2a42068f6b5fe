"""API errors are JSON: DRF's, Django's validation errors, and unknown URLs under /api/."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from recommendations.api.conditional import PreconditionFailed, format_etag
from recommendations.services.follow_ups import VersionConflict


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, VersionConflict):
        current = exc.current_version
        exc = PreconditionFailed(
            None if current is None else format_etag(exc.model_name, exc.pk, current)
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, PreconditionFailed) and exc.etag:
        response["ETag"] = exc.etag  # the one place a 412 gets the current ETag
    if response.status_code == 400:
        response.data = as_validation_error(response.data)
    return response


def as_validation_error(data):
    """Every 400 has one shape (the schema's ValidationError): each field, or `detail`,
    with a list of reasons. DRF's parse errors say `{"detail": "…"}`: made a list."""
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return {**data, "detail": [data["detail"]]}
    return data


@csrf_exempt
def api_not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def csrf_failure(request, reason=""):
    """JSON under /api/ (a session-authenticated write without its CSRF token)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    from django.views.csrf import csrf_failure as default_csrf_failure

    return default_csrf_failure(request, reason)


def api_server_error(request):
    return JsonResponse({"detail": "Server error."}, status=500)
