"""Attribution of a write in the audit history: who made it, and through what."""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _


def author(user):
    """Who a write is by: the user when signed in, None for commands and imports."""
    return user if getattr(user, "is_authenticated", False) else None


def audit(instance, *, user, via: str = "") -> None:
    """Tag the next save/delete of `instance` for django-simple-history.

    `user` is who (None for commands and imports), `via` where the write came from
    ("admin", "api", "import …"); it is stored as the history record's change reason.
    """
    instance._history_user = author(user)
    if via:
        instance._change_reason = via


def audited_update(
    instance,
    data: dict,
    *,
    user,
    via: str = "",
    fixed: Iterable[str] = (),
    also=(),
    before: Callable | None = None,
) -> tuple:
    """Set the values of `data` that differ from the stored row (locked), validate, save
    only those (and the fields in `also`, such as an auto_now stamp), on record.

    Returns the saved row and the names changed: none means no write and no history.
    A field in `fixed` may be given, not changed (ValidationError). `before(row)` is
    called with the stored row, inside the transaction, when something is to be written.
    """
    with transaction.atomic():
        current = type(instance).objects.select_for_update().get(pk=instance.pk)
        changed = [name for name, value in data.items() if getattr(current, name) != value]
        refused = set(changed) & set(fixed)
        if refused:
            raise ValidationError({name: _("This field cannot be changed.") for name in refused})
        if changed:
            if before is not None:
                before(current)
            for name in changed:
                setattr(current, name, data[name])
            current.full_clean()
            audit(current, user=user, via=via)
            current.save(update_fields=[*changed, *also])
    return current, changed
