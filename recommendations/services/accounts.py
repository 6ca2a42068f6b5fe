"""Staff accounts: a secretariat officer's login for the admin, in the Secretariat role.

A liaison's account is never made staff here: a liaison's tokens would carry the staff
power (see services/tokens.py); staff get an account of their own.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _

from recommendations import roles
from recommendations.scope import member_state_of


class StaffRefused(Exception):
    """The username is taken (by a staff account, a liaison or anyone else)."""


def password_generate() -> str:
    """A random password to be shown once (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def staff_create(
    *, username: str, email: str = "", superuser: bool = False, password: str | None = None
) -> tuple:
    """Create a staff account in the Secretariat role (a superuser too if asked).

    Returns the user and its password: the one given (checked by the password
    validators) or a generated one, to be shown once. An existing username is refused
    (StaffRefused) and nothing changes; a bad username, email or password raises
    ValidationError.
    """
    users = get_user_model()
    with transaction.atomic():
        existing = users.objects.select_for_update().filter(username=username).first()
        if existing is not None:
            iso3 = member_state_of(existing)
            if iso3 is not None:
                raise StaffRefused(
                    _(
                        "%(user)s is the liaison of %(iso3)s: a liaison's API tokens would "
                        "carry staff power. Create a separate account for the staff member."
                    )
                    % {"user": username, "iso3": iso3}
                )
            raise StaffRefused(
                _("An account named %(user)s exists already; nothing changed.") % {"user": username}
            )
        user = users(username=username, email=email, is_staff=True, is_superuser=superuser)
        if password is None:
            password = password_generate()
        else:
            validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
        user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    return user, password
