"""Writes on follow-ups and actions: the one code path for the admin, the API and commands.

Updates can be conditional: given the version the caller last saw, the service claims the
row with a conditional UPDATE on the version column (`... WHERE version = seen`), so of
two concurrent writers exactly one wins and the other gets VersionConflict.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations.choices import Status
from recommendations.models import Action, FollowUp, MemberState, Recommendation
from recommendations.services.audit import audit

FOLLOW_UP_FIELDS = ("status", "response")
ACTION_FIELDS = ("date", "kind", "description", "evidence_url")


class VersionConflict(Exception):
    """The row changed since the caller read it."""

    def __init__(self, current_version: int | None) -> None:
        super().__init__("the object was changed by someone else")
        self.current_version = current_version


def _apply_verification(
    follow_up: FollowUp, *, previous_status: str | None, user, verified_by_staff: bool
) -> None:
    """`implemented` from staff is verified by them; from a liaison it is a claim."""
    if follow_up.status != Status.IMPLEMENTED:
        follow_up.verified_at = None
        follow_up.verified_by = None
    elif previous_status != Status.IMPLEMENTED:
        if verified_by_staff:
            follow_up.verified_at = timezone.now()
            follow_up.verified_by = user
        else:
            follow_up.verified_at = None
            follow_up.verified_by = None


def _claim(model, pk: int, expected_version: int | None) -> None:
    """Bump the version, conditionally on the one the caller saw."""
    rows = model.objects.filter(pk=pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1):
        current = model.objects.filter(pk=pk).values_list("version", flat=True).first()
        raise VersionConflict(current)


def _touch(follow_up_id: int) -> None:
    """An action changed: the follow-up counts as updated (no new follow-up version)."""
    FollowUp.objects.filter(pk=follow_up_id).update(updated_at=timezone.now())


def follow_up_create(
    *,
    recommendation: Recommendation,
    member_state: MemberState,
    user,
    status: str = Status.NOT_STARTED,
    response: str = "",
    verified_by_staff: bool = False,
    via: str = "",
) -> FollowUp:
    check_recommendation_open(recommendation)
    follow_up = FollowUp(
        recommendation=recommendation,
        member_state=member_state,
        status=status,
        response=response,
        created_by=user,
        updated_by=user,
    )
    _apply_verification(
        follow_up, previous_status=None, user=user, verified_by_staff=verified_by_staff
    )
    follow_up.full_clean()
    audit(follow_up, user=user, via=via)
    with transaction.atomic():
        follow_up.save()
    return follow_up


def follow_up_update(
    *,
    follow_up: FollowUp,
    data: dict,
    user,
    verified_by_staff: bool = False,
    expected_version: int | None = None,
    via: str = "",
) -> FollowUp:
    unknown = set(data) - set(FOLLOW_UP_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    with transaction.atomic():
        fresh = FollowUp.objects.get(pk=follow_up.pk)
        if all(getattr(fresh, name) == value for name, value in data.items()):
            if expected_version is not None and fresh.version != expected_version:
                raise VersionConflict(fresh.version)
            return fresh  # nothing to change: no new version, no history record
        _claim(FollowUp, follow_up.pk, expected_version)
        current = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        previous_status = current.status
        for name, value in data.items():
            setattr(current, name, value)
        current.updated_by = user
        _apply_verification(
            current,
            previous_status=previous_status,
            user=user,
            verified_by_staff=verified_by_staff,
        )
        current.full_clean()
        audit(current, user=user, via=via)
        current.save()
    return current


def follow_up_delete(
    *, follow_up: FollowUp, user, expected_version: int | None = None, via: str = ""
) -> None:
    with transaction.atomic():
        _claim(FollowUp, follow_up.pk, expected_version)
        current = FollowUp.objects.get(pk=follow_up.pk)
        for action in current.actions.all():
            audit(action, user=user, via=via)
            action.delete()
        audit(current, user=user, via=via)
        current.delete()


def follow_up_verify(*, follow_up: FollowUp, user, via: str = "") -> bool:
    """Verify a claimed `implemented`. Returns False when there was nothing to verify."""
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if current.status != Status.IMPLEMENTED or current.verified_at is not None:
            return False
        _claim(FollowUp, current.pk, current.version)
        current.version += 1
        current.verified_at = timezone.now()
        current.verified_by = user
        current.updated_by = user
        audit(current, user=user, via=via)
        current.save()
    return True


def follow_ups_verify(*, follow_ups: Iterable[FollowUp], user, via: str = "") -> int:
    """Verify every unverified `implemented` claim among these follow-ups, all or none."""
    with transaction.atomic():
        return sum(
            follow_up_verify(follow_up=follow_up, user=user, via=via) for follow_up in follow_ups
        )


def check_recommendation_open(recommendation: Recommendation) -> None:
    """Follow-up starts only on recommendations still in their report."""
    if recommendation.is_withdrawn:
        raise ValidationError(
            {"recommendation": _("This recommendation has been withdrawn from its report.")}
        )


def check_action_date(date: datetime.date | None) -> None:
    if date and date > timezone.localdate():
        raise ValidationError({"date": _("The date of an action cannot be in the future.")})


def action_create(
    *,
    follow_up: FollowUp,
    user,
    date: datetime.date,
    kind: str,
    description: str,
    evidence_url: str = "",
    via: str = "",
) -> Action:
    action = Action(
        follow_up=follow_up,
        date=date,
        kind=kind,
        description=description,
        evidence_url=evidence_url,
        created_by=user,
    )
    action.full_clean()
    check_action_date(action.date)
    audit(action, user=user, via=via)
    with transaction.atomic():
        action.save()
        _touch(follow_up.pk)
    return action


def action_update(
    *, action: Action, data: dict, user, expected_version: int | None = None, via: str = ""
) -> Action:
    unknown = set(data) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    with transaction.atomic():
        fresh = Action.objects.get(pk=action.pk)
        if all(getattr(fresh, name) == value for name, value in data.items()):
            if expected_version is not None and fresh.version != expected_version:
                raise VersionConflict(fresh.version)
            return fresh
        _claim(Action, action.pk, expected_version)
        current = Action.objects.select_for_update().get(pk=action.pk)
        for name, value in data.items():
            setattr(current, name, value)
        current.full_clean()
        check_action_date(current.date)
        audit(current, user=user, via=via)
        current.save()
        _touch(current.follow_up_id)
    return current


def action_delete(
    *, action: Action, user, expected_version: int | None = None, via: str = ""
) -> None:
    with transaction.atomic():
        _claim(Action, action.pk, expected_version)
        current = Action.objects.get(pk=action.pk)
        audit(current, user=user, via=via)
        current.delete()
        _touch(current.follow_up_id)
