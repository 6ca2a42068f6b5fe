"""OpenAPI: every operation documents the error codes the API really returns."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


_ERROR = ErrorSerializer

_COMMON = {
    "401": OpenApiResponse(_ERROR, description="No token, or an invalid, expired or revoked one."),
    "403": OpenApiResponse(_ERROR, description="Authenticated, but not a liaison or staff."),
    "429": OpenApiResponse(_ERROR, description="Too many requests: see Retry-After."),
}
_DETAIL = {"404": OpenApiResponse(_ERROR, description="Not found, or not in your scope.")}
_WRITE = {
    "400": OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Validation error: each field with the reasons it was refused.",
    ),
    "413": OpenApiResponse(_ERROR, description="Request body too large."),
}
_CONDITIONAL = {
    "412": OpenApiResponse(_ERROR, description="Stale If-Match: the current ETag is returned."),
    "428": OpenApiResponse(_ERROR, description="If-Match is required."),
}


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of your last GET of this object, e.g. `"followup-12-v3"`.',
)


def non_empty_query_strings(result, generator, request, public):
    """Filters refuse empty values (leave a filter out instead): say so in the schema."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string":
                    schema.setdefault("minLength", 1)
    return result


class TrackerAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method.upper() in {"PUT", "PATCH", "DELETE"} and getattr(
            self.view, "conditional", False
        ):
            parameters.append(IF_MATCH)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = dict(_COMMON)
        method = self.method.upper()
        is_detail = "{" in self.path
        if is_detail:
            extra.update(_DETAIL)
        if method in {"POST", "PUT", "PATCH"}:
            extra.update(_WRITE)
        if method == "GET" and (
            (not is_detail and getattr(self.view, "filterset_class", None))
            or getattr(self.view, "validates_query", False)
        ):
            extra["400"] = OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Invalid query parameter: each parameter and reason.",
            )
        if method in {"PUT", "PATCH", "DELETE"} and getattr(self.view, "conditional", False):
            extra.update(_CONDITIONAL)
        for code, response in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        return responses


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "recommendations.api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'The word "Token", a space, and your key: `Token rt_…`.',
        }
