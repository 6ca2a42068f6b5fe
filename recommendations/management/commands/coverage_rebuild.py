"""Recompute the maintained coverage figures, or check them against the base tables."""

import time

from django.core.management.base import BaseCommand, CommandError

from recommendations.services.coverage_figures import figures_differences, figures_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the coverage figures from the recommendations, theme links, bodies and "
        "follow-ups (after a bulk load or a restore). With --check, change nothing: report "
        "every difference between the stored figures and the base tables and exit with "
        "status 1 when there is one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare only; exit non-zero when the figures differ from the base tables",
        )

    def handle(self, *args, check, **options):
        started = time.perf_counter()
        if check:
            differences = figures_differences()
            for line in differences:
                self.stderr.write(line)
            if differences:
                raise CommandError(
                    "the coverage figures differ from the base tables (first differences "
                    "above); run coverage_rebuild to recompute them",
                    returncode=1,
                )
            if options["verbosity"] >= 1:
                seconds = time.perf_counter() - started
                self.stdout.write(f"Coverage figures match the base tables ({seconds:.1f} s).")
            return
        figures_rebuild()
        if options["verbosity"] >= 1:
            seconds = time.perf_counter() - started
            self.stdout.write(f"Coverage figures recomputed ({seconds:.1f} s).")
