"""Who reaches what: staff reach everything, a liaison their own member state."""


def member_state_of(user) -> str | None:
    """The ISO3 code a liaison is bound to, or None."""
    if not (user and user.is_authenticated):
        return None
    liaison = getattr(user, "liaison", None)
    return liaison.member_state_id if liaison is not None else None


def is_secretariat(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)
