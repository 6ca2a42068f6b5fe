"""Reads of the reminders by e-mail (services/reminders.py writes and sends).

- **Liaisons** get a digest when they are active, have an e-mail address and have not
  opted out (UserPreference.digests; no preference means the defaults: digests on,
  English).
- **Verifiers** (staff holding *Can verify implemented claims*, as
  services.follow_ups.can_verify says: active staff with the permission, superusers
  included) get a digest of the claims awaiting verification, on the same conditions.
- A **claim awaiting verification**: `implemented`, unverified, its recommendation not
  withdrawn.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from recommendations.models import FollowUp, Liaison, RecommendationText, Reminder
from recommendations.selectors.claims import unverified_claim_q
from recommendations.selectors.deadlines import FINAL_STATUSES, due_date_of
from recommendations.selectors.texts import TEXTS_ATTR
from recommendations.services.follow_ups import VERIFY_PERMISSION

DIGESTS_ON = Q(preference__isnull=True) | Q(preference__digests=True)


def _mailable(users: QuerySet) -> QuerySet:
    return users.filter(DIGESTS_ON, is_active=True).exclude(email="")


def liaison_recipients() -> list[Liaison]:
    """The liaisons who get a digest, with their user (and preference) and state."""
    users = _mailable(get_user_model().objects.all())
    return list(
        Liaison.objects.filter(user__in=users)
        .select_related("user__preference", "member_state")
        .order_by("member_state", "user__username")
    )


def verifier_recipients() -> list:
    """The staff who get the digest of claims awaiting verification."""
    users = get_user_model().objects.with_perm(
        VERIFY_PERMISSION,
        is_active=True,
        include_superusers=True,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return list(
        _mailable(users.filter(is_staff=True)).select_related("preference").order_by("username")
    )


def claims_awaiting() -> QuerySet[FollowUp]:
    """Claims awaiting verification, oldest claim first."""
    return (
        FollowUp.objects.filter(unverified_claim_q(), recommendation__is_withdrawn=False)
        .select_related("recommendation__report", "member_state")
        .order_by("updated_at", "pk")
    )


def reminder_keys(user_ids: list[int]) -> dict[int, set[str]]:
    """The keys of every reminder (pending or sent) of these users."""
    keys: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    for user_id, key in Reminder.objects.filter(user__in=user_ids).values_list("user", "key"):
        keys[user_id].add(key)
    return keys


def pending_reminders(user, *, claims: bool) -> list[Reminder]:
    """A user's reminders not sent yet, of claims or (not `claims`) of recommendations
    due, with what a digest shows of them: the recommendation (its report, texts and
    `effective_due_date`) or the follow-up."""
    texts = RecommendationText.objects.order_by("language")
    kind = Q(follow_up__isnull=False) if claims else Q(recommendation__isnull=False)
    return list(
        Reminder.objects.filter(kind, user=user, sent_at__isnull=True)
        .annotate(effective_due_date=due_date_of("recommendation__"))
        .select_related(
            "recommendation__report",
            "member_state",
            "follow_up__recommendation__report",
            "follow_up__member_state",
        )
        .prefetch_related(Prefetch("recommendation__texts", queryset=texts, to_attr=TEXTS_ATTR))
        .order_by("pk")
    )


def answered_pairs(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of the (recommendation id, ISO3) pairs whose state gave a final answer."""
    if not pairs:
        return set()
    rows = FollowUp.objects.filter(
        recommendation__in={rec for rec, _state in pairs},
        member_state__in={state for _rec, state in pairs},
        status__in=FINAL_STATUSES,
    ).values_list("recommendation", "member_state")
    return set(rows) & pairs
