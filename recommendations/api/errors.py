"""API errors are JSON: DRF's, Django's validation errors, and unknown URLs under /api/."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from recommendations.services.follow_ups import VersionConflict


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "This request must be conditional: send the ETag of your last GET as If-Match."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The object changed since you read it: GET it again and retry with the new ETag."
    )
    default_code = "precondition_failed"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, VersionConflict):
        exc = PreconditionFailed()
    return drf_exception_handler(exc, context)


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


__all__ = ["PreconditionFailed", "PreconditionRequired", "Response", "exception_handler"]
