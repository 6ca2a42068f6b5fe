"""ETags and preconditions as RFC 9110 says, in one place.

Each follow-up and action has a strong ETag made of its version: `"followup-12-v3"`.

- GET of one object returns its ETag; with `If-None-Match` naming it (or `*`) the answer is
  304 Not Modified, with the ETag and no body.
- PUT, PATCH and DELETE must name the version they change in `If-Match`, which is checked
  before the body is read: no header is 428 whatever the body; a list of ETags passes if
  any is current; `*` passes (the object exists); weak ETags never match (strong
  comparison). Otherwise 412.
- Every 412 carries the current ETag, wherever it arises (here, or in a service finding
  the row changed between the read and the write): the exception handler adds it.
"""

import re

from rest_framework import exceptions, status
from rest_framework.response import Response


def format_etag(model_name: str, pk, version: int) -> str:
    return f'"{model_name}-{pk}-v{version}"'


def etag(obj) -> str:
    return format_etag(obj._meta.model_name, obj.pk, obj.version)


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

    def __init__(self, current_etag: str | None = None) -> None:
        super().__init__()
        self.etag = current_etag


def _entity_tags(header: str) -> list[str]:
    """The entity tags of an If-Match / If-None-Match list (quoted strings may hold commas
    in principle; ours never do, but a client's may)."""
    return re.findall(r'\*|(?:W/)?"[^"]*"', header)


def expected_version(request, obj) -> int | None:
    """The version If-Match asks to change: the object's current one when the header names
    it (or is `*`: None, the object exists). Raises 428 without the header, 412 otherwise."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    tags = _entity_tags(header)
    if "*" in tags:
        return None
    current = etag(obj)
    if current in tags:  # strong comparison: a weak W/"…" never equals
        return obj.version
    raise PreconditionFailed(current)


def not_modified(request, obj) -> bool:
    """If-None-Match on a GET: does the client already hold the current representation?
    (Weak comparison, as RFC 9110 asks for If-None-Match.)"""
    header = request.headers.get("If-None-Match", "").strip()
    if not header:
        return False
    tags = _entity_tags(header)
    current = etag(obj)
    return "*" in tags or current in tags or f"W/{current}" in tags


# GET with ETag and If-None-Match; PUT/PATCH/DELETE with If-Match checked first. The view
# provides `create_object(data)`, `update_object(instance, data, version)` and
# `delete_object(instance, version)`, which call the services; the object read by
# get_object() is the only read: the service's conditional write proves it current. (A
# comment: drf-spectacular would publish a docstring as every operation's description.)
class ConditionalMixin:
    conditional = True
    update_serializer_class = None

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"} and self.update_serializer_class:
            return self.update_serializer_class
        return super().get_serializer_class()

    def respond(self, instance, status_code=status.HTTP_200_OK) -> Response:
        serializer = self.get_serializer_class()(instance, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code, headers={"ETag": etag(instance)})

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        if not_modified(request, instance):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(instance)})
        return self.respond(instance)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.create_object(serializer.validated_data)
        return self.respond(instance, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        version = expected_version(request, instance)  # before the body: 428/412 first
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        updated = self.update_object(instance, serializer.validated_data, version)
        return self.respond(updated)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        version = expected_version(request, instance)
        self.delete_object(instance, version)
        return Response(status=status.HTTP_204_NO_CONTENT)
