"""List filters of the admin."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import Status
from ..selectors import admin_lists
from ..selectors.deadlines import DUE_SOON_DAYS, days_overdue, due_soon_q, open_q, overdue_q


class YesNoFilter(admin.SimpleListFilter):
    """A filter of two choices, "yes" and "no", named by `labels`; `keep(queryset, yes)`
    filters."""

    labels = (_("Yes"), _("No"))

    def lookups(self, request, model_admin):
        return [("yes", self.labels[0]), ("no", self.labels[1])]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return self.keep(queryset, self.value() == "yes")
        return queryset


class HasFollowUpFilter(YesNoFilter):
    title = _("has follow-up")
    parameter_name = "has_follow_up"
    keep = staticmethod(admin_lists.recommendations_with_follow_up)


class FollowUpStatusFilter(admin.SimpleListFilter):
    title = _("follow-up status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return admin_lists.recommendations_with_follow_up_status(queryset, self.value())
        return queryset


class ThemeFilter(admin.RelatedFieldListFilter):
    """The themes, and "No theme" for recommendations that have none."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = _("No theme")


class BodyFilter(admin.RelatedOnlyFieldListFilter):
    """The bodies that recommendations are addressed to, by name in the reader's language."""

    def field_choices(self, field, request, model_admin):
        return sorted(super().field_choices(field, request, model_admin), key=lambda c: c[1])


class RevokedFilter(YesNoFilter):
    title = _("revoked")
    parameter_name = "revoked"
    labels = (_("Revoked"), _("Not revoked"))

    @staticmethod
    def keep(queryset, yes):
        return queryset.filter(revoked_at__isnull=not yes)


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("unverified", _("Unverified claims")), ("verified", _("Verified"))]

    def queryset(self, request, queryset):
        if self.value() == "unverified":
            return admin_lists.unverified_claims(queryset)
        if self.value() == "verified":
            return queryset.filter(verified_at__isnull=False)
        return queryset


class DeadlineFilter(admin.SimpleListFilter):
    """Overdue, due soon, no due date: the conditions of selectors/deadlines.py on a
    queryset annotated with `effective_due_date` (the ModelAdmin's get_queryset)."""

    title = _("deadline")
    parameter_name = "deadline"
    prefix = ""  # the way to the recommendation's fields ("recommendation__" from a follow-up)
    still_open = Q()  # what else a row needs to be overdue or due (a follow-up: open)

    def lookups(self, request, model_admin):
        return [
            ("overdue", capfirst(_("overdue"))),
            ("due_soon", gettext("Due within %(days)d days") % {"days": DUE_SOON_DAYS}),
            ("none", _("No due date")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(overdue_q(today, self.prefix) & self.still_open)
        if self.value() == "due_soon":
            return queryset.filter(due_soon_q(today, self.prefix) & self.still_open)
        if self.value() == "none":
            return queryset.filter(effective_due_date__isnull=True)
        return queryset


class FollowUpDeadlineFilter(DeadlineFilter):
    """Follow-ups still open whose recommendation is overdue or due soon."""

    prefix = "recommendation__"
    still_open = open_q()


def overdue_days(due_date, *, withdrawn: bool, status: str | None = None) -> int | None:
    """days_overdue as of today, for the admin's lists and pages."""
    return days_overdue(due_date, timezone.localdate(), status=status, withdrawn=withdrawn)
