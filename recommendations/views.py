"""Staff pages outside the admin: the coverage report."""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from recommendations.charts import STATUS_COLOURS, coverage_chart, heat_class, status_chart
from recommendations.choices import Status
from recommendations.models import Body, MemberState, Report
from recommendations.selectors.coverage import COVERAGE_COLUMNS, coverage_by_theme, coverage_rows
from recommendations.tabular import NUMBER, TEXT, Column, csv_response, xlsx_response


class CoverageScopeForm(forms.Form):
    report = forms.ModelChoiceField(
        queryset=Report.objects.order_by("symbol"), required=False, label=_("report")
    )
    body = forms.ModelChoiceField(
        queryset=Body.objects.all(), required=False, label=_("body"), to_field_name="code"
    )
    member_state = forms.ModelChoiceField(
        queryset=MemberState.objects.all(), required=False, label=_("member state")
    )
    updated_from = forms.DateField(
        required=False, label=_("updated from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    updated_to = forms.DateField(
        required=False, label=_("updated to"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("updated_from"), data.get("updated_to")
        if start and end and start > end:
            self.add_error("updated_from", _("The start date is after the end date."))
        return data

    def scope(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value}


def state_columns(themes: list[dict]) -> list[Column]:
    """Columns of the member state × theme table (shares in %)."""
    return [
        Column.item("iso3", kind=TEXT),
        Column.item("name_en", kind=TEXT),
        Column.item("name_zh", kind=TEXT),
        *[
            Column.of(theme["code"], lambda row, code=theme["code"]: row["themes"][code], NUMBER)
            for theme in themes
        ],
        Column.item("total", kind=NUMBER),
        Column.item("overdue", kind=NUMBER),
    ]


@staff_member_required
@permission_required("recommendations.view_followup", raise_exception=True)
def coverage_report(request):
    form = CoverageScopeForm(request.GET or None)
    scope = form.scope() if form.is_valid() else {}
    result = coverage_by_theme(**scope, include_states=True)
    export = request.GET.get("export")
    if export == "csv":
        return csv_response(COVERAGE_COLUMNS, coverage_rows(result), "coverage")
    if export == "states-csv":
        return csv_response(state_columns(result["themes"]), result["states"], "coverage-states")
    if export == "xlsx":
        return xlsx_response(
            [
                ("coverage", COVERAGE_COLUMNS, coverage_rows(result)),
                ("states", state_columns(result["themes"]), result["states"]),
            ],
            "coverage",
        )

    chinese = (get_language() or "").startswith("zh")
    names = {
        row["code"]: row["name_zh"] if chinese else row["name_en"] for row in coverage_rows(result)
    }
    status_labels = dict(Status.choices)
    states = [
        {
            **state,
            "name": state["name_zh"] if chinese else state["name_en"],
            "cells": [
                {
                    "share": state["themes"][theme["code"]],
                    "class": heat_class(state["themes"][theme["code"]]),
                }
                for theme in result["themes"]
            ],
            "total_class": heat_class(state["total"]),
        }
        for state in result["states"]
    ]
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        **admin.site.each_context(request),
        "title": _("Follow-up coverage by theme"),
        "form": form,
        "result": result,
        "rows": [
            {
                **row,
                "name": names[row["code"]],
                "statuses": [row["status_counts"][status] for status in Status.values],
                "neglected": row["recommendations"] > 0 and row["coverage_pct"] == 0,
            }
            for row in coverage_rows(result)
        ],
        "status_labels": [status_labels[status] for status in Status.values],
        "legend": [(status_labels[status], STATUS_COLOURS[status]) for status in Status.values],
        "themes": [{"code": t["code"], "name": names[t["code"]]} for t in result["themes"]],
        "states": states,
        "coverage_chart": coverage_chart(result["themes"], names),
        "status_chart": status_chart(result["themes"], names, status_labels),
        "query": query.urlencode(),
    }
    return render(request, "coverage/report.html", context)
