"""The admin's "Import reports" page: upload, preview (a dry run), import, result.

Staff with the permission recommendations.import_report upload one or several report
files. The preview runs the import service's dry run on each file and writes nothing;
the user then confirms and each file goes through the same service as the commands
(one transaction per report), one request per file when the page's script runs, all in
one request without it.

Between the preview and the import the uploaded bytes stay on the server, never in the
browser: under IMPORT_UPLOAD_DIR (default var/import-uploads), one directory per user,
per upload (batch) and per file, named by random ids that only the user's session
knows. Each file is deleted once imported, a batch when its result is shown or it is
cancelled, and anything older than IMPORT_UPLOAD_MAX_AGE (default 6 hours) whenever
someone opens the page.
"""

import logging
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import re_path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from ..models import Recommendation, Report, Theme
from ..selectors import themes as theme_selectors
from ..services import imports

logger = logging.getLogger(__name__)

PERMISSION = "recommendations.import_report"
SESSION_KEY = "report_imports"

CONFIRM_FLAGS = ("allow_withdraw", "allow_unmatched")

_BATCH = r"(?P<batch>[0-9a-f]{32})"
_FILE = r"(?P<file>[0-9a-f]{16})"

FORMATS = {
    "pdf": gettext_lazy("PDF"),
    "pdf-text": gettext_lazy("text extracted from PDF"),
    "markdown": gettext_lazy("Markdown"),
}
LANGUAGES = {
    "en": pgettext_lazy("language of a text", "English"),
    "zh": pgettext_lazy("language of a text", "Chinese"),
}
KINDS = {
    "added": gettext_lazy("new"),
    "changed": gettext_lazy("text changed"),
    "unchanged": gettext_lazy("unchanged"),
    "withdrawn": gettext_lazy("withdrawn"),
    "restored": gettext_lazy("back (was withdrawn)"),
}


def max_upload_bytes() -> int:
    return imports.MAX_UPLOAD_BYTES


def megabytes(size: int) -> str:
    """A size in MB (2**20 bytes): "50", "2.5", "0.01"."""
    return f"{round(size / 2**20, 2):g}"


def upload_root() -> Path:
    return Path(settings.IMPORT_UPLOAD_DIR)


def max_age() -> int:
    return settings.IMPORT_UPLOAD_MAX_AGE


# Storage of the uploaded bytes -----------------------------------------------------------


def safe_name(name: str) -> str:
    """The file name to keep (and to give the service: it names reports without a symbol):
    the last path component, printable characters only, at most 200 characters and 240
    bytes. Never a path: the directories around it are the server's own."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if name in {"", ".", ".."}:
        name = "report"
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, dot, ext = name, "", ""
    while len(stem) > 1 and (
        len(stem + dot + ext) > 200 or len((stem + dot + ext).encode("utf-8")) > 240
    ):
        stem = stem[:-1]
    return stem + dot + ext


class UploadStore:
    """The uploaded files of one user: ROOT/<user id>/<batch>/<file>/<name>."""

    def __init__(self, user_id: int) -> None:
        self.root = upload_root() / str(int(user_id))

    def path(self, batch: str, entry: dict) -> Path:
        return self.root / batch / entry["id"] / entry["name"]

    def save(self, batch: str, entry: dict, upload) -> None:
        path = self.path(batch, entry)
        path.parent.mkdir(mode=0o700, parents=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)

    def delete_file(self, batch: str, entry: dict) -> None:
        shutil.rmtree(self.root / batch / entry["id"], ignore_errors=True)

    def delete_batch(self, batch: str) -> None:
        shutil.rmtree(self.root / batch, ignore_errors=True)


def sweep_stale_uploads(now: float | None = None) -> None:
    """Delete every user's upload batches older than the maximum age."""
    limit = (now or time.time()) - max_age()
    root = upload_root()
    if not root.is_dir():
        return
    for user_dir in root.iterdir():
        if not user_dir.is_dir() or user_dir.is_symlink():
            continue
        for batch_dir in user_dir.iterdir():
            try:
                stale = batch_dir.lstat().st_mtime < limit
            except OSError:
                continue
            if stale:
                shutil.rmtree(batch_dir, ignore_errors=True)


class SizeLimitUploadHandler(FileUploadHandler):
    """First of the upload handlers: stops receiving a file once it exceeds the limit
    (the rest of it is read and dropped, never stored) and remembers the files in the
    order they came, with those that were too large."""

    def __init__(self, request, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.arrived: list[tuple[str, bool]] = []  # (name, too large)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.arrived.append((self.file_name, False))

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.arrived[-1] = (self.file_name, True)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def size_limited(request, limit: int, view):
    """`view(request, limiter)` for an upload view mounted csrf_exempt: the size limit goes
    in before anything reads the body (a file over the limit is never stored), then CSRF
    is checked as usual."""
    limiter = None
    if request.method == "POST":
        limiter = SizeLimitUploadHandler(request, limit)
        request.upload_handlers.insert(0, limiter)
    return csrf_protect(view)(request, limiter)


# The session's record of the batches -----------------------------------------------------


class SessionBatches:
    """The user's upload batches as their session records them, under one session key per
    page (the report import's, the questionnaire upload's): a batch is found only in the
    session of the user who uploaded it, and not after IMPORT_UPLOAD_MAX_AGE."""

    def __init__(self, session_key: str) -> None:
        self.session_key = session_key

    def all(self, request) -> dict:
        """The user's batches in the session, the stale ones dropped."""
        batches = request.session.get(self.session_key, {})
        limit = time.time() - max_age()
        fresh = {
            key: batch
            for key, batch in batches.items()
            if batch.get("created", 0) >= limit and batch.get("user") == request.user.pk
        }
        if fresh != batches:
            request.session[self.session_key] = fresh
        return fresh

    def save(self, request, key: str, batch: dict) -> None:
        batches = dict(request.session.get(self.session_key, {}))
        batches[key] = batch
        request.session[self.session_key] = batches
        request.session.modified = True

    def drop(self, request, key: str) -> None:
        batches = dict(request.session.get(self.session_key, {}))
        batches.pop(key, None)
        request.session[self.session_key] = batches


REPORT_BATCHES = SessionBatches(SESSION_KEY)


# Reading the service's answers -----------------------------------------------------------


def needs_confirmation(exc: imports.ImportFailed) -> bool:
    return isinstance(exc, imports.ConfirmationNeeded)


def clean_reason(reason: str) -> str:
    """The service's reason without the command-line advice."""
    reason = re.sub(r";?\s*re-run with --allow-[\w-]+ to confirm\.?", "", reason)
    return reason.strip()


# The service's and the parser's reasons are English sentences for the command line; the
# page shows the known ones in the user's language (any other as it is).
REASONS = [
    (r"the file is empty", gettext_lazy("the file is empty")),
    (
        r"binary data \(NUL byte\): expected a text file in UTF-8, UTF-16 or GB18030",
        gettext_lazy("binary data (NUL byte): expected a text file in UTF-8, UTF-16 or GB18030"),
    ),
    (
        r"binary data: expected a text file in UTF-8, UTF-16 or GB18030",
        gettext_lazy("binary data: expected a text file in UTF-8, UTF-16 or GB18030"),
    ),
    (
        r"not a readable PDF, damaged or incomplete \((?P<detail>[^)]*)\)",
        gettext_lazy("not a readable PDF, damaged or incomplete (%(detail)s)"),
    ),
    (
        r"the PDF is password-protected: save it without a password",
        gettext_lazy("the PDF is password-protected: save it without a password"),
    ),
    (
        r"the PDF has no text layer \(a scanned document\?\): text recognition \(OCR\) is not "
        r"supported; import a PDF with text",
        gettext_lazy(
            "the PDF has no text layer (a scanned document?): text recognition (OCR) is not "
            "supported; import a PDF with text"
        ),
    ),
    (
        r"no text in a supported language \(Chinese or English\) found: expected the text of "
        r"a UN report",
        gettext_lazy(
            "no text in a supported language (Chinese or English) found: expected the text "
            "of a UN report"
        ),
    ),
    (
        r"no numbered paragraphs \('1\.', '2\.' …\) found: this does not look like a UN report",
        gettext_lazy(
            "no numbered paragraphs ('1.', '2.' …) found: this does not look like a UN report"
        ),
    ),
    (
        r"would withdraw (?P<withdrawing>\d+) of (?P<active>\d+) active recommendations "
        r"\(more than half\): the file may be truncated or another report",
        gettext_lazy(
            "would withdraw %(withdrawing)s of %(active)s active recommendations (more than "
            "half): the file may be truncated or another report"
        ),
    ),
    (r"line (?P<line>\d+): (?P<rest>.+)", gettext_lazy("line %(line)s: %(rest)s")),
]


def localized_reason(reason: str) -> str:
    """A reason from the service in the active language when it is a known one."""
    unmatched = re.fullmatch(r"(?P<count>\d+) labels? unmatched: (?P<listed>.+)", reason)
    if unmatched:
        listed = []
        for part in unmatched["listed"].split(", "):
            label, _space, kind = part.rpartition(" ")
            if kind == "missing":
                listed.append(_("%(label)s missing") % {"label": label})
            elif kind == "extra":
                listed.append(_("%(label)s extra") % {"label": label})
            else:
                return reason
        return _("%(count)s labels unmatched: %(listed)s") % {
            "count": unmatched["count"],
            "listed": "; ".join(listed),
        }
    for pattern, template in REASONS:
        match = re.fullmatch(pattern, reason, flags=re.DOTALL)
        if match:
            values = match.groupdict()
            if "rest" in values:
                values["rest"] = localized_reason(values["rest"])
            return str(template) % values if values else str(template)
    return reason


def confirmation_reasons(exc: imports.ImportFailed) -> list[str]:
    return [clean_reason(str(reason)) for reason in exc.reasons]


def confirmation_flags(exc: imports.ImportFailed) -> list[str]:
    """The keyword arguments of the service that confirm what it asked about."""
    return [flag for flag in exc.confirm if flag in CONFIRM_FLAGS]


def run_import(*, path: Path, name: str, dry_run: bool, allow=(), taxonomy) -> imports.ImportResult:
    """One file through the import service (the same as the commands use); `allow`:
    the confirmations given (allow_withdraw, allow_unmatched)."""
    flags = {flag: True for flag in allow if flag in CONFIRM_FLAGS}
    return imports.report_import_upload(
        data=path.read_bytes(), name=name, dry_run=dry_run, taxonomy=taxonomy, **flags
    )


# Preview ---------------------------------------------------------------------------------


@dataclass
class Item:
    label: str
    kind: str  # added, changed, unchanged, withdrawn, restored
    text: str
    old_text: str = ""
    themes: list[str] = field(default_factory=list)
    language: str = "en"
    fields: tuple[str, ...] = ()  # what the import changes (the service says, when it can)

    @property
    def text_changed(self) -> bool:
        return self.kind == "changed" and bool(self.old_text) and self.old_text != self.text

    @property
    def kind_label(self) -> str:
        if self.kind == "changed" and not self.text_changed and self.fields:
            names = []
            shown = [name for name in self.fields if name != "source_line"] or self.fields
            for name in shown:
                try:
                    names.append(str(Recommendation._meta.get_field(name).verbose_name))
                except FieldDoesNotExist:
                    names.append(name)
            return _("updated: %(fields)s") % {"fields": ", ".join(names)}
        return str(KINDS.get(self.kind, self.kind))

    @property
    def beginning(self) -> str:
        if self.language == "zh":
            return Truncator(self.text).chars(80)
        return Truncator(self.text).words(25)

    @cached_property
    def diff(self) -> tuple[str, str]:
        """(old, new) as HTML with the differences marked."""
        return text_diff(self.old_text, self.text)


@dataclass
class FilePreview:
    entry: dict
    failure: dict | None = None  # why the file cannot be imported (see failure_text)
    result: imports.ImportResult | None = None
    confirm: bool = False
    reasons: list[str] = field(default_factory=list)
    confirm_flags: list[str] = field(default_factory=list)
    format: str = ""
    language: str = ""
    title: str = ""
    symbol_from_name: bool = False
    known: bool = False
    items: list[Item] = field(default_factory=list)
    theme_counts: list[tuple[str, int]] = field(default_factory=list)
    version_labels: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.entry["id"]

    @property
    def name(self) -> str:
        return self.entry["name"]

    @property
    def shown_reasons(self) -> list[str]:
        return [localized_reason(reason) for reason in self.reasons]

    @property
    def error(self) -> str:
        return failure_text(self.failure) if self.failure else ""

    @property
    def state(self) -> str:
        if self.failure:
            return "failed"
        return "confirm" if self.confirm else "ready"

    @property
    def recommendations(self) -> list[Item]:
        return [item for item in self.items if item.kind != "withdrawn"]

    @property
    def changed(self) -> list[Item]:
        return [item for item in self.items if item.text_changed]

    @property
    def added(self) -> list[Item]:
        return [item for item in self.items if item.kind in {"added", "restored"}]

    @property
    def withdrawn(self) -> list[Item]:
        return [item for item in self.items if item.kind == "withdrawn"]

    @property
    def summary(self) -> str:
        return result_summary(self.result) if self.result else ""

    @property
    def section(self) -> str:
        return section_text(self.result)


_TOKEN = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+|\s+|.", re.DOTALL)


def text_diff(old: str, new: str) -> tuple[str, str]:
    """Old and new text as HTML, what was removed in <del>, what was added in <ins>:
    words for alphabetic scripts, characters for Chinese."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    old_parts, new_parts = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if tag == "equal":
            old_parts.append(removed)
            new_parts.append(added)
            continue
        if removed:
            old_parts.append(f"<del>{removed}</del>")
        if added:
            new_parts.append(f"<ins>{added}</ins>")
    return mark_safe("".join(old_parts)), mark_safe("".join(new_parts))  # noqa: S308 (escaped)


def result_summary(result: imports.ImportResult) -> str:
    counts = {
        "symbol": result.symbol,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "withdrawn": result.withdrawn,
    }
    version = version_data(result)
    if version is not None:
        return version_text(result.symbol, result.outcome, version, _counts(result))
    if result.same_content_as is not None:
        return _(
            "Same content as report %(symbol)s (imported from %(source)s, %(unchanged)d "
            "recommendations): nothing to write."
        ) % {**counts, "source": result.same_content_as}
    if result.outcome == "unchanged":
        return (
            _("Report %(symbol)s is unchanged (%(unchanged)d recommendations): nothing to write.")
            % counts
        )
    if result.outcome == "created":
        return _("New report %(symbol)s: %(created)d recommendations.") % counts
    return (
        _(
            "Known report %(symbol)s: %(created)d recommendations added, %(updated)d updated, "
            "%(unchanged)d unchanged, %(withdrawn)d withdrawn."
        )
        % counts
    )


def version_data(result: imports.ImportResult) -> dict | None:
    """A language version's match (ImportResult.version) as plain data, or None."""
    version = result.version
    if version is None:
        return None
    return {
        "language": version.language,
        "original_language": version.original_language,
        "matched": version.matched,
        "total": version.total,
        "extra_labels": list(version.extra_labels),
        "missing_labels": list(version.missing_labels),
    }


def version_text(symbol: str, outcome: str, version: dict, counts: dict) -> str:
    """What importing a language version does ("A/80/188 (original in English): adds the
    Chinese text to 64 of 66 recommendations. 2 labels unmatched.")."""
    values = {
        **counts,
        "symbol": symbol,
        "original": LANGUAGES.get(version["original_language"], version["original_language"]),
        "language": LANGUAGES.get(version["language"], version["language"]),
        "matched": version["matched"],
        "total": version["total"],
    }
    if outcome == "unchanged":
        text = _(
            "Language version of %(symbol)s (original in %(original)s): the %(language)s text "
            "of %(matched)d of %(total)d recommendations is unchanged; nothing to write."
        )
    elif outcome == "updated":
        text = _(
            "Language version of %(symbol)s (original in %(original)s): updates the "
            "%(language)s text of %(matched)d of %(total)d recommendations (%(updated)d "
            "changed, %(created)d added, %(unchanged)d unchanged)."
        )
    else:
        text = _(
            "Language version of %(symbol)s (original in %(original)s): adds the %(language)s "
            "text to %(matched)d of %(total)d recommendations."
        )
    text %= values
    unmatched = len(version["extra_labels"]) + len(version["missing_labels"])
    if unmatched:
        text += " " + _("%(count)d labels unmatched.") % {"count": unmatched}
    return text


def _counts(source) -> dict:
    get = source.get if isinstance(source, dict) else lambda name: getattr(source, name)
    return {name: get(name) for name in ("created", "updated", "unchanged", "withdrawn")}


def section_text(result: imports.ImportResult | None) -> str:
    if result is None or result.version is not None:
        return ""
    if result.notes and result.active == 0:
        return _("No recommendations (%(reason)s): the report is imported with none.") % {
            "reason": "; ".join(result.notes)
        }
    if result.section_title is None:
        return _("No recommendations section found: the report is imported with none.")
    if result.active == 0:
        return _(
            "«%(section)s» holds no recommendations (conclusions only): the report is "
            "imported with none."
        ) % {"section": result.section_title}
    return f"«{result.section_title}»"


class Previewer:
    """Builds each file's preview from the service's dry run."""

    def __init__(self) -> None:
        self.taxonomy = theme_selectors.taxonomy()
        self.theme_names = {theme.code: theme.name for theme in Theme.objects.all()}

    def preview(self, path: Path, entry: dict) -> FilePreview:
        preview = FilePreview(entry=entry)
        if entry.get("error"):
            preview.failure = entry["error"]
            return preview
        if not path.is_file():
            preview.failure = {"code": "expired"}
            return preview
        try:
            preview.result = self._dry_run(path, entry)
        except imports.ImportFailed as exc:
            if not needs_confirmation(exc):
                preview.failure = {"code": "service", "reason": exc.reason}
                return preview
            preview.confirm = True
            preview.reasons = confirmation_reasons(exc)
            preview.confirm_flags = confirmation_flags(exc)
            preview.result = exc.result
        except Exception:  # a bug or a database failure: say so, the others go on
            logger.exception("preview of an uploaded report failed")
            preview.failure = {"code": "unexpected"}
            return preview
        self._describe(preview, path)
        return preview

    def _dry_run(self, path: Path, entry: dict, *, allow=()) -> imports.ImportResult:
        return run_import(
            path=path, name=entry["name"], dry_run=True, allow=allow, taxonomy=self.taxonomy
        )

    def _themes(self, codes) -> list[str]:
        names = []
        for code in codes:
            names.append(str(self.theme_names.get(code, code)))
        return names

    def _describe(self, preview: FilePreview, path: Path) -> None:
        result = preview.result
        language = result.language
        preview.language = str(LANGUAGES.get(language, language))
        preview.format = str(FORMATS.get(result.source_format, result.source_format))
        preview.title = result.title
        preview.symbol_from_name = result.symbol == preview.name
        preview.known = result.outcome != "created"
        preview.theme_counts = [
            (str(self.theme_names.get(code, code)), count)
            for code, count in result.theme_counts.items()
        ]
        version = version_data(result)
        if version is not None:
            extra, missing = version["extra_labels"], version["missing_labels"]
            if extra:
                preview.version_labels.append(
                    _("Labels only in this file: %(labels)s") % {"labels": ", ".join(extra)}
                )
            if missing:
                preview.version_labels.append(
                    _("Labels not found in this file: %(labels)s") % {"labels": ", ".join(missing)}
                )
        preview.items = [
            Item(
                label=change.label,
                kind=change.kind,
                text=change.text or "",
                old_text=change.old_text or "",
                themes=self._themes(change.themes),
                language=language,
                fields=change.fields,
            )
            for change in result.changes
        ]


def failure_text(error: dict) -> str:
    code = error.get("code")
    if code == "too_large":
        return _("Larger than the limit of %(limit)s MB per file: not read.") % {
            "limit": megabytes(max_upload_bytes())
        }
    if code == "expired":
        return _(
            "The uploaded file is no longer on the server (uploads are kept for %(hours)d "
            "hours): upload it again."
        ) % {"hours": max(1, max_age() // 3600)}
    if code == "unexpected":
        return _("Unexpected error: nothing was written for this file. The error is logged.")
    if code == "confirm":
        return _("Not imported: it needs your confirmation (%(reason)s).") % {
            "reason": "; ".join(localized_reason(r) for r in error.get("reasons", []))
            or error.get("reason", "")
        }
    return localized_reason(error.get("reason", ""))


# Import ----------------------------------------------------------------------------------


def outcome_of(result: imports.ImportResult) -> dict:
    report = Report.objects.filter(symbol=result.symbol).values_list("pk", flat=True).first()
    return {
        "state": "unchanged" if result.outcome == "unchanged" else "imported",
        "outcome": result.outcome,
        "symbol": result.symbol,
        "report": report,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "withdrawn": result.withdrawn,
        "same_content_as": result.same_content_as,
        "version": version_data(result),
    }


def outcome_text(outcome: dict) -> str:
    if outcome["state"] == "failed":
        return _("Not imported: %(reason)s") % {"reason": failure_text(outcome["error"])}
    if outcome.get("version"):
        return version_text(outcome["symbol"], outcome["outcome"], outcome["version"], outcome)
    if outcome.get("same_content_as"):
        return _(
            "Same content as report %(symbol)s (imported from %(source)s): nothing written."
        ) % {"symbol": outcome["symbol"], "source": outcome["same_content_as"]}
    if outcome["state"] == "unchanged":
        return (
            _("Report %(symbol)s unchanged (%(unchanged)d recommendations): nothing written.")
            % outcome
        )
    if outcome["outcome"] == "created":
        return _("New report %(symbol)s: %(created)d recommendations imported.") % outcome
    return (
        _(
            "Report %(symbol)s updated: %(created)d recommendations added, %(updated)d updated, "
            "%(unchanged)d unchanged, %(withdrawn)d withdrawn."
        )
        % outcome
    )


def recommendations_url(outcome: dict) -> str:
    if not outcome.get("report"):
        return ""
    url = reverse("admin:recommendations_recommendation_changelist")
    return f"{url}?report__id__exact={outcome['report']}"


# Forms -----------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """The files chosen, as they came: each is checked on its own (by the size limit and
    the import service), so that one bad file does not refuse the others."""

    def clean(self, data, initial=None):
        return [file for file in (data or []) if file]


class UploadForm(forms.Form):
    required_css_class = "required"

    files = MultipleFileField(
        label=gettext_lazy("Report files"),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.txt,.md,.markdown,.text"}),
    )


# Views -----------------------------------------------------------------------------------


class ReportImportViews:
    """The views of the "Import reports" page, mounted by ReportAdmin.get_urls."""

    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin
        self.opts = model_admin.model._meta

    def urls(self):
        site = self.model_admin.admin_site
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        return [
            # CSRF is checked inside, once the size limit is in place.
            re_path(r"^import/$", site.admin_view(csrf_exempt(self.upload_view)), name=name),
            re_path(
                rf"^import/{_BATCH}/$", site.admin_view(self.preview_view), name=f"{name}_preview"
            ),
            re_path(
                rf"^import/{_BATCH}/files/{_FILE}/$",
                site.admin_view(self.file_view),
                name=f"{name}_file",
            ),
            re_path(
                rf"^import/{_BATCH}/result/$",
                site.admin_view(self.result_view),
                name=f"{name}_result",
            ),
            re_path(
                rf"^import/{_BATCH}/cancel/$",
                site.admin_view(self.cancel_view),
                name=f"{name}_cancel",
            ),
        ]

    # Helpers

    def _check(self, request) -> None:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        sweep_stale_uploads()

    def _context(self, request, title: str, **extra) -> dict:
        return {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "max_megabytes": megabytes(max_upload_bytes()),
            "import_url": reverse("admin:recommendations_report_import"),
            **extra,
        }

    def _batch(self, request, key: str) -> dict:
        batch = REPORT_BATCHES.all(request).get(key)
        if batch is None:
            raise Http404(_("No such upload: it was imported, cancelled or is too old."))
        return batch

    def _url(self, which: str, key: str) -> str:
        return reverse(f"admin:recommendations_report_import_{which}", args=[key])

    # Upload

    def upload_view(self, request):
        self._check(request)
        return size_limited(request, max_upload_bytes(), self._upload)

    def _upload(self, request, limiter):
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            uploads = request.FILES.getlist("files")
            arrived = limiter.arrived if limiter else []
            if form.is_valid() and (uploads or arrived):
                key = self._store(request, uploads, arrived)
                return redirect(self._url("preview", key))
            form.add_error("files", _("Choose one or more report files."))
        else:
            form = UploadForm()
        context = self._context(request, _("Import reports"), form=form)
        return TemplateResponse(request, "admin/recommendations/report/import.html", context)

    def _store(self, request, uploads, arrived) -> str:
        key = secrets.token_hex(16)
        store = UploadStore(request.user.pk)
        limit = max_upload_bytes()
        received = list(uploads)
        files = []
        # In the order they came; those over the limit were dropped while arriving.
        for name, too_large in arrived or [(upload.name, False) for upload in uploads]:
            upload = None if too_large or not received else received.pop(0)
            if upload is None and not too_large:
                continue
            entry = {"id": secrets.token_hex(8), "name": safe_name(name), "error": None}
            if upload is not None and upload.size > limit:
                too_large = True
            if too_large:
                entry["error"] = {"code": "too_large"}
            else:
                entry["size"] = upload.size
                store.save(key, entry, upload)
            files.append(entry)
        REPORT_BATCHES.save(
            request, key, {"user": request.user.pk, "created": time.time(), "files": files}
        )
        return key

    # Preview and confirmation

    def preview_view(self, request, batch):
        self._check(request)
        record = self._batch(request, batch)
        if request.method == "POST":
            return self._import_all(request, batch, record)
        if any(entry.get("outcome") for entry in record["files"]):
            return redirect(self._url("result", batch))
        store = UploadStore(request.user.pk)
        previewer = Previewer()
        previews = [previewer.preview(store.path(batch, entry), entry) for entry in record["files"]]
        for preview in previews:
            preview.entry["preview"] = preview.state
            preview.entry["failure"] = preview.failure
            preview.entry["confirm_flags"] = preview.confirm_flags
        REPORT_BATCHES.save(request, batch, record)
        counts = {
            "ready": sum(p.state == "ready" for p in previews),
            "confirm": sum(p.state == "confirm" for p in previews),
            "failed": sum(p.state == "failed" for p in previews),
        }
        context = self._context(
            request,
            _("Preview of the import"),
            previews=previews,
            counts=counts,
            importable=counts["ready"] + counts["confirm"],
            batch=batch,
            confirm_url=self._url("preview", batch),
            cancel_url=self._url("cancel", batch),
            result_url=self._url("result", batch),
        )
        return TemplateResponse(
            request, "admin/recommendations/report/import_preview.html", context
        )

    def _import_all(self, request, batch: str, record: dict):
        """Without the page's script: every file, one after the other, in this request."""
        confirmed = set(request.POST.getlist("confirm"))
        taxonomy = theme_selectors.taxonomy()
        for entry in record["files"]:
            self._import_one(request, batch, record, entry, entry["id"] in confirmed, taxonomy)
        return redirect(self._url("result", batch))

    def _import_one(self, request, batch, record, entry, confirmed: bool, taxonomy) -> dict:
        if entry.get("outcome"):
            return entry["outcome"]  # posted twice: imported once
        store = UploadStore(request.user.pk)
        path = store.path(batch, entry)
        if entry.get("error"):
            outcome = {"state": "failed", "error": entry["error"]}
        elif entry.get("preview") == "failed" and entry.get("failure"):
            outcome = {"state": "failed", "error": entry["failure"]}
        elif not path.is_file():
            outcome = {"state": "failed", "error": {"code": "expired"}}
        else:
            # A confirmation counts only for what the file's preview asked about.
            allow = entry.get("confirm_flags", []) if confirmed else []
            try:
                result = run_import(
                    path=path, name=entry["name"], dry_run=False, allow=allow, taxonomy=taxonomy
                )
                outcome = outcome_of(result)
            except imports.ImportFailed as exc:
                if needs_confirmation(exc):
                    error = {"code": "confirm", "reasons": confirmation_reasons(exc)}
                else:
                    error = {"code": "service", "reason": exc.reason}
                outcome = {"state": "failed", "error": error}
            except Exception:
                logger.exception("import of an uploaded report failed")
                outcome = {"state": "failed", "error": {"code": "unexpected"}}
        store.delete_file(batch, entry)
        entry["outcome"] = outcome
        REPORT_BATCHES.save(request, batch, record)
        return outcome

    def file_view(self, request, batch, file):
        """One file's import, for the page's script: the outcome as JSON."""
        self._check(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = self._batch(request, batch)
        entry = next((e for e in record["files"] if e["id"] == file), None)
        if entry is None:
            raise Http404(_("No such file in this upload."))
        confirmed = file in request.POST.getlist("confirm")
        outcome = self._import_one(
            request, batch, record, entry, confirmed, theme_selectors.taxonomy()
        )
        return JsonResponse(
            {
                "state": outcome["state"],
                "text": outcome_text(outcome),
                "url": recommendations_url(outcome),
            }
        )

    # Result and cancel

    def result_view(self, request, batch):
        self._check(request)
        record = self._batch(request, batch)
        UploadStore(request.user.pk).delete_batch(batch)  # whatever was not imported
        rows = []
        for entry in record["files"]:
            outcome = entry.get("outcome") or {
                "state": "failed",
                "error": entry.get("error")
                or entry.get("failure")
                or {"code": "service", "reason": _("the import was not run for this file")},
            }
            rows.append(
                {
                    "name": entry["name"],
                    "state": outcome["state"],
                    "text": outcome_text(outcome),
                    "symbol": outcome.get("symbol", ""),
                    "url": recommendations_url(outcome),
                    "report_url": reverse(
                        "admin:recommendations_report_change", args=[outcome["report"]]
                    )
                    if outcome.get("report")
                    else "",
                }
            )
        context = self._context(request, _("Import result"), rows=rows)
        return TemplateResponse(request, "admin/recommendations/report/import_result.html", context)

    def cancel_view(self, request, batch):
        self._check(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._batch(request, batch)
        UploadStore(request.user.pk).delete_batch(batch)
        REPORT_BATCHES.drop(request, batch)
        return redirect("admin:recommendations_report_import")
