"""Import of report files into Report and Recommendation rows.

One transaction per report. Re-importing an unchanged file writes nothing, also under
another file name (recognised by its SHA-256); a changed file updates the items it
still finds (matched by paragraph and item), marks the others withdrawn, and never
deletes a recommendation or anything logged against it. A re-import that would
withdraw more than MAX_WITHDRAW_SHARE of a report's active recommendations needs the
caller's confirmation (allow_withdraw).

The UN publishes a report in six languages under one symbol. A file stating the symbol
of a report already imported, in another language than the report's (the language of
the version imported first, the original), is a language version of that report: it
adds or updates the RecommendationText of each recommendation it matches by label and
changes nothing else. Labels it lacks or adds need confirmation (allow_unmatched).
Each language version, the original included, is recorded as a ReportVersion.
"""

import hashlib
import logging
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path, PureWindowsPath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from recommendations.models import (
    Body,
    Recommendation,
    RecommendationText,
    RecommendationTheme,
    Report,
    ReportSession,
    ReportVersion,
    Theme,
)
from recommendations.parsing import ParsedReport, ParseError, Taxonomy, parse_source
from recommendations.selectors import themes as theme_selectors
from recommendations.services import coverage_figures
from recommendations.services.audit import audit
from recommendations.services.deadlines import report_due_dates_refresh

logger = logging.getLogger(__name__)

# Bump when the parser's output changes, so that re-importing an unchanged file
# re-reads it with the new parser instead of being skipped.
PARSER_VERSION = 2

# A re-import may withdraw at most this share of a report's active recommendations
# unless the caller confirms it (allow_withdraw=True, --allow-withdraw): more usually
# means a truncated file, or another report's text under this report's name.
MAX_WITHDRAW_SHARE = Fraction(1, 2)

# The largest file report_import_upload accepts (the largest UN report of the
# development set is a few MB).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

_RECOMMENDATION_FIELDS = (
    "label",
    "text",
    "addressee",
    "heading",
    "sdg_targets",
    "position",
    "source_line",
    "is_withdrawn",
)
_TEXT_FIELDS = ("text", "addressee", "heading")


class ImportFailed(Exception):
    """A file could not be imported; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class ConfirmationNeeded(ImportFailed):
    """The import needs the caller's confirmation; nothing was written.

    `result` is what the import would do (a dry run: dry_run is True); `reasons` says
    why it asks, one sentence each, without command-line flags; `confirm` names the
    keyword arguments of the import functions that confirm it ("allow_withdraw",
    "allow_unmatched"). The message (`reason`) is for the command line: it names the
    flag to re-run with.
    """

    def __init__(
        self,
        path: Path | str,
        reason: str,
        *,
        result: "ImportResult",
        reasons: Iterable[str],
        confirm: Iterable[str],
    ) -> None:
        super().__init__(path, reason)
        self.result = result
        self.reasons = tuple(reasons)
        self.confirm = tuple(confirm)


# RecommendationChange.kind
ADDED, CHANGED, UNCHANGED, WITHDRAWN, RESTORED = (
    "added",
    "changed",
    "unchanged",
    "withdrawn",
    "restored",
)


@dataclass(frozen=True)
class RecommendationChange:
    """What an import does to one recommendation (for a language version: to its text
    in that language).

    kind: "added" (new recommendation, or first text in the version's language),
    "changed", "unchanged", "withdrawn" (no longer in the file), "restored" (withdrawn
    before, in the file again). text: the text after the import (for "withdrawn", the
    text it keeps); old_text: the text before, when the import changes it (else None);
    themes: the theme codes after the import; fields: the names of the fields the import
    changes (e.g. ("position", "source_line") for a recommendation that only
    moves; "themes" and "bodies" included).
    """

    label: str
    kind: str
    text: str
    old_text: str | None = None
    themes: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class LanguageVersionResult:
    """A language version's match against its report: `matched` of the report's `total`
    active recommendations have a label in the file; `extra_labels` are in the file but
    not among them (in the file's order), `missing_labels` the reverse (in the report's)."""

    language: str
    original_language: str
    matched: int
    total: int
    extra_labels: tuple[str, ...] = ()
    missing_labels: tuple[str, ...] = ()

    @property
    def unmatched(self) -> int:
        return len(self.extra_labels) + len(self.missing_labels)


@dataclass
class ImportResult:
    path: str
    symbol: str
    outcome: str  # "created", "updated" or "unchanged" (for a language version: its text)
    section_title: str | None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    theme_counts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    # The source file of the report recognised by its content (same SHA-256) when the
    # file imported has another name; set only when nothing was written.
    same_content_as: str | None = None
    # Why a report has no recommendations, when the parser could say more than
    # "no section" (e.g. the section holds adopted resolutions).
    notes: tuple[str, ...] = ()
    # The file's language, format ("pdf", "pdf-text", "markdown") and title.
    language: str = ""
    source_format: str = ""
    title: str = ""
    # One per recommendation the file touches, in document order, then the withdrawn;
    # empty when the file is unchanged (nothing is compared then).
    changes: list[RecommendationChange] = field(default_factory=list)
    # Set for a language version of a report (created/updated/unchanged then count
    # the texts added/changed/unchanged in that language).
    version: LanguageVersionResult | None = None

    @property
    def active(self) -> int:
        return self.created + self.updated + self.unchanged


def report_import_file(
    *,
    path: Path,
    dry_run: bool = False,
    allow_withdraw: bool = False,
    allow_unmatched: bool = False,
    taxonomy: Taxonomy | None = None,
) -> ImportResult:
    """Read, parse and import one report file. Raises ImportFailed on bad input and
    ConfirmationNeeded (an ImportFailed) when the import needs confirmation."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ImportFailed(path, "is a directory, not a report file") from None
    except FileNotFoundError:
        raise ImportFailed(path, "no such file") from None
    except OSError as exc:
        raise ImportFailed(path, f"cannot read the file ({exc.strerror})") from None
    return _import_data(
        data,
        source_file=path.name,
        shown=str(path),
        dry_run=dry_run,
        allow_withdraw=allow_withdraw,
        allow_unmatched=allow_unmatched,
        taxonomy=taxonomy,
    )


def report_import_upload(
    *,
    data: bytes,
    name: str,
    dry_run: bool = False,
    allow_withdraw: bool = False,
    allow_unmatched: bool = False,
    taxonomy: Taxonomy | None = None,
) -> ImportResult:
    """report_import_file for a file already in memory (an upload) named `name`; the
    report is named after the last part of `name` when it does not state its symbol.
    Raises ImportFailed naming `name`, also for a file over MAX_UPLOAD_BYTES."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFailed(
            name, f"is {_megabytes(len(data))}; the limit is {_megabytes(MAX_UPLOAD_BYTES)}"
        )
    source_file = PureWindowsPath(name).name  # also strips "C:\fakepath\" and "dir/"
    if not source_file.strip():
        raise ImportFailed(name, "the file has no name")
    if len(source_file) > Report._meta.get_field("source_file").max_length:
        raise ImportFailed(name, "the file name is too long (at most 255 characters)")
    return _import_data(
        data,
        source_file=source_file,
        shown=name,
        dry_run=dry_run,
        allow_withdraw=allow_withdraw,
        allow_unmatched=allow_unmatched,
        taxonomy=taxonomy,
    )


def _megabytes(size: int) -> str:
    """A size in MB (2**20 bytes), one decimal place; never shown equal to the limit
    when it is over it."""
    limit = MAX_UPLOAD_BYTES / 2**20
    value = round(size / 2**20, 1)
    if size > MAX_UPLOAD_BYTES and value <= limit:
        value = limit + 0.1
    return f"{value:g} MB" if value == int(value) else f"{value:.1f} MB"


def _import_data(
    data: bytes,
    *,
    source_file: str,
    shown: str,
    dry_run: bool,
    allow_withdraw: bool,
    allow_unmatched: bool,
    taxonomy: Taxonomy | None,
) -> ImportResult:
    """Parse a report file's bytes and import it: the one path of files and uploads.
    Without a taxonomy, the themes are read from the database."""
    if taxonomy is None:
        taxonomy = theme_selectors.taxonomy()
    try:
        parsed = parse_source(data, taxonomy=taxonomy)
    except ParseError as exc:
        raise ImportFailed(shown, str(exc)) from None
    return report_import(
        parsed=parsed,
        source_file=source_file,
        sha256=hashlib.sha256(data).hexdigest(),
        path=shown,
        dry_run=dry_run,
        allow_withdraw=allow_withdraw,
        allow_unmatched=allow_unmatched,
    )


def report_import(
    *,
    parsed: ParsedReport,
    source_file: str,
    sha256: str,
    path: str | None = None,
    dry_run: bool = False,
    allow_withdraw: bool = False,
    allow_unmatched: bool = False,
) -> ImportResult:
    """Import one parsed report, or a language version of a report already imported.

    Raises ConfirmationNeeded, writing nothing, when the import would withdraw more than
    MAX_WITHDRAW_SHARE of the report's active recommendations and allow_withdraw is not
    set, or when a language version's labels do not all match the report's active
    recommendations and allow_unmatched is not set.
    """
    shown = path or source_file
    meta = parsed.metadata
    symbol = meta.symbol or source_file
    report = Report.objects.filter(symbol=symbol).first()
    if report is not None and meta.symbol is not None and meta.language != report.language:
        return _import_version(
            report,
            parsed,
            source_file=source_file,
            sha256=sha256,
            shown=shown,
            dry_run=dry_run,
            allow_unmatched=allow_unmatched,
        )
    same_content_as = None
    if report is None and meta.symbol is None:
        # Named after its file: the same content under another name is that report.
        report = Report.objects.filter(sha256=sha256, symbol_from_text=False).order_by("id").first()
        if report is not None:
            symbol, same_content_as = report.symbol, report.source_file
    described = {"language": meta.language, "source_format": meta.source_format}
    if report and report.sha256 == sha256 and report.parser_version == PARSER_VERSION:
        result = ImportResult(
            path=shown,
            symbol=symbol,
            outcome="unchanged",
            section_title=report.recommendations_section or None,
            unchanged=report.recommendations.filter(is_withdrawn=False).count(),
            dry_run=dry_run,
            same_content_as=same_content_as,
            title=report.title,
            **described,
        )
        result.theme_counts = _theme_counts(report)
        result.changes = _as_stored(report)
        return result

    refusal = None
    with transaction.atomic():
        result = ImportResult(
            path=shown,
            symbol=symbol,
            outcome="updated" if report else "created",
            section_title=parsed.section_title,
            dry_run=dry_run,
            notes=parsed.notes,
            title=meta.title,
            **described,
        )
        is_new = report is None
        # Dates, themes, bodies, withdrawn and new recommendations: the coverage figures
        # follow.
        with coverage_figures.recommendations_changing(
            report_ids=[] if is_new else [report.pk]
        ) as changing:
            report = _save_report(
                report, parsed, symbol=symbol, source_file=source_file, sha256=sha256, shown=shown
            )
            changing.include_report(report.pk)
            active_before = _save_recommendations(
                report, parsed, result, reason=f"import {source_file}", is_new=is_new
            )
            report_due_dates_refresh([report])
        result.theme_counts = _theme_counts(report)
        if not is_new and not allow_withdraw:
            refusal = _mass_withdrawal(result.withdrawn, active_before)
        if dry_run or refusal:
            transaction.set_rollback(True)
    if refusal:
        result.dry_run = True
        raise ConfirmationNeeded(
            shown,
            f"{refusal}; re-run with --allow-withdraw to confirm",
            result=result,
            reasons=[refusal],
            confirm=["allow_withdraw"],
        )
    return result


def _as_stored(report: Report) -> list[RecommendationChange]:
    """An unchanged file's recommendations as stored, each "unchanged" (two queries)."""
    return [
        RecommendationChange(
            rec.label,
            UNCHANGED,
            rec.text,
            themes=tuple(theme.code for theme in rec.themes.all()),
        )
        for rec in report.recommendations.filter(is_withdrawn=False)
        .order_by("position")
        .prefetch_related("themes")
    ]


def _mass_withdrawal(withdrawing: int, active: int) -> str | None:
    """Why withdrawing `withdrawing` of `active` recommendations needs confirmation, or
    None when it does not (at most MAX_WITHDRAW_SHARE; a file without recommendations
    withdraws all)."""
    if withdrawing > active * MAX_WITHDRAW_SHARE:
        return (
            f"would withdraw {withdrawing} of {active} active recommendations "
            f"(more than {share_text(MAX_WITHDRAW_SHARE)}): the file may be truncated "
            "or another report"
        )
    return None


def share_text(share: Fraction) -> str:
    """A share in words, for messages and help texts: "half", "67%"."""
    return "half" if share == Fraction(1, 2) else f"{float(share):.0%}"


def _invalid(shown: str, error: ValidationError) -> ImportFailed:
    """A value the database would not take (a file name too long for a symbol …)."""
    if hasattr(error, "error_dict"):
        reasons = [f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
    else:
        reasons = error.messages
    return ImportFailed(shown, "; ".join(reasons))


def _save_report(
    report: Report | None,
    parsed: ParsedReport,
    *,
    symbol: str,
    source_file: str,
    sha256: str,
    shown: str,
) -> Report:
    meta = parsed.metadata
    now = timezone.now()
    values = {
        "symbol_from_text": meta.symbol is not None,
        "title": meta.title,
        "author": meta.author,
        "document_date": meta.document_date,
        "language": meta.language,
        "source_file": source_file,
        "source_format": meta.source_format,
        "sha256": sha256,
        "parser_version": PARSER_VERSION,
        "recommendations_section": parsed.section_title or "",
        "imported_at": now,
    }
    is_new = report is None
    previous_language = None if is_new else report.language
    if is_new:
        report = Report(symbol=symbol, **values)
    else:
        for name, value in values.items():
            setattr(report, name, value)
    try:
        report.full_clean()
    except ValidationError as error:
        raise _invalid(shown, error) from None
    report.save()
    _save_version(
        report,
        language=previous_language,
        values={
            "language": meta.language,
            "title": meta.title,
            "source_file": source_file,
            "source_format": meta.source_format,
            "sha256": sha256,
            "parser_version": PARSER_VERSION,
            "imported_at": now,
        },
        is_new=is_new,
    )

    bodies = {body.code: body for body in Body.objects.all()}
    if not is_new:
        report.sessions.all().delete()
    ReportSession.objects.bulk_create(
        ReportSession(
            report=report,
            body=bodies.get(session.code),
            body_name=session.name,
            session=session.session,
            dates=session.dates,
            start_date=session.start_date,
            end_date=session.end_date,
            place=session.place,
            agenda_item=session.agenda_item,
            agenda_symbol=session.agenda_symbol,
            agenda_title=session.agenda_title,
            position=position,
        )
        for position, session in enumerate(meta.bodies, start=1)
    )
    return report


def _save_version(report: Report, *, language: str | None, values: dict, is_new: bool) -> None:
    """Create or update the report's ReportVersion in `language` (for the original: its
    language before this import, which the import may change) with `values`."""
    if is_new or not ReportVersion.objects.filter(report=report, language=language).update(
        **values
    ):
        ReportVersion.objects.create(report=report, **values)


def _theme_codes(themes: dict[str, Theme]) -> dict[int, str]:
    return {theme.pk: theme.code for theme in themes.values()}


def _save_recommendations(
    report: Report, parsed: ParsedReport, result: ImportResult, *, reason: str, is_new: bool
) -> int:
    """Create, update and withdraw the report's recommendations as the file says, and
    record each change in the result. Returns how many were active before."""
    themes = {theme.code: theme for theme in Theme.objects.all()}
    code_of = _theme_codes(themes)
    bodies = {body.code: body for body in Body.objects.all()}
    existing = (
        {}
        if is_new
        else {
            (rec.paragraph, rec.item): rec
            for rec in report.recommendations.prefetch_related("theme_links", "bodies")
        }
    )
    active_before = sum(1 for rec in existing.values() if not rec.is_withdrawn)
    changes = result.changes
    for position, item in enumerate(parsed.recommendations, start=1):
        values = {
            "label": item.label,
            "text": item.text,
            "addressee": item.addressee,
            "heading": item.heading,
            "sdg_targets": list(item.sdg_targets),
            "position": position,
            "source_line": item.line,
            "is_withdrawn": False,
        }
        wanted_links = [(link.code, link.source) for link in item.themes if link.code in themes]
        wanted_themes = set(wanted_links)
        wanted_codes = tuple(dict.fromkeys(code for code, _ in wanted_links))
        wanted_bodies = {code for code in item.bodies if code in bodies}
        rec = existing.pop((item.paragraph, item.item), None)
        if rec is None:
            rec = Recommendation(report=report, paragraph=item.paragraph, item=item.item, **values)
            audit(rec, user=None, via=reason)
            # The report was saved above and each label comes once from the parser
            # (the database enforces both too): only the fields' own rules to check.
            try:
                rec.full_clean(
                    exclude=["report"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                raise _invalid(f"{result.path}: {item.label}", error) from None
            rec.save()
            _set_themes(rec, wanted_themes, themes, current=set(), reason=reason)
            if wanted_bodies:
                rec.bodies.set([bodies[code] for code in wanted_bodies])
            result.created += 1
            changes.append(RecommendationChange(item.label, ADDED, item.text, themes=wanted_codes))
            continue
        was_withdrawn, old_text = rec.is_withdrawn, rec.text
        changed = [name for name in _RECOMMENDATION_FIELDS if getattr(rec, name) != values[name]]
        for name in changed:
            setattr(rec, name, values[name])
        if changed:
            audit(rec, user=None, via=reason)
            rec.save(update_fields=[*changed, "updated_at"])
        current_themes = {(code_of[link.theme_id], link.source) for link in rec.theme_links.all()}
        if rec.themes_overridden:
            codes = tuple(sorted({code for code, _ in current_themes}, key=_theme_order(themes)))
        else:
            codes = wanted_codes
            if current_themes != wanted_themes:
                _set_themes(rec, wanted_themes, themes, current=current_themes, reason=reason)
                changed.append("themes")
        if {body.code for body in rec.bodies.all()} != wanted_bodies:
            rec.bodies.set([bodies[code] for code in wanted_bodies])
            changed.append("bodies")
        if changed:
            result.updated += 1
            kind = RESTORED if was_withdrawn else CHANGED
        else:
            result.unchanged += 1
            kind = UNCHANGED
        changes.append(
            RecommendationChange(
                item.label,
                kind,
                item.text,
                old_text=old_text if old_text != item.text else None,
                themes=codes,
                fields=tuple(name for name in changed if name != "is_withdrawn"),
            )
        )
    # Those no longer found go after the active ones, in their previous order.
    leftover = sorted(existing.values(), key=lambda rec: (rec.position, rec.id))
    for position, rec in enumerate(leftover, start=len(parsed.recommendations) + 1):
        changed = []
        if not rec.is_withdrawn:
            rec.is_withdrawn = True
            changed.append("is_withdrawn")
            result.withdrawn += 1
            codes = {code_of[link.theme_id] for link in rec.theme_links.all()}
            changes.append(
                RecommendationChange(
                    rec.label,
                    WITHDRAWN,
                    rec.text,
                    themes=tuple(sorted(codes, key=_theme_order(themes))),
                    fields=("is_withdrawn",),
                )
            )
        if rec.position != position:
            rec.position = position
            changed.append("position")
        if changed:
            audit(rec, user=None, via=reason)
            rec.save(update_fields=[*changed, "updated_at"])
    return active_before


def _theme_order(themes: dict[str, Theme]):
    return lambda code: (themes[code].position, code)


def _set_themes(
    rec: Recommendation,
    wanted: set[tuple[str, str]],
    themes: dict[str, Theme],
    *,
    current: set[tuple[str, str]],
    reason: str,
) -> None:
    """Make the recommendation's theme links these (code, source) pairs; each change is on
    record with the import as its channel."""
    for code, source in current - wanted:
        for link in RecommendationTheme.objects.filter(
            recommendation=rec, theme=themes[code], source=source
        ):
            audit(link, user=None, via=reason)
            link.delete()
    current_codes = {code for code, _ in current}
    for code, source in sorted(wanted - current):
        link = None
        if code in current_codes:  # the same theme from another source
            links = RecommendationTheme.objects.filter(recommendation=rec, theme=themes[code])
            link = links.first()
        if link is None:
            link = RecommendationTheme(recommendation=rec, theme=themes[code])
        link.source = source
        audit(link, user=None, via=reason)
        link.save()


def _theme_counts(report: Report) -> dict[str, int]:
    rows = (
        Theme.objects.annotate(
            n=Count(
                "recommendations",
                filter=Q(recommendations__report=report, recommendations__is_withdrawn=False),
            )
        )
        .filter(n__gt=0)
        .order_by("position")
    )
    return {theme.code: theme.n for theme in rows}


# Language versions ------------------------------------------------------------------------


def _import_version(
    report: Report,
    parsed: ParsedReport,
    *,
    source_file: str,
    sha256: str,
    shown: str,
    dry_run: bool,
    allow_unmatched: bool,
) -> ImportResult:
    """Import `parsed`, a language version of `report`: the text, addressee and heading
    in its language of each active recommendation it matches by label. Nothing else of
    the report or its recommendations changes."""
    meta = parsed.metadata
    language = meta.language
    version = ReportVersion.objects.filter(report=report, language=language).first()
    unchanged = version is not None and (version.sha256, version.parser_version) == (
        sha256,
        PARSER_VERSION,
    )
    active = report.recommendations.filter(is_withdrawn=False).order_by("position", "id")
    if not unchanged:
        active = active.prefetch_related(
            Prefetch(
                "texts",
                queryset=RecommendationText.objects.filter(language=language),
                to_attr="version_texts",
            ),
            "theme_links",
        )
    active = list(active)
    by_label = {rec.label: rec for rec in active}
    in_file = {item.label for item in parsed.recommendations}
    missing = tuple(rec.label for rec in active if rec.label not in in_file)
    matched = len(active) - len(missing)
    result = ImportResult(
        path=shown,
        symbol=report.symbol,
        outcome="unchanged" if unchanged else ("updated" if version else "created"),
        section_title=parsed.section_title,
        dry_run=dry_run,
        notes=parsed.notes,
        language=language,
        source_format=meta.source_format,
        title=meta.title,
        version=LanguageVersionResult(
            language=language,
            original_language=report.language,
            matched=matched,
            total=len(active),
            extra_labels=tuple(
                dict.fromkeys(
                    item.label for item in parsed.recommendations if item.label not in by_label
                )
            ),
            missing_labels=missing,
        ),
    )
    if unchanged:
        result.unchanged = matched
        return result

    needs_confirmation = result.version.unmatched > 0 and not allow_unmatched
    with transaction.atomic():
        _save_version(
            report,
            language=language,
            values={
                "language": language,
                "title": meta.title,
                "source_file": source_file,
                "source_format": meta.source_format,
                "sha256": sha256,
                "parser_version": PARSER_VERSION,
                "imported_at": timezone.now(),
            },
            is_new=version is None,
        )
        _save_texts(by_label, parsed, result, language=language, reason=f"import {source_file}")
        if dry_run or needs_confirmation:
            transaction.set_rollback(True)
    if needs_confirmation:
        result.dry_run = True
        why = unmatched_text(result.version)
        raise ConfirmationNeeded(
            shown,
            f"{why}; re-run with --allow-unmatched to import the {language} text of the "
            f"{matched} matched recommendations",
            result=result,
            reasons=[why],
            confirm=["allow_unmatched"],
        )
    return result


def _save_texts(
    by_label: dict[str, Recommendation],
    parsed: ParsedReport,
    result: ImportResult,
    *,
    language: str,
    reason: str,
) -> None:
    themes = {theme.code: theme for theme in Theme.objects.all()}
    code_of = _theme_codes(themes)
    seen = set()
    for item in parsed.recommendations:
        rec = by_label.get(item.label)
        if rec is None or item.label in seen:
            continue
        seen.add(item.label)
        codes = {code_of[link.theme_id] for link in rec.theme_links.all()}
        codes = tuple(sorted(codes, key=_theme_order(themes)))
        values = {"text": item.text, "addressee": item.addressee, "heading": item.heading}
        row = rec.version_texts[0] if rec.version_texts else None
        if row is None:
            row = RecommendationText(recommendation=rec, language=language, **values)
            changed = list(_TEXT_FIELDS)
            kind, old_text = ADDED, None
        else:
            changed = [name for name in _TEXT_FIELDS if getattr(row, name) != values[name]]
            kind = CHANGED if changed else UNCHANGED
            old_text = row.text if row.text != item.text else None
            for name in changed:
                setattr(row, name, values[name])
        if kind == ADDED or changed:
            try:
                row.full_clean(
                    exclude=["recommendation"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                raise _invalid(f"{result.path}: {item.label}", error) from None
            audit(row, user=None, via=reason)
            row.save()
        if kind == ADDED:
            result.created += 1
        elif kind == CHANGED:
            result.updated += 1
        else:
            result.unchanged += 1
        result.changes.append(
            RecommendationChange(
                item.label,
                kind,
                item.text,
                old_text=old_text,
                themes=codes,
                fields=tuple(changed) if kind == CHANGED else (),
            )
        )


def unmatched_text(version: LanguageVersionResult) -> str:
    """ "2 labels unmatched: 71(e) missing, 82 extra"."""
    listed = [f"{label} missing" for label in version.missing_labels] + [
        f"{label} extra" for label in version.extra_labels
    ]
    count = version.unmatched
    return f"{count} label{'s' if count != 1 else ''} unmatched: {', '.join(listed)}"


@dataclass(frozen=True)
class Skipped:
    """A directory entry that an import leaves out, and why."""

    path: Path
    reason: str


@dataclass
class Expansion:
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failures: list[ImportFailed] = field(default_factory=list)


def expand_import_paths(paths: Iterable[str | Path]) -> Expansion:
    """The files to import for paths given by the user.

    A path that is not a directory is read as given, a symbolic link or a hidden file
    included (the user named it). A directory stands for the regular files directly
    inside it, sorted by name; its hidden entries, subdirectories, symbolic links and
    other non-regular files are skipped, each with the reason.
    """
    expansion = Expansion()
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            expansion.files.append(path)
            continue
        try:
            entries = sorted(path.iterdir())
        except OSError as exc:
            expansion.failures.append(
                ImportFailed(path, f"cannot list the directory ({exc.strerror})")
            )
            continue
        for entry in entries:
            reason = _skip_reason(entry)
            if reason is None:
                expansion.files.append(entry)
            else:
                expansion.skipped.append(Skipped(entry, reason))
    return expansion


def _skip_reason(entry: Path) -> str | None:
    """Why a directory entry is not imported, or None for a regular file."""
    if entry.name.startswith("."):
        return 'hidden (its name starts with ".")'
    try:
        mode = entry.lstat().st_mode
    except OSError as exc:
        return f"cannot be examined ({exc.strerror})"
    if stat.S_ISLNK(mode):
        return (
            "a symbolic link (links inside a directory are not followed; "
            "name the link itself to import it)"
        )
    if stat.S_ISDIR(mode):
        return "a directory (directories are not read recursively)"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def report_import_paths(
    paths: Iterable[Path],
    *,
    dry_run: bool = False,
    allow_withdraw: bool = False,
    allow_unmatched: bool = False,
) -> tuple[list[ImportResult], list[ImportFailed]]:
    """Import each file on its own; a bad file does not stop the others."""
    taxonomy = theme_selectors.taxonomy()
    results: list[ImportResult] = []
    failures: list[ImportFailed] = []
    for path in paths:
        try:
            results.append(
                report_import_file(
                    path=path,
                    dry_run=dry_run,
                    allow_withdraw=allow_withdraw,
                    allow_unmatched=allow_unmatched,
                    taxonomy=taxonomy,
                )
            )
        except ImportFailed as exc:
            failures.append(exc)
        except Exception as exc:  # a bug or a database failure: report it, go on
            logger.debug("import of %s failed", path, exc_info=True)
            failures.append(
                ImportFailed(
                    path,
                    f"unexpected error ({type(exc).__name__}: {exc}); "
                    "nothing was written for this report",
                )
            )
    return results, failures
