"""Staff pages outside the admin: the coverage report."""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html_join
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from recommendations.charts import STATUS_COLOURS, coverage_chart, heat_class, status_chart
from recommendations.choices import Status
from recommendations.filters import CoverageScopeFilter
from recommendations.selectors.coverage import (
    COVERAGE_COLUMNS,
    COVERAGE_HEADINGS,
    coverage_by_theme,
    coverage_rows,
    figure_cells,
    is_neglected,
)
from recommendations.tabular import NUMBER, TEXT, Column, csv_response, xlsx_response


class SessionReportForm(CoverageScopeFilter.form_class()):
    """The session report for the coverage page's scope (carried in hidden fields), with
    the body (required), the date and the language chosen beside the download button."""

    as_of = forms.DateField(
        label=_("as of"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.ChoiceField(
        label=_("language"),
        choices=[
            ("en", pgettext_lazy("language of a text", "English")),
            ("zh", pgettext_lazy("language of a text", "Chinese")),
        ],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "session_%s")
        super().__init__(*args, **kwargs)
        self.fields["body"].required = True
        for name in ("report", "member_state", "updated_from", "updated_to"):
            self.fields[name].widget = forms.HiddenInput()

    def report_arguments(self) -> dict:
        data, scope = self.cleaned_data, self.scope()
        return {
            "body": data["body"],
            "reports": [scope["report"]] if "report" in scope else [],
            "as_of": data["as_of"],
            "language": data["language"],
            "annex_limit": None,
            "updated_from": scope.get("updated_from"),
            "updated_to": scope.get("updated_to"),
            "member_state": scope["member_state"].iso3 if "member_state" in scope else None,
        }


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
    scope_filter = CoverageScopeFilter(request.GET or None)
    scope = scope_filter.scope() if scope_filter.is_valid() else {}
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
            # ~2,000 cells for every member state: written here in one go, not cell by
            # cell by the template engine (a tenth of the page's time).
            "cells_html": format_html_join(
                "",
                '<td class="{}">{}</td>',
                (
                    (heat_class(share), localize(share))
                    for share in (state["themes"][theme["code"]] for theme in result["themes"])
                ),
            ),
            "total_class": heat_class(state["total"]),
        }
        for state in result["states"]
    ]
    query = request.GET.copy()
    query.pop("export", None)
    report_form = SessionReportForm(initial={**scope, "language": "zh" if chinese else "en"})
    context = {
        **admin.site.each_context(request),
        # A wide report: its fifteen columns get the width of the window (the breadcrumbs
        # lead back to the admin).
        "is_nav_sidebar_enabled": False,
        "title": _("Follow-up coverage by theme"),
        "form": scope_filter.form,
        "result": result,
        "rows": [
            {
                **row,
                "name": names[row["code"]],
                "cells": figure_cells(row),
                "neglected": is_neglected(row),
            }
            for row in coverage_rows(result)
        ],
        "headings": COVERAGE_HEADINGS,
        "legend": [(status_labels[status], STATUS_COLOURS[status]) for status in Status.values],
        "themes": [{"code": t["code"], "name": names[t["code"]]} for t in result["themes"]],
        "states": states,
        "coverage_chart": coverage_chart(result["themes"], names),
        "status_chart": status_chart(result["themes"], names, status_labels),
        "query": query.urlencode(),
        "report_form": report_form,
    }
    return render(request, "coverage/report.html", context)


@staff_member_required
@permission_required("recommendations.view_followup", raise_exception=True)
def session_report_download(request):
    """The session report (Word) for the scope, body, date and language asked for."""
    # Imported here: python-docx and lxml are for this download only, not every page.
    from recommendations.services.session_report import (
        DOCX_CONTENT_TYPE,
        session_report_bytes,
        session_report_data,
    )

    form = SessionReportForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    arguments = form.report_arguments()
    response = HttpResponse(
        session_report_bytes(session_report_data(**arguments)), content_type=DOCX_CONTENT_TYPE
    )
    name = f"session-report-{arguments['body'].code}-{arguments['as_of']}-{arguments['language']}"
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    return response
