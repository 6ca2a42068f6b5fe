"""Shared by import_report and import_seeds: run the import, print the outcome."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations.services.imports import ImportResult, report_import_paths


def expand(paths: list[str]) -> list[Path]:
    """Files as given; a directory stands for the files directly inside it, sorted."""
    expanded: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            expanded.extend(sorted(p for p in path.iterdir() if p.is_file()))
        else:
            expanded.append(path)
    return expanded


def _shown(path: str) -> str:
    """The path relative to the working directory when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def describe(result: ImportResult) -> list[str]:
    shown = f"{'[dry run] ' if result.dry_run else ''}{_shown(result.path)}"
    head = f"{shown}: report {result.symbol}"
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
    if result.section_title is None:
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


def run_import(
    command: BaseCommand, paths: list[Path], *, dry_run: bool, allow_withdraw: bool
) -> None:
    results, failures = report_import_paths(paths, dry_run=dry_run, allow_withdraw=allow_withdraw)
    for result in results:
        for line in describe(result):
            command.stdout.write(line)
    for failure in failures:
        command.stderr.write(f"error: {failure}")
    if failures:
        raise CommandError(f"{len(failures)} of {len(paths)} files could not be imported")
