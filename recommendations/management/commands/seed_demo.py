import time

from django.core.management.base import BaseCommand, CommandError

from recommendations.services.demo import DEMO_PREFIX, RealDataPresent, demo_build


class Command(BaseCommand):
    help = (
        "Fill the database with deterministic synthetic data for demos and benchmarks: "
        f"reports (symbols starting with {DEMO_PREFIX}), recommendations with Chinese-like "
        "text, themes, bodies, follow-ups spread over the 193 member states, and actions. "
        "The same --seed gives the same rows. A previous demo data set is replaced. "
        "Rows are written with bulk_create, which bypasses save() and its signals: no audit "
        "history is recorded for demo data. Refuses to run beside real imported reports "
        "unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--recommendations", type=int, default=1000, help="how many (default 1000)"
        )
        parser.add_argument(
            "--follow-ups",
            type=int,
            default=10000,
            help="how many, at most one per recommendation and member state (default 10000)",
        )
        parser.add_argument(
            "--actions-per-follow-up",
            type=float,
            default=0.5,
            help="mean number of actions per follow-up (default 0.5; 0 for none)",
        )
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="add demo data even though the database holds real imported reports",
        )

    def handle(self, *args, recommendations, follow_ups, actions_per_follow_up, seed, force, **o):
        verbose = o["verbosity"] >= 2
        started = time.perf_counter()
        try:
            summary = demo_build(
                recommendations=recommendations,
                follow_ups=follow_ups,
                seed=seed,
                actions_per_follow_up=actions_per_follow_up,
                force=force,
                progress=self.stdout.write if verbose else None,
            )
        except RealDataPresent as error:
            raise CommandError(f"seed_demo refused: {error}") from None
        except ValueError as error:
            raise CommandError(f"seed_demo: {error}") from None
        seconds = time.perf_counter() - started
        if o["verbosity"] >= 1:
            self.stdout.write(
                f"Demo data (seed {seed}) in {seconds:.1f} s: {summary.reports} reports, "
                f"{summary.recommendations} recommendations ({summary.theme_links} theme "
                f"links, {summary.body_links} body links), {summary.follow_ups} follow-ups, "
                f"{summary.actions} actions; {summary.sessions} sessions of the bodies, "
                f"{summary.due_reports} reports with a due date."
                + (
                    f" Replaced the previous demo data ({summary.replaced_reports} reports)."
                    if summary.replaced_reports
                    else ""
                )
            )
