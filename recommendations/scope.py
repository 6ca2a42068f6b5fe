"""Who reaches what: staff reach everything, a liaison their own member state."""

from django.utils.translation import gettext as _


def member_state_of(user) -> str | None:
    """The ISO3 code a liaison is bound to, or None."""
    if not (user and user.is_authenticated):
        return None
    liaison = getattr(user, "liaison", None)
    return liaison.member_state_id if liaison is not None else None


def is_secretariat(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def staff_power(user) -> str | None:
    """Why this account carries more than a liaison's reach, or None when it does not.

    Staff, superusers and any account holding a permission (directly or through a group)
    have powers a liaison must not have: a liaison token for such an account would carry
    them. Inactive accounts are judged too (they may be reactivated).
    """
    from django.contrib.auth.models import Permission

    if user.is_superuser:
        return _("is a superuser")
    if user.is_staff:
        return _("is a staff account")
    if user.user_permissions.exists() or Permission.objects.filter(group__user=user).exists():
        return _("holds permissions (directly or through its groups)")
    return None


def token_scope(user) -> str:
    """What a token of this user reaches through the API, in words (the admin shows it).

    The same order as the API's permission check: staff first, then a liaison's state.
    """
    if not user.is_active:
        return _("No access (inactive account)")
    if is_secretariat(user):
        return _("Staff: what the account's permissions allow")
    liaison = getattr(user, "liaison", None)
    if liaison is not None:
        state = liaison.member_state
        return _("Liaison of %(state)s (%(iso3)s)") % {"state": state.name, "iso3": state.iso3}
    return _("No access (neither liaison nor staff)")
