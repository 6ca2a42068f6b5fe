"""API tokens: issued once in clear, stored as SHA-256, revocable, with an expiry; and the
liaisons who hold them (an account bound to one member state, with no other power)."""

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations import roles
from recommendations.models import ApiToken, Liaison, MemberState
from recommendations.scope import member_state_of, staff_power
from recommendations.services.audit import audit, author

KEY_PREFIX = "rt_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns it with the clear key (shown once, never stored)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    days = settings.API_TOKEN_DAYS if days is None else days
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:10],
        key_hash=hash_key(key),
        expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
    )
    return token, key


def token_revoke(*, token: ApiToken, user) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.revoked_by = author(user)
    token.save(update_fields=["revoked_at", "revoked_by"])
    return True


def _live(tokens: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
    """The tokens that still open the API: neither revoked nor expired."""
    return tokens.filter(revoked_at__isnull=True).exclude(expires_at__lte=timezone.now())


def tokens_live(user) -> QuerySet[ApiToken]:
    return _live(ApiToken.objects.filter(user=user))


def token_authenticate(key: str) -> ApiToken | None:
    """The active token for this key, or None (unknown, revoked, expired, inactive user)."""
    tokens = ApiToken.objects.select_related("user__liaison").filter(key_hash=hash_key(key))
    token = _live(tokens).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class LiaisonRefused(Exception):
    """The account carries staff power: a liaison token for it would carry that power."""


def liaison_check(user) -> None:
    """Refuse an account that is staff, superuser, or holds any permission."""
    reason = staff_power(user)
    if reason is not None:
        raise LiaisonRefused(
            _(
                "%(user)s %(reason)s: a liaison token would carry staff power. "
                "Create a separate account for the liaison."
            )
            % {"user": user.get_username(), "reason": reason}
        )


def liaison_bind(*, user, member_state: MemberState, by, via: str) -> Liaison:
    """Bind the user to the member state (or move them to it), on record: the history of
    the binding says who (`by`) and through what (`via`)."""
    liaison_check(user)
    with transaction.atomic():
        user.groups.add(Group.objects.get(name=roles.LIAISON))
        liaison = Liaison.objects.select_for_update().filter(user=user).first()
        if liaison is None:
            liaison = Liaison(user=user, member_state=member_state)
        elif liaison.member_state_id == member_state.pk:
            return liaison  # nothing changes: no history record
        else:
            liaison.member_state = member_state
        audit(liaison, user=by, via=via)
        liaison.save()
    return liaison


def liaison_unbind(*, liaison: Liaison, by, via: str) -> int:
    """End a binding, on record; the account leaves the Liaison group and its live tokens
    are revoked (issued for the liaison, they must not outlive the binding). Returns how
    many tokens were revoked."""
    with transaction.atomic():
        user = liaison.user
        revoked = sum(token_revoke(token=token, user=by) for token in tokens_live(user))
        user.groups.remove(Group.objects.get(name=roles.LIAISON))
        audit(liaison, user=by, via=via)
        liaison.delete()
    return revoked


def liaison_create(
    *,
    username: str,
    member_state: MemberState,
    days: int | None = None,
    by=None,
    via: str = "",
) -> tuple[Any, bool, ApiToken, str]:
    """Create (or reuse) the user, bind it to the member state, issue a token.

    An existing account with staff power is refused (LiaisonRefused) and nothing changes.
    """
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().filter(username=username).first()
        created = user is None
        if created:
            user = get_user_model()(username=username)
            user.set_unusable_password()
            user.save()
        liaison_bind(user=user, member_state=member_state, by=by, via=via)
        token, key = token_issue(user=user, name=f"liaison {member_state.iso3}", days=days)
    return user, created, token, key


def liaison_tokens_with_power(user) -> int:
    """How many live tokens this liaison holds while the account carries staff power (they
    now carry it too: a superuser should revoke them). 0 when it is not the case."""
    if member_state_of(user) is None or staff_power(user) is None:
        return 0
    return tokens_live(user).count()
