"""Mail today's digests of due and overdue recommendations and of claims to verify: for
cron or a systemd timer, daily (services/reminders.py)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from recommendations.services.reminders import RemindersLocked, reminders_send

# EX_TEMPFAIL (sysexits.h): another run holds the lock, or the mail server failed some
# digests; trying again later will work (their reminders stay pending).
TEMPFAIL_EXIT_STATUS = 75


def parse_today(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"--today: expected a date YYYY-MM-DD, got {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Send each liaison one digest of their state's recommendations that crossed a "
        "reminder threshold (REMINDER_THRESHOLDS days from the due date), and each verifier "
        "one digest of the claims new since the last; each reminder once. Two runs never "
        "overlap; a digest the mail server refuses stays pending for the next run (exit "
        "status 75)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print who would get which digest; send nothing, write nothing",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="the day the thresholds are counted to (default: today)",
        )

    def handle(self, *args, **options):
        today = parse_today(options["today"]) if options["today"] else None
        try:
            run = reminders_send(today=today, dry_run=options["dry_run"])
        except RemindersLocked as error:
            raise CommandError(str(error), returncode=TEMPFAIL_EXIT_STATUS) from None
        except DatabaseError as error:
            raise CommandError(
                f"database error: {error}. Digests accepted by the mail server before it are "
                "recorded; the others stay pending for the next run."
            ) from None
        except OSError as error:  # the lock file cannot be created
            raise CommandError(f"cannot take the lock: {error}.") from None
        verbose = options["verbosity"] > 1
        for digest in run.digests:
            who = f"{digest.username} <{digest.to}> ({digest.language})"
            what = (
                f"liaison digest for {digest.member_state}"
                if digest.member_state
                else "digest of claims awaiting verification"
            )
            count = f"{len(digest.items)} item{'s' if len(digest.items) != 1 else ''}"
            if run.dry_run:
                self.stdout.write(f"Would send to {who}: {what}, {count}.")
            elif digest.error:
                self.stdout.write(f"FAILED to send to {who}: {what}, {count}: {digest.error}")
            else:
                self.stdout.write(f"Sent to {who}: {what}, {count} (e-mail {digest.email_id}).")
            if verbose or run.dry_run:
                for name in digest.items:
                    self.stdout.write(f"  {name}")
        sent = len(run.digests) - len(run.failures)
        if run.dry_run:
            self.stdout.write(
                f"Dry run for {run.today}: {len(run.digests)} digests would be sent; "
                "nothing was sent or written."
            )
            return
        dropped = f", {run.dropped} reminders dropped (out of date)" if run.dropped else ""
        self.stdout.write(f"{run.today}: {sent} digests sent{dropped}.")
        if run.failures:
            raise CommandError(
                f"{len(run.failures)} of {len(run.digests)} digests could not be sent (see "
                "FAILED above and the e-mails in the admin); their reminders stay pending and "
                "the next run sends them.",
                returncode=TEMPFAIL_EXIT_STATUS,
            )
