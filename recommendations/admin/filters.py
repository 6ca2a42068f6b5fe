"""List filters of the admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..choices import Status
from ..selectors import admin_lists


class HasFollowUpFilter(admin.SimpleListFilter):
    title = _("has follow-up")
    parameter_name = "has_follow_up"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return admin_lists.recommendations_with_follow_up(queryset, self.value() == "yes")
        return queryset


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
