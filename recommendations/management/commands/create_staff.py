import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from recommendations.services.accounts import StaffRefused, staff_create

PASSWORD_VARIABLE = "STAFF_PASSWORD"  # noqa: S105 (the name of a variable)


class Command(BaseCommand):
    help = (
        "Create a staff account in the Secretariat role. The password is read from the "
        f"environment variable {PASSWORD_VARIABLE} when it is set; otherwise one is "
        "generated and printed once. An existing username (a liaison's too) is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--superuser", action="store_true", help="also a superuser (users, tokens, liaisons)"
        )

    def handle(self, *args, username, email, superuser, **options):
        given = os.environ.get(PASSWORD_VARIABLE) or None
        try:
            user, password = staff_create(
                username=username, email=email, superuser=superuser, password=given
            )
        except StaffRefused as refusal:
            raise CommandError(str(refusal)) from None
        except ValidationError as error:
            raise CommandError(" ".join(_messages(error))) from None
        role = "superuser and Secretariat staff" if superuser else "Secretariat staff"
        self.stdout.write(self.style.SUCCESS(f"Created '{user.username}' ({role})."))
        if given is None:
            self.stdout.write(
                f"Password (shown only this once): {password}\n"
                "Note it, or set another with "
                f"`python manage.py changepassword {user.username}`."
            )
        else:
            self.stdout.write(f"Password: as given in {PASSWORD_VARIABLE}.")


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()]
    return error.messages
