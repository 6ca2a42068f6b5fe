"""GET /api/v1/coverage/: follow-up coverage by theme, and the shape of its answer.

The figures come from the coverage selectors; a liaison's have small numbers withheld
(selectors.coverage.suppress_small_numbers, COVERAGE_MIN_OTHER_STATES).
"""

from django.conf import settings
from django_filters import DateFilter
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from recommendations.api.filters import CoverageFilter
from recommendations.api.numbers import has_integer_pk
from recommendations.api.schema import ID_SCHEMA, ErrorSerializer
from recommendations.models import FollowUp
from recommendations.scope import is_secretariat, member_state_of
from recommendations.selectors.coverage import (
    STATUS_CODES,
    coverage_by_theme,
    coverage_for_liaison,
)

_WITHHELD = " Null when withheld (see `suppressed`)."


def _count(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, allow_null=True, help_text=help_text + _WITHHELD)


def _percent(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=help_text + _WITHHELD)


class CoverageStatusCountsSerializer(serializers.Serializer):
    """The follow-ups of the row in each status."""

    def get_fields(self):
        return {status: _count(f"Follow-ups in status `{status}`.") for status in STATUS_CODES}


class CoverageRowSerializer(serializers.Serializer):
    """A theme, the "No theme" row (code `unthemed`) or the total (code `total`)."""

    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    recommendations = serializers.IntegerField(
        min_value=0, help_text="Active recommendations in the row. Never withheld."
    )
    covered = _count("Recommendations with at least one follow-up.")
    coverage_pct = _percent("covered / recommendations, in percent, one decimal.")
    states_reporting = _count("Member states with at least one follow-up.")
    status_counts = CoverageStatusCountsSerializer()
    implemented_pct = _percent("Implemented follow-ups / follow-ups, in percent, one decimal.")
    verified_implemented = _count("Implemented follow-ups verified by the secretariat.")
    unverified_implemented = _count("Implemented follow-ups not verified yet.")
    overdue = _count(
        "Open recommendations (no member state in scope has reported a final status) whose "
        "due date has passed."
    )
    median_age_open = _count(
        "Median age in days of the open recommendations, since their report's session or "
        "date; null also when none is open."
    )
    suppressed = serializers.BooleanField(
        required=False,
        help_text="Liaisons only: true when the follow-up figures of this row are withheld "
        "(null), as they would give away the figures of too few other member states.",
    )


class CoverageScopeSerializer(serializers.Serializer):
    """The scope the figures cover, as asked (null: not restricted)."""

    report = serializers.CharField(allow_null=True, help_text="The report's symbol.")
    body = serializers.CharField(allow_null=True, help_text="The governing body's code.")
    updated_from = serializers.DateField(allow_null=True)
    updated_to = serializers.DateField(allow_null=True)
    member_state = serializers.CharField(allow_null=True, help_text="ISO3 code.")


class CoverageStateSerializer(serializers.Serializer):
    """A member state's share, in percent, of the recommendations it reported on."""

    iso3 = serializers.CharField()
    name_en = serializers.CharField()
    name_zh = serializers.CharField()
    themes = serializers.DictField(
        child=serializers.FloatField(), help_text="Per theme code, in percent, one decimal."
    )
    total = serializers.FloatField(help_text="Of all recommendations, in percent.")
    overdue = serializers.IntegerField(
        min_value=0,
        help_text="Recommendations in scope past their due date on which this state has "
        "not reported a final status.",
    )


class CoverageSuppressionSerializer(serializers.Serializer):
    """The small-numbers rule applied to a liaison's figures."""

    min_other_states = serializers.IntegerField(
        help_text="A figure must count the follow-ups of at least this many member states "
        "other than yours to be shown."
    )
    reason = serializers.CharField()


class CoverageSerializer(serializers.Serializer):
    """Follow-up coverage by theme (the definitions are in the README, "Coverage by theme")."""

    scope = CoverageScopeSerializer()
    themes = CoverageRowSerializer(many=True, help_text="Every theme, in the taxonomy's order.")
    unthemed = CoverageRowSerializer(help_text="Recommendations without any theme.")
    total = CoverageRowSerializer(help_text="Every recommendation in scope, once.")
    states = CoverageStateSerializer(
        many=True, help_text="Per member state reporting; a liaison gets only their own."
    )
    suppression = CoverageSuppressionSerializer(
        required=False, help_text="Liaisons only: the rule that withholds small numbers."
    )


def _scope_parameters() -> list[OpenApiParameter]:
    """The query parameters: the scope filter's fields, described by their help text."""
    parameters = []
    for name, filter_ in CoverageFilter.base_filters.items():
        if isinstance(filter_, DateFilter):
            kind = OpenApiTypes.DATE
        elif filter_.field.to_field_name is None and has_integer_pk(filter_.queryset.model):
            kind = ID_SCHEMA
        else:
            kind = OpenApiTypes.STR
        parameters.append(OpenApiParameter(name, kind, description=filter_.field.help_text))
    return parameters


class CoverageView(APIView):
    """Follow-up coverage by theme (the definitions are in the README, "Coverage by theme").

    Staff get every figure, as `coverage_report --format json` gives them. Liaisons get
    the themes and totals and the per-state row of their own state only; in those, a
    figure that counts the follow-ups of fewer than `suppression.min_other_states` other
    member states, or that would let one be worked out from the figures shown, is null and
    its row `suppressed`.
    """

    permission_model = FollowUp
    validates_query = True

    @extend_schema(
        parameters=_scope_parameters(),
        responses={
            200: CoverageSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description="Not a liaison or staff, or a liaison asked for another state.",
            ),
        },
    )
    def get(self, request):
        query = CoverageFilter(request.query_params)
        if not query.is_valid():
            raise translate_validation(query.errors)
        scope = query.scope()
        user = request.user
        if is_secretariat(user):
            return Response(coverage_by_theme(**scope))
        own = member_state_of(user)
        if "member_state" in scope and scope["member_state"].pk != own:
            raise PermissionDenied("Liaisons may only scope coverage to their own member state.")
        minimum = settings.COVERAGE_MIN_OTHER_STATES
        return Response(coverage_for_liaison(own, minimum=minimum, **scope))
