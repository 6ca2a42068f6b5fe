"""Shared by import_report and import_seeds: run the import, print the outcome."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations.services.imports import (
    ImportResult,
    expand_import_paths,
    report_import_paths,
    unmatched_text,
)


def _shown(path: str) -> str:
    """The path relative to the working directory when it lies below it (a symbolic
    link is shown as itself, not as its target)."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return path


def describe(result: ImportResult) -> list[str]:
    shown = f"{'[dry run] ' if result.dry_run else ''}{_shown(result.path)}"
    head = f"{shown}: report {result.symbol}"
    if result.version is not None:
        return [describe_version(head, result)]
    if result.same_content_as is not None:
        lines = [
            f"{shown}: unchanged: same content as report {result.symbol} (imported from "
            f"{result.same_content_as}, {result.unchanged} recommendations); nothing written"
        ]
    elif result.outcome == "unchanged":
        lines = [f"{head} unchanged ({result.unchanged} recommendations); nothing written"]
    else:
        verb = "new" if result.outcome == "created" else "updated"
        lines = [
            f"{head} {verb}: recommendations created {result.created}, "
            f"updated {result.updated}, unchanged {result.unchanged}, "
            f"withdrawn {result.withdrawn}"
        ]
    if result.notes and result.active == 0:
        lines.extend(f"  {note}: imported with 0 recommendations" for note in result.notes)
    elif result.section_title is None:
        lines.append("  no recommendations section found: imported with 0 recommendations")
    elif result.active == 0:
        lines.append(
            f"  section «{result.section_title}» holds no recommendations "
            "(conclusions only): imported with 0 recommendations"
        )
    if result.theme_counts:
        counts = ", ".join(f"{code} {n}" for code, n in result.theme_counts.items())
        lines.append(f"  themes: {counts}")
    return lines


def describe_version(head: str, result: ImportResult) -> str:
    """ "PATH: report A/80/188 (en) — adds the zh text to 64 of 66 recommendations;
    2 labels unmatched: 71(e) missing, 82 extra" (or "updates", "unchanged")."""
    version = result.version
    head = f"{head} ({version.original_language}) — "
    of = f"{version.matched} of {version.total} recommendations"
    if result.outcome == "unchanged":
        line = f"{head}unchanged: the {version.language} text of {of}; nothing written"
    elif result.outcome == "created":
        line = f"{head}adds the {version.language} text to {of}"
    else:
        line = (
            f"{head}updates the {version.language} text of {of} (changed {result.updated}, "
            f"added {result.created}, unchanged {result.unchanged})"
        )
    if version.unmatched:
        line += f"; {unmatched_text(version)}"
    return line


def run_import(
    command: BaseCommand,
    paths: list[str],
    *,
    dry_run: bool,
    allow_withdraw: bool,
    allow_unmatched: bool = False,
    nothing_to_import: str | None = None,
) -> None:
    """Import the files the paths stand for and print the outcome; raise CommandError
    (exit status 1) if a file failed, or with `nothing_to_import` if there is no file."""
    expansion = expand_import_paths(paths)
    for skipped in expansion.skipped:
        command.stdout.write(f"skipped {_shown(str(skipped.path))}: {skipped.reason}")
    if nothing_to_import and not expansion.files and not expansion.failures:
        raise CommandError(nothing_to_import)
    results, failures = report_import_paths(
        expansion.files,
        dry_run=dry_run,
        allow_withdraw=allow_withdraw,
        allow_unmatched=allow_unmatched,
    )
    failures = expansion.failures + failures
    for result in results:
        for line in describe(result):
            command.stdout.write(line)
    for failure in failures:
        command.stderr.write(f"error: {failure}")
    if failures:
        total = len(expansion.files) + len(expansion.failures)
        raise CommandError(f"{len(failures)} of {total} files could not be imported")
