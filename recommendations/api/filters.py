"""django-filter FilterSets: explicit field names and lookups, and a shared `q` search."""

import datetime

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from recommendations.api.numbers import DB_INT_MAX, IdFormField
from recommendations.choices import ActionKind, Response, Status
from recommendations.filters import CoverageScopeFilter
from recommendations.models import Action, FollowUp, Recommendation, Report
from recommendations.selectors import api as selectors
from recommendations.selectors.deadlines import open_q, overdue_q
from recommendations.selectors.texts import translation_contains


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error rather than "no filter"."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() in {"true", "1"}:
            return True
        if str(value).lower() in {"false", "0"}:
            return False
        raise forms.ValidationError("Expected true or false.", code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field(
    {
        "type": "integer",
        "format": "int64",
        "minimum": 1,
        "maximum": DB_INT_MAX,
        "description": "An id: digits 0-9, from 1 to 2**63-1.",
    }
)
class IdFilter(filters.NumberFilter):
    """A row id: ASCII digits in the database's range (else 400 naming the filter, never
    an overflow). The rule is numbers.whole_number, as for ids in bodies and pagination.
    The schema says integer (a NumberFilter on an `_id` lookup would be `number`)."""

    field_class = IdFormField


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, as UTC: any offset is accepted (PostgreSQL refuses offsets
    beyond ±15:59 in a query), and one that leaves the calendar is an error, not a 500."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Date-time out of range.", code="invalid") from None


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class StrictFilterSet(filters.FilterSet):
    """A filter given with an empty value is an error, not silently ignored."""

    def is_valid(self):
        valid = super().is_valid()
        empty = [name for name in self.filters if name in self.data and not self.data.get(name)]
        for name in empty:
            self.form.add_error(name, "This filter must not be empty: leave it out instead.")
        return valid and not empty


class CoverageFilter(StrictFilterSet, CoverageScopeFilter):
    """The coverage scope (recommendations/filters.py) as the API takes it: a parameter
    given empty is refused, as by the other filters."""


class ReportFilter(StrictFilterSet):
    symbol = filters.CharFilter(field_name="symbol", lookup_expr="exact")
    body = filters.CharFilter(field_name="sessions__body__code", lookup_expr="exact")
    q = filters.CharFilter(method="search", label="Search in symbol and title")

    class Meta:
        model = Report
        fields = ["symbol", "body", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(symbol__icontains=value) | Q(title__icontains=value))


class DeadlineFilterSet(StrictFilterSet):
    """Filters on the due date (`effective_due_date`, annotated by the selectors) and on
    what is overdue (selectors/deadlines.py), which `overdue_condition(today)` names for
    the rows filtered."""

    overdue = StrictBooleanFilter(
        method="filter_overdue",
        label="Overdue (true) or not (false): the due date has passed, the recommendation "
        "is not withdrawn (and, for a follow-up, the follow-up is still open). The same "
        "rows as a non-null `days_overdue`.",
    )
    due_before = filters.DateFilter(
        field_name="effective_due_date",
        lookup_expr="lte",
        label="Due on or before this date (YYYY-MM-DD); rows without a due date are left out.",
    )
    due_after = filters.DateFilter(
        field_name="effective_due_date",
        lookup_expr="gte",
        label="Due on or after this date (YYYY-MM-DD); rows without a due date are left out.",
    )

    @staticmethod
    def overdue_condition(today: datetime.date) -> Q:
        raise NotImplementedError

    def filter_overdue(self, queryset, name, value):
        overdue = self.overdue_condition(timezone.localdate())
        if value:
            return queryset.filter(overdue)
        # Negated, a comparison with a missing due date is unknown, not true: named.
        return queryset.filter(Q(effective_due_date__isnull=True) | ~overdue)


class RecommendationFilter(DeadlineFilterSet):
    report = IdFilter(field_name="report_id", lookup_expr="exact")
    report_symbol = filters.CharFilter(field_name="report__symbol", lookup_expr="exact")
    body = filters.CharFilter(field_name="bodies__code", lookup_expr="exact")
    theme = filters.CharFilter(field_name="themes__code", lookup_expr="exact")
    paragraph = filters.CharFilter(field_name="paragraph", lookup_expr="exact")
    item = filters.CharFilter(field_name="item", lookup_expr="exact")
    label = filters.CharFilter(field_name="label", lookup_expr="exact")
    is_withdrawn = StrictBooleanFilter(field_name="is_withdrawn")
    has_follow_up = StrictBooleanFilter(
        method="filter_has_follow_up", label="Has a follow-up you can see"
    )
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    q = filters.CharFilter(
        method="search",
        label="Search in the text (substring, in every language it has) and label",
    )

    class Meta:
        model = Recommendation
        fields = [
            "report",
            "report_symbol",
            "body",
            "theme",
            "paragraph",
            "item",
            "label",
            "is_withdrawn",
            "has_follow_up",
            "updated_since",
            "q",
            "overdue",
            "due_before",
            "due_after",
        ]

    @staticmethod
    def overdue_condition(today: datetime.date) -> Q:
        return overdue_q(today)

    def filter_has_follow_up(self, queryset, name, value):
        return selectors.with_visible_follow_up(queryset, self.request.user, value)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(text__icontains=value) | Q(label__iexact=value) | translation_contains(value)
        )


class FollowUpFilter(DeadlineFilterSet):
    recommendation = IdFilter(field_name="recommendation_id")
    report = IdFilter(field_name="recommendation__report_id")
    theme = filters.CharFilter(field_name="recommendation__themes__code")
    body = filters.CharFilter(field_name="recommendation__bodies__code")
    paragraph = filters.CharFilter(field_name="recommendation__paragraph")
    label = filters.CharFilter(field_name="recommendation__label")
    member_state = filters.CharFilter(field_name="member_state__iso3", lookup_expr="iexact")
    status = filters.MultipleChoiceFilter(field_name="status", choices=Status.choices)
    response = filters.MultipleChoiceFilter(field_name="response", choices=Response.choices)
    verified = StrictBooleanFilter(field_name="verified_at", lookup_expr="isnull", exclude=True)
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    q = filters.CharFilter(
        method="search",
        label="Search in the recommendation's text (in every language it has) and label",
    )

    class Meta:
        model = FollowUp
        fields = [
            "recommendation",
            "report",
            "theme",
            "body",
            "paragraph",
            "label",
            "member_state",
            "status",
            "response",
            "verified",
            "updated_since",
            "q",
            "overdue",
            "due_before",
            "due_after",
        ]

    @staticmethod
    def overdue_condition(today: datetime.date) -> Q:
        return overdue_q(today, "recommendation__") & open_q()

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(recommendation__text__icontains=value)
            | Q(recommendation__label__iexact=value)
            | translation_contains(value, "recommendation_id")
        )


class ActionFilter(StrictFilterSet):
    follow_up = IdFilter(field_name="follow_up_id")
    recommendation = IdFilter(field_name="follow_up__recommendation_id")
    member_state = filters.CharFilter(
        field_name="follow_up__member_state__iso3", lookup_expr="iexact"
    )
    kind = filters.MultipleChoiceFilter(field_name="kind", choices=ActionKind.choices)
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    q = filters.CharFilter(field_name="description", lookup_expr="icontains")

    class Meta:
        model = Action
        fields = [
            "follow_up",
            "recommendation",
            "member_state",
            "kind",
            "date_from",
            "date_to",
            "updated_since",
            "q",
        ]
