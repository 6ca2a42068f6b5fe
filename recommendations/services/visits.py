"""The admin's "last visit" of a member of staff, for the work queue of follow-ups changed
since then.

A visit is a session: the first time a session opens the admin's index, the time the user
last saw the index before (in an earlier session) becomes this session's "last visit" and
stays so while the session lasts, however often the index is reloaded; every index view
moves the stored time on. A user's first session counts the last FIRST_VISIT_DAYS days.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from recommendations.models import AdminVisit

SESSION_KEY = "tracker_last_visit"
FIRST_VISIT_DAYS = 7


def admin_visit_record(*, user, session) -> datetime.datetime:
    """Record that `user` opened the admin's index now; return their last visit (to the
    second: lists are filtered by it through the address)."""
    now = timezone.now()
    since = parse_datetime(session.get(SESSION_KEY) or "")
    if since is None:
        previous = (
            AdminVisit.objects.filter(user=user).values_list("last_seen_at", flat=True).first()
        )
        since = (previous or now - datetime.timedelta(days=FIRST_VISIT_DAYS)).replace(microsecond=0)
        session[SESSION_KEY] = since.isoformat()
    with transaction.atomic():
        AdminVisit.objects.update_or_create(user=user, defaults={"last_seen_at": now})
    return since


def last_visit(session) -> datetime.datetime | None:
    """This session's last visit, once the index has recorded one."""
    return parse_datetime(session.get(SESSION_KEY) or "")
