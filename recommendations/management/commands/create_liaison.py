from django.core.management.base import BaseCommand, CommandError

from recommendations.models import MemberState
from recommendations.services.tokens import LiaisonRefused, liaison_create


class Command(BaseCommand):
    help = (
        "Create (or reuse) a liaison user bound to a member state and issue an API token. "
        "The token is printed alone on the last line of the output, once: it is stored "
        "hashed and cannot be shown again. An existing account that is staff, superuser or "
        "holds any permission is refused: a liaison's token must carry a liaison's reach only."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--state", required=True, metavar="ISO3", help="member state")
        parser.add_argument(
            "--days", type=int, default=None, help="token lifetime in days (default 365)"
        )

    def handle(self, *args, username, state, days, **options):
        member_state = MemberState.objects.filter(iso3=state.upper()).first()
        if member_state is None:
            raise CommandError(
                f"--state {state}: not a UN member state ISO3 code (e.g. KEN, BOL, CHN)"
            )
        if days is not None and days < 1:
            raise CommandError("--days must be a whole number of days, 1 or more")
        try:
            user, created, token, key = liaison_create(
                username=username,
                member_state=member_state,
                days=days,
                via="command create_liaison",
            )
        except LiaisonRefused as refusal:
            raise CommandError(str(refusal)) from None
        verb = "Created" if created else "Reused"
        self.stdout.write(
            f"{verb} liaison '{user.username}' for {member_state.iso3} "
            f"({member_state.name_en}); token {token.prefix}… expires "
            f"{token.expires_at:%Y-%m-%d}."
        )
        self.stdout.write(key)
