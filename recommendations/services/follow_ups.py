"""Writes on follow-ups and actions: the one code path for the admin, the API and commands.

Updates can be conditional: given the version the caller last saw, the service claims the
row with a conditional UPDATE on the version column (`... WHERE version = seen`), so of
two concurrent writers exactly one wins and the other gets VersionConflict.
"""

import copy
import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recommendations.choices import Status
from recommendations.models import Action, FollowUp, MemberState, Recommendation
from recommendations.scope import is_secretariat
from recommendations.services import coverage_figures as figures
from recommendations.services.audit import audit, author
from recommendations.services.coverage_figures import FollowUpState

FOLLOW_UP_FIELDS = ("status", "response")
ACTION_FIELDS = ("date", "kind", "description", "evidence_url")
VERIFY_PERMISSION = "recommendations.verify_followup"
# The Charter of the United Nations entered into force on 24 October 1945.
EARLIEST_ACTION_DATE = datetime.date(1945, 10, 24)
# Decisions on a claim, as the history's change reason names them (after the channel).
VERIFIED = "verified"
CLAIM_REJECTED = "claim rejected"
# django-simple-history's change reason column (CharField(max_length=100)).
REASON_MAX_LENGTH = 100


class VersionConflict(Exception):
    """The row changed since the caller read it (or is gone: current_version None)."""

    def __init__(self, instance, current_version: int | None) -> None:
        super().__init__("the object was changed by someone else")
        self.model_name = instance._meta.model_name
        self.pk = instance.pk
        self.current_version = current_version


def can_verify(user) -> bool:
    """Whose `implemented` is verified as they say it: staff holding the verify permission
    (a liaison's is always a claim)."""
    return is_secretariat(user) and user.has_perm(VERIFY_PERMISSION)


def _apply_verification(follow_up: FollowUp, *, previous_status: str | None, user) -> None:
    """`implemented` from a verifier is verified by them; from anyone else it is a claim."""
    if follow_up.status != Status.IMPLEMENTED:
        follow_up.verified_at = None
        follow_up.verified_by = None
    elif previous_status != Status.IMPLEMENTED:
        if can_verify(user):
            follow_up.verified_at = timezone.now()
            follow_up.verified_by = user
        else:
            follow_up.verified_at = None
            follow_up.verified_by = None


def _check_fields(data: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})


def _clean(instance, fields: Iterable[str]) -> None:
    """The model's own checks (choices, lengths, URLs) of these fields, without the
    queries full_clean would make for foreign keys the caller already holds."""
    names = set(fields)
    instance.clean_fields(
        exclude=[field.name for field in instance._meta.fields if field.name not in names]
    )


def _claim(model, pk: int, expected_version: int | None) -> None:
    """Bump the version, conditionally on the one the caller saw."""
    rows = model.objects.filter(pk=pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1):
        current = model.objects.filter(pk=pk).values_list("version", flat=True).first()
        raise VersionConflict(model(pk=pk), current)


def _current(model, instance, expected_version: int | None, related: tuple[str, ...] = ()):
    """The row to change: the caller's copy when they name the version they read (the
    conditional write will prove it current), else the row as it is now, locked."""
    if expected_version is None:
        rows = model.objects.select_related(*related).select_for_update(of=("self",))
        return rows.get(pk=instance.pk)
    if instance.version != expected_version:
        raise VersionConflict(instance, instance.version)
    return copy.copy(instance)


def _conditional_update(instance, fields: Iterable[str]) -> bool:
    """One UPDATE of these fields and the next version, on the version read: of two
    writers who read the same version, one wins (True); the other changes nothing."""
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    updated = model.objects.filter(pk=instance.pk, version=instance.version).update(
        **values, version=instance.version + 1
    )
    if updated:
        instance.version += 1
    return bool(updated)


def _write(instance, fields: Iterable[str], *, user, via: str) -> None:
    """_conditional_update, and one history record; VersionConflict when it lost."""
    model = type(instance)
    if not _conditional_update(instance, fields):
        current = model.objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise VersionConflict(instance, current)
    audit(instance, user=user, via=via)
    model.history.bulk_history_create([instance], update=True)


def _touch(follow_up_id: int) -> None:
    """An action changed: the follow-up counts as updated (no new follow-up version)."""
    FollowUp.objects.filter(pk=follow_up_id).update(updated_at=timezone.now())


def is_open(recommendation: Recommendation) -> bool:
    """Follow-up of a recommendation is open while it is in its report. Withdrawn (it left
    the report on a re-import), its follow-ups and actions stay as they are, readable and
    deletable, but take no new follow-up, change or action until a re-import restores it."""
    return not recommendation.is_withdrawn


def check_recommendation_open(recommendation: Recommendation) -> None:
    if not is_open(recommendation):
        raise ValidationError(
            {
                "recommendation": _(
                    "This recommendation has been withdrawn from its report: its follow-up "
                    "is closed (what was logged is kept, unchanged)."
                )
            }
        )


def check_action_date(date: datetime.date | None) -> None:
    if date is None:
        return
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date of an action cannot be in the future.")})
    if date < EARLIEST_ACTION_DATE:
        raise ValidationError(
            {
                "date": _(
                    "The date of an action cannot be before 24 October 1945, when the "
                    "United Nations came into being."
                )
            }
        )


def follow_up_build(
    *,
    recommendation: Recommendation,
    member_state: MemberState,
    user,
    status: str = Status.NOT_STARTED,
    response: str = "",
) -> FollowUp:
    """A new follow-up checked by the rules (open recommendation, choices, verification),
    not saved: follow_up_create saves one, follow_ups_insert many at once."""
    check_recommendation_open(recommendation)
    by = author(user)
    follow_up = FollowUp(
        recommendation=recommendation,
        member_state=member_state,
        status=status,
        response=response,
        created_by=by,
        updated_by=by,
    )
    _apply_verification(follow_up, previous_status=None, user=user)
    _clean(follow_up, FOLLOW_UP_FIELDS)
    return follow_up


def _already_followed(recommendation, member_state) -> ValidationError | None:
    existing = (
        FollowUp.objects.filter(recommendation=recommendation, member_state=member_state)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is None:
        return None
    return ValidationError(
        {
            "recommendation": _(
                "This member state already has a follow-up of this recommendation "
                "(id %(id)s): change that one instead."
            )
            % {"id": existing}
        }
    )


def _hold_recommendations(pks: list[int]) -> None:
    """Share-lock the recommendations (FOR KEY SHARE, as the foreign key check would) before
    inserting their follow-ups: a change to the recommendations themselves
    (coverage_figures.recommendations_changing, FOR UPDATE) then either finishes first or
    waits, and the insert never waits while holding its new row (a deadlock on PostgreSQL)."""
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time (transaction_mode IMMEDIATE)
    table = connection.ops.quote_name(Recommendation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE",  # noqa: S608
            [sorted(set(pks))],
        )


def follow_up_create(
    *,
    recommendation: Recommendation,
    member_state: MemberState,
    user,
    status: str = Status.NOT_STARTED,
    response: str = "",
    via: str = "",
) -> FollowUp:
    follow_up = follow_up_build(
        recommendation=recommendation,
        member_state=member_state,
        user=user,
        status=status,
        response=response,
    )
    if (refused := _already_followed(recommendation, member_state)) is not None:
        raise refused
    audit(follow_up, user=user, via=via)
    with transaction.atomic():
        _hold_recommendations([recommendation.pk])
        follow_up.save()
        figures.follow_ups_changed([(None, FollowUpState.of(follow_up))])
    return follow_up


def follow_ups_insert(follow_ups: list[FollowUp], *, user, via: str = "") -> list[FollowUp]:
    """Save follow_up_build's follow-ups, which the caller found missing, in one INSERT
    and one history INSERT. Raises IntegrityError (nothing saved) when one was created
    meanwhile; the caller then creates them one by one (follow_up_create) to learn which."""
    if not follow_ups:
        return []
    by = author(user)
    with transaction.atomic():
        _hold_recommendations([follow_up.recommendation_id for follow_up in follow_ups])
        FollowUp.objects.bulk_create(follow_ups)
        FollowUp.history.bulk_history_create(follow_ups, default_user=by, default_change_reason=via)
        figures.follow_ups_changed((None, FollowUpState.of(row)) for row in follow_ups)
    return follow_ups


# What an update of a follow-up writes, besides the version.
FOLLOW_UP_WRITTEN = (*FOLLOW_UP_FIELDS, "updated_by", "updated_at", "verified_at", "verified_by")


def _remember_counted(follow_up: FollowUp) -> None:
    """Keep what the coverage figures count of the row as read (before any change)."""
    if not hasattr(follow_up, "_counted_before"):
        follow_up._counted_before = FollowUpState.of(follow_up)


def _counted_change(follow_up: FollowUp) -> tuple[FollowUpState, FollowUpState]:
    return follow_up._counted_before, FollowUpState.of(follow_up)


def follow_up_prepare(current: FollowUp, data: dict, *, user) -> bool:
    """Set `data` on `current` (a copy of the row at the version read) by the rules
    (open recommendation, choices, who, verification). False when nothing changes."""
    _check_fields(data, FOLLOW_UP_FIELDS)
    changed = [name for name, value in data.items() if getattr(current, name) != value]
    if not changed:
        return False
    check_recommendation_open(current.recommendation)
    _remember_counted(current)
    previous_status = current.status
    for name in changed:
        setattr(current, name, data[name])
    _clean(current, changed)
    current.updated_by = author(user)
    current.updated_at = timezone.now()
    _apply_verification(current, previous_status=previous_status, user=user)
    return True


def follow_up_update(
    *,
    follow_up: FollowUp,
    data: dict,
    user,
    expected_version: int | None = None,
    via: str = "",
) -> FollowUp:
    """Change status and response. With expected_version (the version the caller read,
    `follow_up` being that copy): one conditional UPDATE, no read."""
    _check_fields(data, FOLLOW_UP_FIELDS)
    with transaction.atomic():
        current = _current(FollowUp, follow_up, expected_version, ("recommendation",))
        if not follow_up_prepare(current, data, user=user):
            return current  # nothing to change: no new version, no history record
        _write(current, FOLLOW_UP_WRITTEN, user=user, via=via)
        figures.follow_ups_changed([_counted_change(current)])
        del current._counted_before
    return current


def follow_ups_write(
    prepared: list[FollowUp], *, user, via: str = ""
) -> tuple[list[FollowUp], list[FollowUp]]:
    """Write follow_up_prepare's changes, each by one conditional UPDATE on the version
    it was read at, and their history in one INSERT. Returns (written, changed since):
    a row changed by someone else since it was read is not written."""
    written, stale = [], []
    by = author(user)
    with transaction.atomic():
        for follow_up in prepared:
            won = _conditional_update(follow_up, FOLLOW_UP_WRITTEN)
            (written if won else stale).append(follow_up)
        FollowUp.history.bulk_history_create(
            written, update=True, default_user=by, default_change_reason=via
        )
        figures.follow_ups_changed(_counted_change(row) for row in written)
    for row in written:
        del row._counted_before
    return written, stale


def follow_up_delete(
    *, follow_up: FollowUp, user, expected_version: int | None = None, via: str = ""
) -> None:
    """Delete a follow-up and its actions (each leaves a history record)."""
    with transaction.atomic():
        _claim(FollowUp, follow_up.pk, expected_version)
        current = FollowUp.objects.get(pk=follow_up.pk)
        for action in current.actions.all():
            audit(action, user=user, via=via)
            action.delete()
        audit(current, user=user, via=via)
        counted = FollowUpState.of(current)
        current.delete()
        figures.follow_ups_changed([(counted, None)])


def decision_reason(*, via: str, decision: str, note: str = "") -> str:
    """The history's change reason of a decision on a claim: "admin: verified — <note>".
    The channel stays first (what readers of the history phrase as "in the admin by …"),
    the decision and the staff member's note follow. Refused when it would not fit the
    history's reason column."""
    note = " ".join(note.split())
    reason = f"{via}: {decision}" if via else decision
    if note:
        reason = f"{reason} — {note}"
    if len(reason) > REASON_MAX_LENGTH:
        most = REASON_MAX_LENGTH - len(reason) + len(note)
        raise ValidationError(
            {
                "note": ngettext(
                    "The note can have at most %(count)d character.",
                    "The note can have at most %(count)d characters.",
                    most,
                )
                % {"count": most}
            }
        )
    return reason


def note_max_length(*, via: str, decision: str) -> int:
    """The longest note a decision through `via` can carry (for the form's maxlength)."""
    return REASON_MAX_LENGTH - len(decision_reason(via=via, decision=decision)) - len(" — ")


def follow_up_verify(*, follow_up: FollowUp, user, via: str = "", note: str = "") -> bool:
    """Verify a claimed `implemented`. Returns False when there was nothing to verify.
    A note, when given, is kept in the history record's reason beside the channel."""
    if not can_verify(user):
        raise PermissionDenied(_("Verifying claims needs the verify permission."))
    reason = decision_reason(via=via, decision=VERIFIED, note=note) if note else via
    with transaction.atomic():
        current = _current(FollowUp, follow_up, None, ("recommendation",))
        if current.status != Status.IMPLEMENTED or current.verified_at is not None:
            return False
        counted = FollowUpState.of(current)
        current.verified_at = timezone.now()
        current.verified_by = user
        current.updated_by = user
        current.updated_at = timezone.now()
        _write(
            current,
            ["verified_at", "verified_by", "updated_by", "updated_at"],
            user=user,
            via=reason,
        )
        figures.follow_ups_changed([(counted, FollowUpState.of(current))])
    return True


def status_before_claim(follow_up: FollowUp) -> str:
    """The status a follow-up had before its current run of `implemented` (from its
    history, newest first); `in_progress` when the history does not say."""
    statuses = (
        FollowUp.history.filter(id=follow_up.pk)
        .order_by("-history_date", "-history_id")
        .values_list("status", flat=True)
    )
    for status in statuses.iterator():
        if status != Status.IMPLEMENTED:
            return status
    return Status.IN_PROGRESS


def follow_up_reject_claim(
    *,
    follow_up: FollowUp,
    user,
    note: str,
    via: str = "",
    expected_version: int | None = None,
) -> bool:
    """Refuse a claimed `implemented`: the status goes back to what it was before the
    claim, and the history records who refused it, through what, and why (the note).
    Returns False when there was no unverified claim to refuse."""
    if not can_verify(user):
        raise PermissionDenied(_("Rejecting claims needs the verify permission."))
    if not note.strip():
        raise ValidationError({"note": _("Say why the claim is rejected.")})
    reason = decision_reason(via=via, decision=CLAIM_REJECTED, note=note)
    with transaction.atomic():
        current = _current(FollowUp, follow_up, expected_version, ("recommendation",))
        if current.status != Status.IMPLEMENTED or current.verified_at is not None:
            return False
        check_recommendation_open(current.recommendation)
        counted = FollowUpState.of(current)
        current.status = status_before_claim(current)
        current.updated_by = user
        current.updated_at = timezone.now()
        _write(
            current,
            ["status", "updated_by", "updated_at", "verified_at", "verified_by"],
            user=user,
            via=reason,
        )
        figures.follow_ups_changed([(counted, FollowUpState.of(current))])
    return True


def follow_ups_verify(*, follow_ups: Iterable[FollowUp], user, via: str = "") -> int:
    """Verify every unverified `implemented` claim among these follow-ups, all or none.
    Their rows are locked first, in order, before any coverage figure is written (see
    services/coverage_figures.py: no deadlock with concurrent writers)."""
    follow_ups = list(follow_ups)
    with transaction.atomic():
        list(
            FollowUp.objects.filter(pk__in=[follow_up.pk for follow_up in follow_ups])
            .order_by("pk")
            .select_for_update()
            .values_list("pk")
        )
        return sum(
            follow_up_verify(follow_up=follow_up, user=user, via=via) for follow_up in follow_ups
        )


def check_follow_up_open(follow_up: FollowUp) -> None:
    """Actions follow the follow-up's rule: none added or changed once it is closed."""
    check_recommendation_open(follow_up.recommendation)


def action_build(
    *,
    follow_up: FollowUp,
    user,
    date: datetime.date,
    kind: str,
    description: str,
    evidence_url: str = "",
) -> Action:
    """A new action checked by the rules (open follow-up, choices, URL, date), not saved:
    action_create saves one, actions_insert many at once. `follow_up` may be one
    follow_up_build made and follow_ups_insert is about to save."""
    check_follow_up_open(follow_up)
    action = Action(
        follow_up=follow_up,
        date=date,
        kind=kind,
        description=description,
        evidence_url=evidence_url,
        created_by=author(user),
    )
    _clean(action, ACTION_FIELDS)
    check_action_date(action.date)
    return action


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
    action = action_build(
        follow_up=follow_up,
        user=user,
        date=date,
        kind=kind,
        description=description,
        evidence_url=evidence_url,
    )
    audit(action, user=user, via=via)
    with transaction.atomic():
        action.save()
        _touch(follow_up.pk)
    return action


def actions_insert(actions: list[Action], *, user, via: str = "") -> list[Action]:
    """Save action_build's actions (their follow-ups saved) in one INSERT, one history
    INSERT and one UPDATE marking their follow-ups as updated."""
    if not actions:
        return []
    for action in actions:
        action.follow_up = action.follow_up  # the follow-up's id, now that it is saved
    by = author(user)
    with transaction.atomic():
        Action.objects.bulk_create(actions)
        Action.history.bulk_history_create(actions, default_user=by, default_change_reason=via)
        FollowUp.objects.filter(pk__in={action.follow_up_id for action in actions}).update(
            updated_at=timezone.now()
        )
    return actions


def action_update(
    *, action: Action, data: dict, user, expected_version: int | None = None, via: str = ""
) -> Action:
    """Change an action. With expected_version: one conditional UPDATE, no read."""
    _check_fields(data, ACTION_FIELDS)
    with transaction.atomic():
        current = _current(Action, action, expected_version, ("follow_up__recommendation",))
        changed = [name for name, value in data.items() if getattr(current, name) != value]
        if not changed:
            return current
        check_follow_up_open(current.follow_up)
        for name in changed:
            setattr(current, name, data[name])
        _clean(current, changed)
        check_action_date(current.date)
        current.updated_at = timezone.now()
        _write(current, [*ACTION_FIELDS, "updated_at"], user=user, via=via)
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
