"""API tokens: issued once in clear, stored as SHA-256, revocable, with an expiry."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recommendations.models import ApiToken, Liaison, MemberState

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
    token.revoked_by = user if getattr(user, "is_authenticated", False) else None
    token.save(update_fields=["revoked_at", "revoked_by"])
    return True


def token_authenticate(key: str) -> ApiToken | None:
    """The active token for this key, or None (unknown, revoked, expired, inactive user)."""
    token = (
        ApiToken.objects.select_related("user__liaison")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def liaison_create(*, username: str, member_state: MemberState, days: int | None = None):
    """Create (or reuse) the user, bind it to the member state, issue a token."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from recommendations import roles

    users = get_user_model()
    with transaction.atomic():
        user, created = users.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=roles.LIAISON))
        Liaison.objects.update_or_create(user=user, defaults={"member_state": member_state})
        token, key = token_issue(user=user, name=f"liaison {member_state.iso3}", days=days)
    return user, created, token, key
