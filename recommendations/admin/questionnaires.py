"""The questionnaire in the admin: download a member state's workbook, upload it back.

Download: the action "Download questionnaire" on the member states list (one workbook,
or a ZIP of one per state selected) and on the reports list (one report; the state is
chosen on the action's page), with the language, the format and an optional theme.
Permission: view follow-ups.

Upload: staff upload a returned questionnaire on behalf of its state (the workbook says
which). The preview is the service's dry run and writes nothing: rows that would change,
new actions, rows unchanged, problems by sheet, row and column, and conflicts with their
answer beside the current value. Apply writes through the same service, in one
transaction; with conflicts, only the other rows ("skip conflicts"), and the conflicts
can be downloaded as a workbook to settle. Permission: add and change follow-ups, add
actions.

Between the preview and the apply the uploaded bytes wait on the server, kept like the
report import's (imports.UploadStore, SessionBatches: per user and upload, random ids
only the user's session knows, deleted once applied or cancelled, or when stale).
"""

import datetime
import io
import secrets
import time
import zipfile
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ..choices import ActionKind, Response, Status
from ..models import Action, FollowUp, MemberState, Theme
from ..questionnaires.services import (
    WorkbookRefused,
    conflicts_export,
    max_bytes,
    questionnaire_export,
    questionnaire_import,
)
from ..selectors.questionnaires import follow_ups_of, recommendations_by_label
from .common import LANGUAGE_NAMES
from .history import EMPTY, channel_phrase
from .imports import (
    SessionBatches,
    UploadStore,
    max_age,
    megabytes,
    safe_name,
    size_limited,
    sweep_stale_uploads,
)

EXPORT_PERMISSION = "recommendations.view_followup"
UPLOAD_PERMISSIONS = (
    "recommendations.add_followup",
    "recommendations.change_followup",
    "recommendations.add_action",
)
BATCHES = SessionBatches("questionnaire_uploads")
_BATCH = r"(?P<batch>[0-9a-f]{32})"

FORMATS = {
    "xlsx": gettext_lazy("Excel workbook (XLSX)"),
    "csv": gettext_lazy("CSV (UTF-8)"),
}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def can_upload(user) -> bool:
    return user.has_perms(UPLOAD_PERMISSIONS)


def has_questionnaire_permission(model_admin, request) -> bool:
    """The download action's permission (ModelAdmin.has_questionnaire_permission)."""
    return request.user.has_perm(EXPORT_PERMISSION)


def index_links(request) -> list[dict]:
    """The questionnaire's entries on the admin's index, as far as the user may use them."""
    links = []
    if can_upload(request.user):
        links.append(
            {
                "id": "questionnaire-upload",
                "label": _("Upload a returned questionnaire"),
                "url": reverse("admin:recommendations_questionnaire_upload"),
            }
        )
    user = request.user
    if user.has_perm(EXPORT_PERMISSION) and user.has_perm("recommendations.view_memberstate"):
        links.append(
            {
                "id": "questionnaire-download",
                "label": _("Download questionnaires (select member states)"),
                "url": reverse("admin:recommendations_memberstate_changelist"),
            }
        )
    return links


# Download ------------------------------------------------------------------------------


def _page_language() -> str:
    return "zh" if (get_language() or "").startswith("zh") else "en"


class ExportForm(forms.Form):
    required_css_class = "required"

    member_state = forms.ModelChoiceField(
        label=capfirst(MemberState._meta.verbose_name),
        queryset=MemberState.objects.order_by("name_en"),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the questionnaire"),
        choices=[(code, LANGUAGE_NAMES[code]) for code in ("en", "zh")],
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=list(FORMATS.items()), initial="xlsx"
    )
    theme = forms.ModelChoiceField(
        label=capfirst(Theme._meta.verbose_name),
        queryset=Theme.objects.order_by("position", "code"),
        required=False,
        empty_label=gettext_lazy("All themes"),
        help_text=gettext_lazy("Only the recommendations of this theme."),
    )

    def __init__(self, *args, choose_state: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = _page_language()
        if choose_state:  # listed by their names in the page's language
            name = "name_zh" if _page_language() == "zh" else "name_en"
            self.fields["member_state"].queryset = MemberState.objects.order_by(name)
        else:
            del self.fields["member_state"]


def _file_name(state: MemberState, language: str, file_format: str, report=None) -> str:
    scope = f"-{safe_name(report.symbol).replace('/', '_')}" if report is not None else ""
    day = timezone.localdate().isoformat()
    return f"questionnaire-{state.iso3}{scope}-{language}-{day}.{file_format}"


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_response(states, *, language, file_format, theme=None, report=None) -> HttpResponse:
    """One state's questionnaire as the file, several states' as a ZIP of one file each."""
    scope = {
        "language": language,
        "report": report.symbol if report is not None else None,
        "theme": theme.code if theme is not None else None,
    }
    files = [
        (
            _file_name(state, language, file_format, report),
            questionnaire_export(member_state=state, file_format=file_format, **scope),
        )
        for state in states
    ]
    if len(files) == 1:
        name, data = files[0]
        return _download(data, name, CONTENT_TYPES[file_format])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    name = f"questionnaires-{language}-{timezone.localdate().isoformat()}.zip"
    return _download(buffer.getvalue(), name, "application/zip")


def _export_page(model_admin, request, queryset, *, states, report=None):
    """The action's page (language, format, theme; the state for a report), then the file."""
    choose_state = report is not None
    if "questionnaire" in request.POST:
        form = ExportForm(request.POST, choose_state=choose_state)
        if form.is_valid():
            data = form.cleaned_data
            return export_response(
                [data["member_state"]] if choose_state else states,
                language=data["language"],
                file_format=data["file_format"],
                theme=data["theme"],
                report=report,
            )
    else:
        form = ExportForm(choose_state=choose_state)
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Download questionnaire"),
        "opts": opts,
        "form": form,
        "states": states,
        "report": report,
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": request.POST.get("action", ""),
        "several": len(states) > 1,
        "max_megabytes": megabytes(max_bytes()),
    }
    return TemplateResponse(request, "admin/recommendations/questionnaire/export.html", context)


@admin.action(description=gettext_lazy("Download questionnaire"), permissions=["questionnaire"])
def download_questionnaires(model_admin, request, queryset):
    """Member states list: the selected states' questionnaires."""
    return _export_page(model_admin, request, queryset, states=list(queryset.order_by("pk")))


@admin.action(description=gettext_lazy("Download questionnaire"), permissions=["questionnaire"])
def download_report_questionnaire(model_admin, request, queryset):
    """Reports list: one report's questionnaire for a state chosen on the page."""
    reports = list(queryset[:2])
    if len(reports) != 1:
        model_admin.message_user(
            request,
            _("Select one report: its questionnaire is downloaded for one member state."),
            messages.WARNING,
        )
        return None
    return _export_page(model_admin, request, queryset, states=[], report=reports[0])


# What the pages show ---------------------------------------------------------------------


def _choice(choices, code: str) -> str:
    return str(choices(code).label) if code else EMPTY


def _answer(status: str, response: str) -> str:
    return f"{_choice(Status, status)} / {_choice(Response, response)}"


@dataclass
class Shown:
    """The service's rows with their codes as labels in the page's language."""

    result: object

    @property
    def changes(self) -> list[dict]:
        return [
            {
                "row": change.row,
                "recommendation": f"{change.report} {change.label}",
                "status_from": _choice(Status, change.status_from),
                "status_to": _choice(Status, change.status_to),
                "status_changed": change.status_from != change.status_to,
                "response_from": _choice(Response, change.response_from),
                "response_to": _choice(Response, change.response_to),
                "response_changed": change.response_from != change.response_to,
                "created": change.created,
            }
            for change in self.result.changes
        ]

    @property
    def actions(self) -> list[dict]:
        return [
            {
                "row": action.row,
                "recommendation": f"{action.report} {action.label}",
                "date": action.date,
                "kind": _choice(ActionKind, action.kind),
                "description": action.description,
                "evidence_url": action.evidence_url,
                "already_recorded": action.already_recorded,
            }
            for action in self.result.actions
        ]

    @property
    def conflicts(self) -> list[dict]:
        return [
            {
                "row": conflict.row,
                "recommendation": f"{conflict.report} {conflict.label}",
                "theirs": _answer(conflict.their_status, conflict.their_response),
                "current": _answer(conflict.current_status, conflict.current_response)
                if conflict.current_version is not None
                else _("no follow-up (deleted since the export)"),
                "versions": _("version %(exported)s in the workbook, %(current)s now")
                % {
                    "exported": conflict.exported_version or EMPTY,
                    "current": conflict.current_version or EMPTY,
                },
                "changed_by": conflict.changed_by or EMPTY,
                "changed_at": conflict.changed_at,
                "changed_via": channel_phrase(conflict.changed_via)
                if conflict.changed_via
                else EMPTY,
            }
            for conflict in self.result.conflicts
        ]

    @property
    def problems(self) -> list[dict]:
        return [
            {
                "sheet": problem.sheet,
                "row": problem.row if problem.row is not None else EMPTY,
                "column": problem.column or EMPTY,
                "message": problem.message,
            }
            for problem in self.result.problems
        ]


def column_titles() -> dict:
    """The pages' column titles: the fields' own names (one translation for both)."""
    fields = {
        "recommendation": FollowUp,
        "member_state": FollowUp,
        "status": FollowUp,
        "response": FollowUp,
        "date": Action,
        "kind": Action,
        "description": Action,
        "evidence_url": Action,
    }
    return {
        name: capfirst(model._meta.get_field(name).verbose_name) for name, model in fields.items()
    }


def _exported_at(text: str):
    moment = parse_datetime(text or "")
    return moment if moment is not None else text


def _state_name(iso3: str) -> str:
    state = MemberState.objects.filter(iso3=iso3).first()
    return state.name if state is not None else iso3


def _written(result, state: MemberState) -> dict:
    """What an applied import wrote, for the result page: codes and follow-up ids."""
    keys = {(row.report, row.label) for row in [*result.changes, *result.actions]}
    recommendations = recommendations_by_label(keys)
    follow_ups = follow_ups_of(state, [row.pk for row in recommendations.values()])

    def follow_up_id(report, label):
        recommendation = recommendations.get((report, label))
        follow_up = follow_ups.get(recommendation.pk) if recommendation else None
        return follow_up.pk if follow_up else None

    return {
        "changes": [
            {
                "recommendation": f"{change.report} {change.label}",
                "follow_up": follow_up_id(change.report, change.label),
                "status_from": change.status_from,
                "status_to": change.status_to,
                "response_from": change.response_from,
                "response_to": change.response_to,
                "created": change.created,
            }
            for change in result.changes
        ],
        "actions": [
            {
                "recommendation": f"{action.report} {action.label}",
                "follow_up": follow_up_id(action.report, action.label),
                "date": action.date.isoformat(),
                "kind": action.kind,
            }
            for action in result.actions
            if not action.already_recorded
        ],
        "already_recorded": sum(action.already_recorded for action in result.actions),
        "unchanged": len(result.unchanged),
        "conflicts": len(result.conflicts),
    }


# Upload, preview, apply ------------------------------------------------------------------


class UploadForm(forms.Form):
    required_css_class = "required"

    file = forms.FileField(
        label=gettext_lazy("Returned questionnaire"),
        required=False,  # checked in the view, once the size limit has had its say
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class QuestionnaireViews:
    """The upload pages, mounted by MemberStateAdmin.get_urls under
    /admin/recommendations/memberstate/questionnaire/."""

    NAME = "recommendations_questionnaire"

    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin
        self.opts = model_admin.model._meta

    def urls(self):
        routes = [
            # CSRF is checked inside, once the size limit is in place.
            ("", "upload", csrf_exempt(self.upload_view)),
            (f"{_BATCH}/", "preview", self.preview_view),
            (f"{_BATCH}/conflicts/", "conflicts", self.conflicts_view),
            (f"{_BATCH}/result/", "result", self.result_view),
            (f"{_BATCH}/cancel/", "cancel", self.cancel_view),
        ]
        view = self.model_admin.admin_site.admin_view
        return [
            re_path(rf"^questionnaire/{pattern}$", view(function), name=f"{self.NAME}_{which}")
            for pattern, which, function in routes
        ]

    # Helpers

    def _check(self, request) -> None:
        if not can_upload(request.user):
            raise PermissionDenied
        sweep_stale_uploads()

    def _url(self, which: str, key: str | None = None) -> str:
        return reverse(f"admin:{self.NAME}_{which}", args=[key] if key else [])

    def _context(self, request, title: str, **extra) -> dict:
        return {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "upload_url": self._url("upload"),
            "max_megabytes": megabytes(max_bytes()),
            "titles": column_titles(),
            **extra,
        }

    def _record(self, request, key: str) -> dict:
        record = BATCHES.all(request).get(key)
        if record is None:
            raise Http404(_("No such upload: it was applied, cancelled or is too old."))
        return record

    def _run(self, request, key: str, record: dict, **options):
        """The service on the stored file; None when the file is gone (too old)."""
        path = UploadStore(request.user.pk).path(key, record["file"])
        if not path.is_file():
            return None
        return questionnaire_import(
            data=path.read_bytes(), name=record["file"]["name"], user=request.user, **options
        )

    def _gone(self, request, key: str):
        self._forget(request, key)
        messages.error(
            request,
            _(
                "The uploaded file is no longer on the server (uploads are kept for %(hours)d "
                "hours): upload it again."
            )
            % {"hours": max(1, max_age() // 3600)},
        )
        return redirect(self._url("upload"))

    def _forget(self, request, key: str) -> None:
        UploadStore(request.user.pk).delete_batch(key)
        BATCHES.drop(request, key)

    # Upload

    def upload_view(self, request):
        self._check(request)
        return size_limited(request, max_bytes(), self._upload)

    def _upload(self, request, limiter):
        refused = ""
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            upload = request.FILES.get("file")
            too_large = any(large for _name, large in (limiter.arrived if limiter else []))
            if form.is_valid():
                if too_large:
                    form.add_error(
                        "file",
                        _("Larger than the limit of %(limit)s MB: not read.")
                        % {"limit": megabytes(max_bytes())},
                    )
                elif upload is None:
                    form.add_error("file", _("Choose the returned questionnaire (XLSX or CSV)."))
                else:
                    name = safe_name(upload.name)
                    try:
                        questionnaire_import(
                            data=upload.read(), name=name, user=request.user, dry_run=True
                        )
                    except WorkbookRefused as error:
                        refused = str(error)
                    else:
                        return redirect(self._url("preview", self._store(request, upload, name)))
        else:
            form = UploadForm()
        context = self._context(
            request, _("Upload a returned questionnaire"), form=form, refused=refused
        )
        return TemplateResponse(request, "admin/recommendations/questionnaire/upload.html", context)

    def _store(self, request, upload, name: str) -> str:
        key = secrets.token_hex(16)
        entry = {"id": secrets.token_hex(8), "name": name}
        UploadStore(request.user.pk).save(key, entry, upload)
        BATCHES.save(request, key, {"user": request.user.pk, "created": time.time(), "file": entry})
        return key

    # Preview and apply

    def preview_view(self, request, batch):
        self._check(request)
        record = self._record(request, batch)
        if record.get("outcome"):
            return redirect(self._url("result", batch))  # applied already
        if request.method == "POST":
            return self._apply(request, batch, record)
        try:
            result = self._run(request, batch, record, dry_run=True)
        except WorkbookRefused as error:  # e.g. its state deleted meanwhile
            self._forget(request, batch)
            messages.error(request, str(error))
            return redirect(self._url("upload"))
        if result is None:
            return self._gone(request, batch)
        shown = Shown(result)
        context = self._context(
            request,
            _("Preview of the questionnaire"),
            result=result,
            shown=shown,
            state_name=_state_name(result.state),
            language_name=LANGUAGE_NAMES.get(result.language, result.language),
            exported_at=_exported_at(result.exported_at),
            new_actions=sum(not action.already_recorded for action in result.actions),
            apply_url=self._url("preview", batch),
            conflicts_url=self._url("conflicts", batch),
            cancel_url=self._url("cancel", batch),
        )
        return TemplateResponse(
            request, "admin/recommendations/questionnaire/preview.html", context
        )

    def _apply(self, request, batch: str, record: dict):
        skip_conflicts = request.POST.get("apply") == "others"
        try:
            result = self._run(request, batch, record, dry_run=False, skip_conflicts=skip_conflicts)
        except WorkbookRefused as error:
            self._forget(request, batch)
            messages.error(request, str(error))
            return redirect(self._url("upload"))
        if result is None:
            return self._gone(request, batch)
        if not result.applied:
            # The file or the data changed since the preview: show it again.
            if result.problems:
                why = _("Nothing was written: the file has problems.")
            else:
                why = _(
                    "Nothing was written: some rows conflict with changes made since the export."
                )
            messages.error(request, why)
            return redirect(self._url("preview", batch))
        state = MemberState.objects.get(iso3=result.state)
        record["outcome"] = {
            "state": result.state,
            "name": result.name,
            **_written(result, state),
        }
        UploadStore(request.user.pk).delete_batch(batch)
        BATCHES.save(request, batch, record)
        return redirect(self._url("result", batch))

    def conflicts_view(self, request, batch):
        """The conflicting rows as a new workbook, with the current values and the state's
        earlier answer side by side, to settle and upload again."""
        self._check(request)
        record = self._record(request, batch)
        try:
            result = self._run(request, batch, record, dry_run=True)
        except WorkbookRefused as error:
            messages.error(request, str(error))
            return redirect(self._url("upload"))
        if result is None:
            return self._gone(request, batch)
        if not result.conflicts:
            messages.info(request, _("This questionnaire has no conflicts (any more)."))
            return redirect(self._url("preview", batch))
        state = MemberState.objects.get(iso3=result.state)
        data = conflicts_export(result, member_state=state)
        day = timezone.localdate().isoformat()
        extension = result.file_format
        name = f"questionnaire-{state.iso3}-conflicts-{result.language}-{day}.{extension}"
        return _download(data, name, CONTENT_TYPES[extension])

    # Result and cancel

    def result_view(self, request, batch):
        self._check(request)
        record = self._record(request, batch)
        outcome = record.get("outcome")
        if not outcome:
            return redirect(self._url("preview", batch))

        def follow_up_url(pk):
            return reverse("admin:recommendations_followup_change", args=[pk]) if pk else ""

        changes = [
            {
                **row,
                "url": follow_up_url(row["follow_up"]),
                "status_changed": row["status_from"] != row["status_to"],
                "response_changed": row["response_from"] != row["response_to"],
                "status_from": _choice(Status, row["status_from"]),
                "status_to": _choice(Status, row["status_to"]),
                "response_from": _choice(Response, row["response_from"]),
                "response_to": _choice(Response, row["response_to"]),
            }
            for row in outcome["changes"]
        ]
        actions = [
            {
                **row,
                "url": follow_up_url(row["follow_up"]),
                "date": datetime.date.fromisoformat(row["date"]),
                "kind": _choice(ActionKind, row["kind"]),
            }
            for row in outcome["actions"]
        ]
        follow_ups = reverse("admin:recommendations_followup_changelist")
        context = self._context(
            request,
            _("Questionnaire applied"),
            outcome=outcome,
            state_name=_state_name(outcome["state"]),
            changes=changes,
            actions=actions,
            state_follow_ups_url=f"{follow_ups}?member_state__iso3__exact={outcome['state']}",
        )
        return TemplateResponse(request, "admin/recommendations/questionnaire/result.html", context)

    def cancel_view(self, request, batch):
        self._check(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._record(request, batch)
        self._forget(request, batch)
        messages.info(request, _("The uploaded questionnaire was deleted; nothing was written."))
        return redirect(self._url("upload"))
