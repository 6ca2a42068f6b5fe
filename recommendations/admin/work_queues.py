"""The work queues on the admin's index, and the list filters their links open.

The index is the admin site's own; it is wrapped (not replaced) to record the visit
(services/visits.py) and to add the queues' counts (selectors/admin_lists.work_queues)
and the questionnaire's pages (admin/questionnaires.py) to its context. Each count links
to the list it counts."""

import datetime
from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from ..selectors import admin_lists
from ..services import visits as visit_services
from .questionnaires import index_links

RECENT_CHOICES = {"1": 1, "7": 7, "30": 30}  # days, as the lists' filters offer them


class UpdatedSinceFilter(admin.SimpleListFilter):
    """Follow-ups changed since a moment: the user's last visit (the index's queue links
    here with it), or the last day or week."""

    title = _("last change")
    parameter_name = "updated_since"

    def lookups(self, request, model_admin):
        choices = [
            (timestamp(timezone.now() - datetime.timedelta(days=1)), _("in the last 24 hours")),
            (timestamp(timezone.now() - datetime.timedelta(days=7)), _("in the last 7 days")),
        ]
        since = visit_services.last_visit(request.session)
        if since is not None:
            choices.insert(0, (timestamp(since), _("since my last visit")))
        asked = self.since()
        if asked is not None and self.value() not in dict(choices):
            when = formats.date_format(timezone.localtime(asked), "DATETIME_FORMAT")
            choices.insert(0, (self.value(), _("since %(when)s") % {"when": when}))
        return choices

    def since(self) -> datetime.datetime | None:
        """The moment asked for (UTC when the address names no time zone)."""
        try:
            since = parse_datetime(self.value() or "")
        except ValueError:  # well formed, but no such moment ("2026-02-30T…")
            return None
        if since is not None and timezone.is_naive(since):
            since = timezone.make_aware(since, datetime.UTC)
        return since

    def queryset(self, request, queryset):
        since = self.since()
        if since is None:
            return queryset
        return admin_lists.follow_ups_updated_since(queryset, since)


class ImportedWithinFilter(admin.SimpleListFilter):
    title = _("import date")
    parameter_name = "imported_within"

    def lookups(self, request, model_admin):
        return [
            ("1", _("in the last 24 hours")),
            ("7", _("in the last 7 days")),
            ("30", _("in the last 30 days")),
        ]

    def queryset(self, request, queryset):
        days = RECENT_CHOICES.get(self.value() or "")
        if days is None:
            return queryset
        return admin_lists.reports_imported_within(queryset, days)


def timestamp(moment: datetime.datetime) -> str:
    """A moment to the second, in UTC, as the lists' addresses carry it."""
    return moment.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _list_url(model: str, **params) -> str:
    return f"{reverse(f'admin:recommendations_{model}_changelist')}?{urlencode(params)}"


def queues(request) -> list[dict]:
    """The queues the user may see: label, count and the address of the list counted."""
    since = visit_services.admin_visit_record(user=request.user, session=request.session)
    counts = admin_lists.work_queues(request.user, since)
    from .follow_ups import FollowUpAdmin  # the column the oldest-first ordering sorts by

    oldest_first = str(FollowUpAdmin.list_display.index("updated_at") + 1)
    rows = [
        {
            "id": "unverified-claims",
            "label": _("Claims awaiting verification"),
            "count": counts.unverified_claims,
            "url": _list_url("followup", verification="unverified", o=oldest_first),
            "oldest": counts.oldest_claim_at,
        },
        {
            "id": "changed-since",
            "label": _("Follow-ups changed since your last visit"),
            "count": counts.changed_since,
            "url": _list_url("followup", updated_since=timestamp(since), o=f"-{oldest_first}"),
            "since": since,
        },
        {
            "id": "without-follow-up",
            "label": _("Recommendations with no follow-up from any state"),
            "count": counts.without_follow_up,
            "url": _list_url("recommendation", has_follow_up="no", is_withdrawn__exact="0"),
        },
        {
            "id": "recent-reports",
            "label": _("Reports imported in the last 30 days"),
            "count": counts.recent_reports,
            "url": _list_url("report", imported_within=str(admin_lists.RECENT_IMPORT_DAYS)),
        },
    ]
    return [row for row in rows if row["count"] is not None]


_site_index = admin.site.index


def index(request, extra_context=None):
    """The admin site's index, with the work queues and the questionnaire's pages."""
    extra_context = {
        **(extra_context or {}),
        "work_queues": queues(request),
        "questionnaire_links": index_links(request),
    }
    return _site_index(request, extra_context)


admin.site.index = index
