"""Strong ETags from the version column, and If-Match for PATCH/PUT/DELETE."""

import re

from rest_framework import status
from rest_framework.response import Response

from recommendations.api.errors import PreconditionFailed, PreconditionRequired
from recommendations.api.numbers import whole_number


def etag(obj) -> str:
    return f'"{obj._meta.model_name}-{obj.pk}-v{obj.version}"'


def expected_version(request, obj) -> int:
    """The version named by If-Match, which must be this object's strong ETag."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    pattern = re.compile(rf'"{obj._meta.model_name}-{obj.pk}-v([0-9]+)"')
    for candidate in (part.strip() for part in header.split(",")):
        match = pattern.fullmatch(candidate)
        if match:
            version = whole_number(match.group(1))
            if version is not None:
                return version
    raise PreconditionFailed()


def precondition_failed(obj) -> Response:
    obj.refresh_from_db(fields=["version"])
    response = Response(
        {"detail": PreconditionFailed.default_detail}, status=status.HTTP_412_PRECONDITION_FAILED
    )
    response["ETag"] = etag(obj)
    return response
