"""E-mail: the digests sent (or tried) and the reminders they carried, read-only (the
record of what the tracker told whom); each user's e-mail preferences are an inline of
the user admin (accounts.py), edited through services.reminders."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import Email, Reminder, UserPreference
from ..services import reminders as reminder_services
from .common import ReadOnlyInline
from .filters import YesNoFilter


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record: viewed, never added, changed or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PendingFilter(YesNoFilter):
    title = _("sent")
    parameter_name = "sent"
    labels = (_("Sent"), _("Pending"))

    @staticmethod
    def keep(queryset, yes):
        return queryset.filter(sent_at__isnull=not yes)


class EmailReminderInline(ReadOnlyInline):
    model = Reminder
    fields = ["key", "threshold", "created_at", "sent_at"]
    readonly_fields = fields
    verbose_name_plural = _("reminders carried")


@admin.register(Email)
class EmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "user", "kind", "language", "subject", "outcome"]
    list_filter = ["outcome", "kind", "language"]
    list_select_related = ["user"]
    search_fields = ["to", "subject", "user__username"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "user",
        "to",
        "kind",
        "language",
        "subject",
        "outcome",
        "error",
        "body",
    ]
    readonly_fields = fields
    inlines = [EmailReminderInline]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["key", "user", "threshold", "created_at", "sent_at", "email_link"]
    list_filter = [PendingFilter, "threshold"]
    list_select_related = ["user", "email"]
    search_fields = ["key", "user__username", "user__email"]
    fields = [
        "user",
        "key",
        "recommendation",
        "member_state",
        "follow_up",
        "threshold",
        "created_at",
        "sent_at",
        "email",
    ]
    readonly_fields = fields

    @admin.display(description=_("e-mail"), ordering="email")
    def email_link(self, obj):
        if obj.email_id is None:
            return "—"
        url = reverse("admin:recommendations_email_change", args=[obj.email_id])
        return format_html('<a href="{}">{}</a>', url, obj.email.get_outcome_display())


class UserPreferenceInline(admin.StackedInline):
    """A user's e-mail preferences: the language of their digests, and whether they get
    any (the way back in after the one-click opt-out)."""

    model = UserPreference
    fields = ["language", "digests"]
    can_delete = False
    max_num = 1

    @staticmethod
    def save_formset(formset) -> None:
        """Save through the service (the user admin calls it)."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for form in formset.forms:
            if not form.has_changed():
                continue
            created = form.instance.pk is None or form.instance._state.adding
            preference = reminder_services.user_preference_set(
                user=formset.instance,
                language=form.cleaned_data["language"],
                digests=form.cleaned_data["digests"],
            )
            if created:
                formset.new_objects.append(preference)
            else:
                formset.changed_objects.append((preference, form.changed_data))
