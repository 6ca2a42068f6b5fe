"""An **unverified claim**: a follow-up whose member state reports the recommendation
`implemented` and that the secretariat has not verified yet. One definition for every
reader (the admin's lists and work queues, the reminders of claims awaiting
verification)."""

from django.db.models import Q

from recommendations.choices import Status


def unverified_claim_q(prefix: str = "") -> Q:
    """The unverified claims; `prefix` is the path to FollowUp ("" on FollowUp itself)."""
    return Q(**{f"{prefix}status": Status.IMPLEMENTED, f"{prefix}verified_at__isnull": True})
