"""Attribution of a write in the audit history: who made it, and through what."""


def audit(instance, *, user, via: str = "") -> None:
    """Tag the next save/delete of `instance` for django-simple-history.

    `user` is who (None for commands and imports), `via` where the write came from
    ("admin", "api", "import …"); it is stored as the history record's change reason.
    """
    instance._history_user = user if getattr(user, "is_authenticated", False) else None
    if via:
        instance._change_reason = via
