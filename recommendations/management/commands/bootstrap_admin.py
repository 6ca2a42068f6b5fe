from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from recommendations.services.accounts import password_generate


class Command(BaseCommand):
    help = (
        "Create the first staff superuser with a generated password, printed once. "
        "Does nothing when a superuser already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write("A superuser already exists; no account created.")
            return
        password = password_generate()
        users.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created superuser '{username}' with password: {password}\n"
                "This password is shown only once: note it, or set another with "
                f"`python manage.py changepassword {username}`."
            )
        )
