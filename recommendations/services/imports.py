"""Import of report files into Report and Recommendation rows.

One transaction per report. Re-importing an unchanged file writes nothing, also under
another file name (recognised by its SHA-256); a changed file updates the items it
still finds (matched by paragraph and item), marks the others withdrawn, and never
deletes a recommendation or anything logged against it. A re-import that would
withdraw more than MAX_WITHDRAW_SHARE of a report's active recommendations is refused
unless the caller confirms it (allow_withdraw).
"""

import hashlib
import logging
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from recommendations.models import (
    Body,
    Recommendation,
    RecommendationTheme,
    Report,
    ReportSession,
    Theme,
)
from recommendations.parsing import ParsedReport, ParseError, Taxonomy, parse_source
from recommendations.selectors import themes as theme_selectors
from recommendations.services.audit import audit

logger = logging.getLogger(__name__)

# Bump when the parser's output changes, so that re-importing an unchanged file
# re-reads it with the new parser instead of being skipped.
PARSER_VERSION = 2

# A re-import may withdraw at most this share of a report's active recommendations
# unless the caller confirms it (allow_withdraw=True, --allow-withdraw): more usually
# means a truncated file, or another report's text under this report's name.
MAX_WITHDRAW_SHARE = Fraction(1, 2)

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


class ImportFailed(Exception):
    """A file could not be imported; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass
class ImportResult:
    path: str
    symbol: str
    outcome: str  # "created", "updated" or "unchanged"
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

    @property
    def active(self) -> int:
        return self.created + self.updated + self.unchanged


def report_import_file(
    *,
    path: Path,
    dry_run: bool = False,
    allow_withdraw: bool = False,
    taxonomy: Taxonomy | None = None,
) -> ImportResult:
    """Read, parse and import one report file. Raises ImportFailed on bad input."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ImportFailed(path, "is a directory, not a report file") from None
    except FileNotFoundError:
        raise ImportFailed(path, "no such file") from None
    except OSError as exc:
        raise ImportFailed(path, f"cannot read the file ({exc.strerror})") from None
    try:
        parsed = parse_source(data, taxonomy=taxonomy)
    except ParseError as exc:
        raise ImportFailed(path, str(exc)) from None
    return report_import(
        parsed=parsed,
        source_file=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        path=str(path),
        dry_run=dry_run,
        allow_withdraw=allow_withdraw,
    )


def report_import(
    *,
    parsed: ParsedReport,
    source_file: str,
    sha256: str,
    path: str | None = None,
    dry_run: bool = False,
    allow_withdraw: bool = False,
) -> ImportResult:
    """Import one parsed report. Raises ImportFailed when the import would withdraw
    more than MAX_WITHDRAW_SHARE of the report's active recommendations and
    allow_withdraw is not set; nothing is written then."""
    shown = path or source_file
    symbol = parsed.metadata.symbol or source_file
    report = Report.objects.filter(symbol=symbol).first()
    same_content_as = None
    if report is None and parsed.metadata.symbol is None:
        # Named after its file: the same content under another name is that report.
        report = Report.objects.filter(sha256=sha256, symbol_from_text=False).order_by("id").first()
        if report is not None:
            symbol, same_content_as = report.symbol, report.source_file
    if report and report.sha256 == sha256 and report.parser_version == PARSER_VERSION:
        result = ImportResult(
            path=shown,
            symbol=symbol,
            outcome="unchanged",
            section_title=report.recommendations_section or None,
            unchanged=report.recommendations.filter(is_withdrawn=False).count(),
            dry_run=dry_run,
            same_content_as=same_content_as,
        )
        result.theme_counts = _theme_counts(report)
        return result

    with transaction.atomic():
        if report and not allow_withdraw:
            _refuse_mass_withdrawal(report, parsed, path=shown)
        result = ImportResult(
            path=shown,
            symbol=symbol,
            outcome="updated" if report else "created",
            section_title=parsed.section_title,
            dry_run=dry_run,
            notes=parsed.notes,
        )
        report = _save_report(report, parsed, symbol=symbol, source_file=source_file, sha256=sha256)
        _save_recommendations(report, parsed, result, reason=f"import {source_file}")
        result.theme_counts = _theme_counts(report)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _refuse_mass_withdrawal(report: Report, parsed: ParsedReport, *, path: str) -> None:
    """Raise ImportFailed if the import would withdraw more than MAX_WITHDRAW_SHARE of
    the report's active recommendations (a file without recommendations withdraws all)."""
    found = {(item.paragraph, item.item) for item in parsed.recommendations}
    active = list(
        report.recommendations.filter(is_withdrawn=False).values_list("paragraph", "item")
    )
    withdrawing = sum(1 for key in active if key not in found)
    if withdrawing > len(active) * MAX_WITHDRAW_SHARE:
        raise ImportFailed(
            path,
            f"would withdraw {withdrawing} of {len(active)} active recommendations "
            f"(more than {share_text(MAX_WITHDRAW_SHARE)}): the file may be truncated "
            "or another report; re-run with --allow-withdraw to confirm",
        )


def share_text(share: Fraction) -> str:
    """A share in words, for messages and help texts: "half", "67%"."""
    return "half" if share == Fraction(1, 2) else f"{float(share):.0%}"


def _save_report(
    report: Report | None, parsed: ParsedReport, *, symbol: str, source_file: str, sha256: str
) -> Report:
    meta = parsed.metadata
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
        "imported_at": timezone.now(),
    }
    if report is None:
        report = Report(symbol=symbol, **values)
    else:
        for name, value in values.items():
            setattr(report, name, value)
    report.full_clean()
    report.save()

    bodies = {body.code: body for body in Body.objects.all()}
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


def _save_recommendations(
    report: Report, parsed: ParsedReport, result: ImportResult, *, reason: str
) -> None:
    themes = {theme.code: theme for theme in Theme.objects.all()}
    bodies = {body.code: body for body in Body.objects.all()}
    existing = {
        (rec.paragraph, rec.item): rec
        for rec in report.recommendations.prefetch_related("theme_links", "bodies")
    }
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
        wanted_themes = {(link.code, link.source) for link in item.themes if link.code in themes}
        wanted_bodies = {code for code in item.bodies if code in bodies}
        rec = existing.pop((item.paragraph, item.item), None)
        if rec is None:
            rec = Recommendation(report=report, paragraph=item.paragraph, item=item.item, **values)
            audit(rec, user=None, via=reason)
            # The report was saved above and each label comes once from the parser
            # (the database enforces both too): only the fields' own rules to check.
            rec.full_clean(exclude=["report"], validate_unique=False, validate_constraints=False)
            rec.save()
            _set_themes(rec, wanted_themes, themes, current=set())
            if wanted_bodies:
                rec.bodies.set([bodies[code] for code in wanted_bodies])
            result.created += 1
            continue
        changed = [name for name in _RECOMMENDATION_FIELDS if getattr(rec, name) != values[name]]
        for name in changed:
            setattr(rec, name, values[name])
        if changed:
            audit(rec, user=None, via=reason)
            rec.save(update_fields=[*changed, "updated_at"])
        current_themes = {(link.theme.code, link.source) for link in rec.theme_links.all()}
        if not rec.themes_overridden and current_themes != wanted_themes:
            _set_themes(rec, wanted_themes, themes, current=current_themes)
            changed.append("themes")
        if {body.code for body in rec.bodies.all()} != wanted_bodies:
            rec.bodies.set([bodies[code] for code in wanted_bodies])
            changed.append("bodies")
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1
    # Those no longer found go after the active ones, in their previous order.
    leftover = sorted(existing.values(), key=lambda rec: (rec.position, rec.id))
    for position, rec in enumerate(leftover, start=len(parsed.recommendations) + 1):
        changed = []
        if not rec.is_withdrawn:
            rec.is_withdrawn = True
            changed.append("is_withdrawn")
            result.withdrawn += 1
        if rec.position != position:
            rec.position = position
            changed.append("position")
        if changed:
            audit(rec, user=None, via=reason)
            rec.save(update_fields=[*changed, "updated_at"])


def _set_themes(
    rec: Recommendation,
    wanted: set[tuple[str, str]],
    themes: dict[str, Theme],
    *,
    current: set[tuple[str, str]],
) -> None:
    for code, source in current - wanted:
        for link in RecommendationTheme.objects.filter(
            recommendation=rec, theme=themes[code], source=source
        ):
            link.delete()
    current_codes = {code for code, _ in current}
    for code, source in sorted(wanted - current):
        if code in current_codes:  # the same theme from another source
            RecommendationTheme.objects.update_or_create(
                recommendation=rec, theme=themes[code], defaults={"source": source}
            )
        else:
            RecommendationTheme.objects.create(
                recommendation=rec, theme=themes[code], source=source
            )


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
    paths: Iterable[Path], *, dry_run: bool = False, allow_withdraw: bool = False
) -> tuple[list[ImportResult], list[ImportFailed]]:
    """Import each file on its own; a bad file does not stop the others."""
    taxonomy = theme_selectors.taxonomy()
    results: list[ImportResult] = []
    failures: list[ImportFailed] = []
    for path in paths:
        try:
            results.append(
                report_import_file(
                    path=path, dry_run=dry_run, allow_withdraw=allow_withdraw, taxonomy=taxonomy
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
