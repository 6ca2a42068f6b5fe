"""The coverage scope: one FilterSet read by the coverage page, the API and the command.

A scope is what `coverage_by_theme` takes (selectors/coverage.py): a report (by id, or
by symbol), a governing body (code), a member state (ISO3) and a range of update dates.
Every door validates it here, with the same rules and the same messages: a report, body
or member state that does not exist, a date not written YYYY-MM-DD (or past LAST_DAY),
a start date after the end date. Each door only shows the errors its own way (form
errors on the page, a 400 keyed by parameter from the API, a CommandError naming the
option).
"""

import datetime

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from recommendations.api.numbers import ID_MESSAGE, has_integer_pk, whole_number
from recommendations.models import Body, MemberState, Recommendation, Report
from recommendations.widgets import LongSelect

START_AFTER_END = _("The start date is after the end date.")
DATE_MESSAGE = _("Expected a date as YYYY-MM-DD (e.g. 2026-01-31).")
NULL_MESSAGE = _("Null characters are not allowed.")


class RowField(ModelChoiceField):
    """One row, named by its `to_field_name` (its id by default).

    An id is checked before it reaches the database (numbers.whole_number: never an
    overflow); `lookup` is how the name is compared (`iexact`: case ignored). A name
    that matches no row is refused with the `invalid_choice` message, given %(value)s
    (the name) and %(known)s (the names of every row, looked up only then).
    """

    def __init__(self, *args, lookup: str = "exact", **kwargs):
        self.lookup = lookup
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value)
        if "\x00" in value:
            raise ValidationError(NULL_MESSAGE, code="null_characters_not_allowed")
        key = self.to_field_name or "pk"
        if key == "pk" and has_integer_pk(self.queryset.model):
            number = whole_number(value, minimum=1)
            if number is None:
                raise ValidationError(ID_MESSAGE, code="invalid")
            value = number
        row = self.queryset.filter(**{f"{key}__{self.lookup}": value}).first()
        if row is None:
            message = self.error_messages["invalid_choice"]
            params = {"value": value}
            if "%(known)s" in str(message):
                params["known"] = ", ".join(self.queryset.order_by(key).values_list(key, flat=True))
            raise ValidationError(message, code="invalid_choice", params=params)
        return row


class RowFilter(filters.ModelChoiceFilter):
    field_class = RowField


class CoverageScopeForm(forms.Form):
    """The checks across fields, and the scope as coverage_by_theme's keyword arguments.

    The fields are CoverageScopeFilter's (CoverageScopeFilter.form_class())."""

    def clean(self):
        data = super().clean()
        start, end = data.get("updated_from"), data.get("updated_to")
        if start and end and start > end:
            self.add_error("updated_from", START_AFTER_END)
        report, symbol = data.get("report"), data.get("report_symbol")
        if report and symbol and report != symbol:
            self.add_error("report_symbol", _("This is not the report given by its id."))
        return data

    def scope(self) -> dict:
        """coverage_by_theme's keyword arguments (only those given); the form is valid."""
        data = self.cleaned_data
        scope = {
            "report": data.get("report") or data.get("report_symbol"),
            "body": data.get("body"),
            "member_state": data.get("member_state"),
            "updated_from": data.get("updated_from"),
            "updated_to": data.get("updated_to"),
        }
        return {name: value for name, value in scope.items() if value is not None}


# The last day a range may end on: the scope bounds whole days, up to the next one's start.
LAST_DAY = datetime.date.max - datetime.timedelta(days=1)


def _date_filter(label, help_text: str) -> filters.DateFilter:
    return filters.DateFilter(
        label=label,
        help_text=help_text,
        input_formats=["%Y-%m-%d"],
        validators=[MaxValueValidator(LAST_DAY)],
        error_messages={"invalid": DATE_MESSAGE},
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class CoverageScopeFilter(filters.FilterSet):
    """The scope of the coverage figures (module docstring). The figures are counted by
    coverage_by_theme, not by filtering rows: validate (`is_valid`, `errors`), then read
    `scope()`; `qs` is every recommendation, unfiltered."""

    report = RowFilter(
        queryset=Report.objects.order_by("symbol").only(*Report.NAME_FIELDS),
        widget=LongSelect,
        label=_("report"),
        help_text="The report's id.",
        error_messages={"invalid_choice": _('No report with id "%(value)s" exists.')},
    )
    report_symbol = RowFilter(
        queryset=Report.objects.all(),
        to_field_name="symbol",
        label=_("report symbol"),
        help_text="The report's symbol (its file name when the text states no symbol).",
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _(
                'No report with symbol "%(value)s" exists; expected the symbol of an '
                "imported report (e.g. E/CN.7/2017/1, or its file name when the text "
                "states no symbol)."
            )
        },
    )
    body = RowFilter(
        queryset=Body.objects.all(),
        to_field_name="code",
        lookup="iexact",
        label=_("body"),
        help_text="Only recommendations addressed to this governing body: its code.",
        error_messages={
            "invalid_choice": _('Unknown body code "%(value)s"; expected one of %(known)s.')
        },
    )
    member_state = RowFilter(
        queryset=MemberState.objects.all(),
        lookup="iexact",
        label=_("member state"),
        help_text="Only this member state's follow-ups count: its ISO3 code.",
        error_messages={
            "invalid_choice": _(
                'Unknown member state "%(value)s"; expected the ISO 3166-1 alpha-3 code '
                "of a UN member state (e.g. KEN)."
            )
        },
    )
    updated_from = _date_filter(
        _("updated from"), "Only follow-ups updated on or after this day (YYYY-MM-DD)."
    )
    updated_to = _date_filter(
        _("updated to"), "Only follow-ups updated on or before this day (YYYY-MM-DD)."
    )

    class Meta:
        model = Recommendation
        fields = ["report", "report_symbol", "body", "member_state", "updated_from", "updated_to"]
        form = CoverageScopeForm

    @classmethod
    def form_class(cls) -> type[CoverageScopeForm]:
        """The form of the scope's fields, for a form that carries the scope along."""
        fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
        return type(f"{cls.__name__}Form", (cls._meta.form,), fields)

    def filter_queryset(self, queryset):
        return queryset

    def scope(self) -> dict:
        """coverage_by_theme's keyword arguments, once `is_valid()`."""
        return self.form.scope()
