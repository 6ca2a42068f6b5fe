"""API views: configuration only; writes call the services, reads the selectors."""

import re

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError

from recommendations.api import filters, serializers
from recommendations.api.conditional import ConditionalMixin
from recommendations.api.numbers import has_integer_pk, is_id
from recommendations.models import Action, FollowUp
from recommendations.selectors import api as selectors
from recommendations.services import follow_ups as services

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


# Follow-ups and actions: liaisons write their own state's, staff what their permissions
# allow (permissions.py); conditional writes (conditional.py). (A comment, not a docstring:
# drf-spectacular would publish a docstring as every operation's description.)
class WritableModelViewSet(
    ConditionalMixin,
    IdLookupMixin,
    FilterWhenAskedMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    liaisons_write = True


class FollowUpViewSet(WritableModelViewSet):
    queryset = FollowUp.objects.none()  # the model, for permissions; rows: get_queryset
    serializer_class = serializers.FollowUpSerializer
    update_serializer_class = serializers.FollowUpUpdateSerializer
    filterset_class = filters.FollowUpFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.follow_up_list_for(self.request.user)
        return selectors.follow_ups_for(self.request.user)

    def respond(self, instance, status_code=status.HTTP_200_OK):
        # The due date comes from the selector's annotation, which a row the service wrote
        # lacks when the view did not read it first (a create; an update with If-Match: *).
        if not hasattr(instance, "effective_due_date"):
            instance = selectors.follow_ups_for(self.request.user).get(pk=instance.pk)
        return super().respond(instance, status_code)

    def create_object(self, data):
        user = self.request.user
        return services.follow_up_create(
            recommendation=data["recommendation"],
            member_state=data.get("member_state") or user.liaison.member_state,
            status=data.get("status", "not_started"),
            response=data.get("response", ""),
            user=user,
            via=VIA,
        )

    def update_object(self, instance, data, version):
        return services.follow_up_update(
            follow_up=instance, data=data, user=self.request.user, expected_version=version, via=VIA
        )

    def delete_object(self, instance, version):
        services.follow_up_delete(
            follow_up=instance, user=self.request.user, expected_version=version, via=VIA
        )


class ActionViewSet(WritableModelViewSet):
    queryset = Action.objects.none()
    serializer_class = serializers.ActionSerializer
    update_serializer_class = serializers.ActionUpdateSerializer
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
            action=instance, data=data, user=self.request.user, expected_version=version, via=VIA
        )

    def delete_object(self, instance, version):
        services.action_delete(
            action=instance, user=self.request.user, expected_version=version, via=VIA
        )
