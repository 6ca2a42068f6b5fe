"""OpenAPI: the schema says what the API really does, so that a generated client (e.g.
openapi-python-client) needs nothing written by hand.

- Every operation documents the error codes it returns; every 400 has one shape,
  `ValidationError` (keys naming what was refused, each with a list of reasons).
- Headers the API sends are declared on the responses that carry them (ETag on reads and
  writes of conditional objects and on 304/412, WWW-Authenticate on 401, Retry-After on
  429); headers it needs on the requests (If-Match on PUT/PATCH/DELETE, If-None-Match on
  GET of one conditional object).
- Ids are integers from 1 to the database's largest (numbers.DB_INT_MAX), in paths, query
  filters and bodies: the range the server accepts (see numbers.py for the one rule).
- PUT/PATCH responses are the object as a GET returns it, whatever serializer the view
  takes the request with (`update_serializer_class`: the fields it makes read-only are
  read-only in that operation's request schema).
- Links from each create/read/update to the operations on the same object (and from a
  created follow-up to creating its actions), for clients and stateful fuzzing.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from recommendations.api.numbers import DB_INT_MAX, IdField, has_integer_pk


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


_ERROR = ErrorSerializer

# The shape of every 400: DRF's validation errors (serializers, django-filter, pagination),
# the views' own and the API middleware's.
_REASONS = {"type": "array", "items": {"type": "string"}}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "Why a request was refused (400). Each key names what was refused: a field of the "
        "body, a query parameter, `non_field_errors` (the body as a whole) or `detail` "
        "(the request as a whole); each value lists the reasons, as strings."
    ),
    "properties": {
        "non_field_errors": {**_REASONS, "description": "About the body as a whole."},
        "detail": {**_REASONS, "description": "About the request as a whole."},
    },
    "additionalProperties": _REASONS,
}
VALIDATION_ERROR_COMPONENT = ResolvedComponent(
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    schema=VALIDATION_ERROR,
    object="ValidationError",
)

# An id: what numbers.whole_number accepts with minimum=1.
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": DB_INT_MAX}

_COMMON = {
    "401": OpenApiResponse(_ERROR, description="No token, or an invalid, expired or revoked one."),
    "403": OpenApiResponse(_ERROR, description="Authenticated, but not allowed to do this."),
    "429": OpenApiResponse(_ERROR, description="Too many requests: retry after Retry-After."),
}
_DETAIL = {"404": OpenApiResponse(_ERROR, description="Not found, or not in your scope.")}
_WRITE = {"413": OpenApiResponse(_ERROR, description="Request body too large.")}
_CONDITIONAL_WRITE = {
    "412": OpenApiResponse(
        _ERROR,
        description="If-Match names no current ETag (the object changed since you read it): "
        "the current ETag is in this response's ETag header.",
    ),
    "428": OpenApiResponse(_ERROR, description="If-Match is required."),
}
_NOT_MODIFIED = {
    "304": OpenApiResponse(
        None, description="Not modified: If-None-Match names the current ETag. No body."
    )
}


def _header(description, schema=None, *, required=True):
    schema = schema or {"type": "string"}
    return {"schema": schema, "description": description, "required": required}


ETAG_HEADER = _header(
    'The object\'s strong ETag, e.g. `"followup-12-v3"`: send it back as If-Match to '
    "update or delete the object, or as If-None-Match to read it only if it changed.",
    {"type": "string", "pattern": '^"[^"]*"$'},
)
WWW_AUTHENTICATE_HEADER = _header(
    "`Token`: authenticate with `Authorization: Token <key>`.",
    {"type": "string", "enum": ["Token"]},
)
RETRY_AFTER_HEADER = _header(
    "Seconds to wait before the next request.", {"type": "integer", "minimum": 0}
)

# A header given empty (or blank) is no header: 428, as without it.
NOT_BLANK = r"\S"
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    pattern=NOT_BLANK,
    description='The ETag of your last read or write of this object, e.g. `"followup-12-v3"` '
    "(a list of ETags, or `*` for any version, is honoured). Without it: 428; when it names "
    "no current version: 412, with the current ETag.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="ETags you hold (or `*`): when one is current the answer is 304 Not Modified, "
    "with the ETag and no body.",
)


class TrackerAutoSchema(AutoSchema):
    def _is_conditional(self) -> bool:
        return bool(getattr(self.view, "conditional", False))

    def _is_detail(self) -> bool:
        return "{" in self.path

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        method = self.method.upper()
        if self._is_conditional():
            if method in {"PUT", "PATCH", "DELETE"}:
                parameters.append(IF_MATCH)
            elif method == "GET" and self._is_detail():
                parameters.append(IF_NONE_MATCH)
        return parameters

    def get_response_serializers(self):
        # A view taking PUT/PATCH with its own serializer (read-only fields for the request)
        # answers with the object as a GET shows it: one response model for clients.
        if self.method.upper() in {"PUT", "PATCH"} and getattr(
            self.view, "update_serializer_class", None
        ):
            serializer_class = getattr(self.view, "serializer_class", None)
            if serializer_class is not None:
                return serializer_class(context=self.view.get_serializer_context())
        return super().get_response_serializers()

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            isinstance(field, IdField)
            and schema.get("type") == "integer"
            and has_integer_pk(field.get_queryset().model)
        ):
            schema = {**schema, **ID_SCHEMA}
        return schema

    def _validation_error(self, description: str) -> OpenApiResponse:
        self.registry.register_on_missing(VALIDATION_ERROR_COMPONENT)
        return OpenApiResponse(VALIDATION_ERROR_COMPONENT.ref, description=description)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = dict(_COMMON)
        method = self.method.upper()
        if self._is_detail():
            extra.update(_DETAIL)
        if method in {"POST", "PUT", "PATCH"}:
            extra.update(_WRITE)
            extra["400"] = self._validation_error(
                "Validation error: each field (or query parameter) with the reasons it was refused."
            )
        else:
            # Every API request's query parameters are checked (filters, pagination, `lang`,
            # and no NUL character anywhere: middleware.py).
            extra["400"] = self._validation_error(
                "Invalid query parameter: each parameter with the reasons it was refused."
            )
        if self._is_conditional():
            if method in {"PUT", "PATCH", "DELETE"}:
                extra.update(_CONDITIONAL_WRITE)
            elif method == "GET" and self._is_detail():
                extra.update(_NOT_MODIFIED)
        for code, response in extra.items():
            if code == "400" and "400" in responses:
                # A view's own 400 (e.g. coverage's query) takes the one shape too.
                description = responses["400"].get("description") or response.description
                responses["400"] = self._get_response_for_code(
                    self._validation_error(description), "400"
                )
            elif code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = dict(super()._get_response_headers_for_code(status_code, direction))
        method = self.method.upper()
        status_code = str(status_code)
        if status_code == "401":
            headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE_HEADER)
        elif status_code == "429":
            headers.setdefault("Retry-After", RETRY_AFTER_HEADER)
        elif self._is_conditional() and (
            (method == "GET" and self._is_detail() and status_code in {"200", "304"})
            or (method == "POST" and status_code == "201")
            or (method in {"PUT", "PATCH"} and status_code == "200")
            or (method in {"PUT", "PATCH", "DELETE"} and status_code == "412")
        ):
            headers.setdefault("ETag", ETAG_HEADER)
        return headers


def non_empty_query_strings(result, generator, request, public):
    """Filters refuse empty values (leave a filter out instead): say so in the schema."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string":
                    schema.setdefault("minLength", 1)
    return result


def integer_ids(result, generator, request, public):
    """A row id in a path is a whole number from 1 to the database's largest (anything else
    is no row: 404), as in query filters and bodies."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if (
                    parameter.get("in") == "path"
                    and parameter.get("name") == "id"
                    and schema.get("type") == "integer"
                ):
                    schema.update(ID_SCHEMA)
    return result


_ETAG = "$response.header.ETag"


def _resource_links(result, collection: str) -> tuple[dict, dict]:
    """Links to the operations on one object of `collection`, from a response holding it
    (by its body's id) and from a request naming it (by the path's id)."""
    detail = result["paths"].get(f"{collection}{{id}}/", {})
    from_body, from_path = {}, {}
    for method, name in (
        ("get", "Retrieve"),
        ("put", "Replace"),
        ("patch", "Update"),
        ("delete", "Delete"),
    ):
        operation = detail.get(method)
        if operation is None:
            continue
        headers = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "header"}
        for links, id_expression in (
            (from_body, "$response.body#/id"),
            (from_path, "$request.path.id"),
        ):
            parameters = {"path.id": id_expression}
            if "If-Match" in headers:
                parameters["header.If-Match"] = _ETAG
            links[name] = {
                "operationId": operation["operationId"],
                "parameters": parameters,
                "description": f"{name} this object"
                + (" (If-Match: its ETag)." if "If-Match" in headers else "."),
            }
    return from_body, from_path


def _request_properties(result, operation) -> dict:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = result.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], {})
    return schema.get("properties", {})


def _is_page(result, response) -> bool:
    content = response.get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = result.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], {})
    return schema.get("properties", {}).get("results", {}).get("type") == "array"


def operation_links(result, generator, request, public):
    """OpenAPI links between operations on the same object: a created, read or updated
    follow-up or action to reading, updating and deleting it (with its ETag as If-Match);
    a page of a list to reading its first object; and an object to creating the objects
    that name it in their body (`follow_up` names an object of `/follow-ups/`)."""
    paths = result.get("paths", {})
    collections = [
        path
        for path, item in paths.items()
        if path.endswith("/") and "{" not in path and f"{path}{{id}}/" in paths
    ]
    creates = [paths[path]["post"] for path in collections if "post" in paths[path]]

    def referring(collection, id_expression):
        """Links to the creates whose body names an object of `collection` by id."""
        links = {}
        for create in creates:
            for name, schema in _request_properties(result, create).items():
                if schema.get("readOnly") or schema.get("type") != "integer":
                    continue
                if collection.rstrip("/").rsplit("/", 1)[-1] == f"{name.replace('_', '-')}s":
                    links[create["operationId"]] = {
                        "operationId": create["operationId"],
                        "requestBody": {name: id_expression},
                        "description": f"Create an object whose `{name}` is this one.",
                    }
        return links

    for collection in collections:
        from_body, from_path = _resource_links(result, collection)
        detail = paths.get(f"{collection}{{id}}/", {})
        by_body = referring(collection, "$response.body#/id")
        targets = [(paths[collection].get("post"), "201", {**from_body, **by_body})]
        targets += [
            (detail.get(method), "200", {**from_path, **by_body})
            for method in ("get", "put", "patch")
        ]
        listed = paths[collection].get("get")
        if listed is not None and _is_page(result, listed["responses"].get("200", {})):
            first = "$response.body#/results/0/id"
            retrieve = from_path.get("Retrieve")
            links = {**referring(collection, first)}
            if retrieve is not None:
                links["RetrieveFirst"] = {
                    "operationId": retrieve["operationId"],
                    "parameters": {"path.id": first},
                    "description": "Read the first object of this page.",
                }
            targets.append((listed, "200", links))
        for operation, code, links in targets:
            if operation is None or code not in operation.get("responses", {}) or not links:
                continue
            response = operation["responses"][code]
            response["links"] = {**links, **response.get("links", {})}
    return result


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "recommendations.api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        # An API key in the Authorization header, whose value is the word "Token", a space
        # and the key: DRF's token scheme. Not `http`/`bearer`: the server refuses "Bearer".
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                'The header `Authorization: Token <key>`: the word "Token", a space, and your '
                "key (`rt_…`); not Bearer. With openapi-python-client: "
                '`AuthenticatedClient(base_url=…, token=key, prefix="Token")`; with '
                "openapi-generator: the API key `key` with the prefix `Token`."
            ),
        }
