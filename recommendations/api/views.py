"""API views: configuration only; writes call the services, reads the selectors."""

import re

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from recommendations.api import filters, serializers
from recommendations.api.conditional import etag, expected_version, precondition_failed
from recommendations.api.errors import PreconditionFailed
from recommendations.api.numbers import has_integer_pk, is_id
from recommendations.scope import is_secretariat, member_state_of
from recommendations.selectors import api as selectors
from recommendations.selectors.coverage import coverage_by_theme
from recommendations.services import follow_ups as services
from recommendations.services.follow_ups import VersionConflict

VIA = "api"


# Build the FilterSet only when the request names one of its filters. Without any, the
# FilterSet would validate an empty form and return the queryset as it is, but building
# it (copying every filter, making a form) costs about a tenth of a list request. (The
# only filter backend configured is django-filter's. A comment, not a docstring:
# drf-spectacular would publish a docstring as the description of every operation.)
class FilterWhenAskedMixin:
    def filter_queryset(self, queryset):
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None and self.request.query_params.keys().isdisjoint(
            filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(queryset)


# An id in the URL follows the API's one rule for numbers (numbers.whole_number): "١٢" is
# not 12, and 2**70 is no row rather than an overflow.
class IdLookupMixin:
    def get_object(self):
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if has_integer_pk(self.get_queryset().model) and not is_id(lookup):
            raise Http404
        return super().get_object()


class ReportViewSet(IdLookupMixin, FilterWhenAskedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = selectors.reports()
    serializer_class = serializers.ReportSerializer
    filterset_class = filters.ReportFilter


# A language tag: "zh", "en", "zh-hans", "zh_Hans" (only its first two letters count).
LANG_PATTERN = r"^[A-Za-z]{2}(?:[-_][A-Za-z0-9]{1,8})*$"
LANG = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    pattern=LANG_PATTERN,
    description=(
        "The language of `text`, `addressee` and `heading`, two letters (`zh`, `en`; a "
        "longer tag such as `zh-hans` counts by its first two). Without it, the language "
        "of the request's Accept-Language header. A recommendation without a text in that "
        "language is returned in its report's original language: `text_language` says "
        "which, `languages` lists those available."
    ),
)


@extend_schema_view(
    list=extend_schema(parameters=[LANG]), retrieve=extend_schema(parameters=[LANG])
)
class RecommendationViewSet(IdLookupMixin, FilterWhenAskedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = selectors.recommendations()
    serializer_class = serializers.RecommendationSerializer
    filterset_class = filters.RecommendationFilter
    validates_query = True  # `lang` on the detail too: a bad value is a 400 (schema.py)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        lang = request.query_params.get("lang")
        if lang is not None and not re.fullmatch(LANG_PATTERN, lang):
            raise ValidationError({"lang": ["Expected a language tag such as zh, en or zh-hans."]})


class ThemeViewSet(IdLookupMixin, viewsets.ReadOnlyModelViewSet):
    queryset = selectors.themes()
    serializer_class = serializers.ThemeSerializer
    pagination_class = None


class MemberStateViewSet(IdLookupMixin, viewsets.ReadOnlyModelViewSet):
    queryset = selectors.member_states()
    serializer_class = serializers.MemberStateSerializer
    pagination_class = None


class ConditionalModelViewSet(
    IdLookupMixin,
    FilterWhenAskedMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """GET returns a strong ETag; PATCH/PUT/DELETE need it back in If-Match."""

    conditional = True

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag(instance)
        return response

    def _respond(self, instance, status_code=status.HTTP_200_OK) -> Response:
        response = Response(self.get_serializer(instance).data, status=status_code)
        response["ETag"] = etag(instance)
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.create_object(serializer.validated_data)
        return self._respond(self.get_queryset().get(pk=instance.pk), status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            version = expected_version(request, instance)
            updated = self.update_object(instance, serializer.validated_data, version)
        except (VersionConflict, PreconditionFailed):
            return precondition_failed(instance)
        return self._respond(self.get_queryset().get(pk=updated.pk))

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        try:
            version = expected_version(request, instance)
            self.delete_object(instance, version)
        except (VersionConflict, PreconditionFailed):
            return precondition_failed(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowUpViewSet(ConditionalModelViewSet):
    serializer_class = serializers.FollowUpSerializer
    filterset_class = filters.FollowUpFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.follow_up_list_for(self.request.user)
        return selectors.follow_ups_for(self.request.user)

    def create_object(self, data):
        user = self.request.user
        staff = is_secretariat(user)
        existing = selectors.follow_ups_for(user).filter(
            recommendation=data["recommendation"],
            member_state_id=data["member_state"].pk if staff else member_state_of(user),
        )
        if existing.exists():
            from rest_framework.exceptions import ValidationError

            raise ValidationError(
                {
                    "recommendation": [
                        "This member state already has a follow-up of this recommendation "
                        f"(id {existing.first().pk}): update it with PATCH."
                    ]
                }
            )
        return services.follow_up_create(
            recommendation=data["recommendation"],
            member_state=data["member_state"] if staff else user.liaison.member_state,
            status=data.get("status", "not_started"),
            response=data.get("response", ""),
            user=user,
            verified_by_staff=staff,
            via=VIA,
        )

    def update_object(self, instance, data, version):
        return services.follow_up_update(
            follow_up=instance,
            data={name: data[name] for name in services.FOLLOW_UP_FIELDS if name in data},
            user=self.request.user,
            verified_by_staff=is_secretariat(self.request.user),
            expected_version=version,
            via=VIA,
        )

    def delete_object(self, instance, version):
        services.follow_up_delete(
            follow_up=instance, user=self.request.user, expected_version=version, via=VIA
        )


class ActionViewSet(ConditionalModelViewSet):
    serializer_class = serializers.ActionSerializer
    filterset_class = filters.ActionFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.action_list_for(self.request.user)
        return selectors.actions_for(self.request.user)

    def create_object(self, data):
        return services.action_create(
            follow_up=data["follow_up"],
            user=self.request.user,
            date=data["date"],
            kind=data["kind"],
            description=data["description"],
            evidence_url=data.get("evidence_url", ""),
            via=VIA,
        )

    def update_object(self, instance, data, version):
        return services.action_update(
            action=instance,
            data={name: data[name] for name in services.ACTION_FIELDS if name in data},
            user=self.request.user,
            expected_version=version,
            via=VIA,
        )

    def delete_object(self, instance, version):
        services.action_delete(
            action=instance, user=self.request.user, expected_version=version, via=VIA
        )


class CoverageView(APIView):
    """Follow-up coverage by theme (definitions in DESIGN.md, "Coverage").

    Liaisons get the themes and totals, and the per-state breakdown of their own state only.
    """

    @extend_schema(
        parameters=[serializers.CoverageQuerySerializer],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Coverage by theme."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid scope parameter."),
            403: OpenApiResponse(description="A liaison asked for another state's figures."),
        },
    )
    def get(self, request):
        query = serializers.CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = query.validated_data
        user = request.user
        own = member_state_of(user)
        staff = is_secretariat(user)
        if not staff and "member_state" in scope and scope["member_state"].pk != own:
            raise PermissionDenied("Liaisons may only scope coverage to their own member state.")
        result = coverage_by_theme(**scope, include_states=True)
        if not staff:
            result["states"] = [state for state in result["states"] if state["iso3"] == own]
        return Response(result)
