"""Follow-ups and their actions, written through the services; closed when withdrawn."""

from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..choices import Status
from ..models import (
    Action,
    FollowUp,
)
from ..selectors import admin_lists
from ..selectors import exports as export_selectors
from ..selectors.deadlines import with_due_date
from ..selectors.texts import text_in
from ..services import follow_ups as follow_up_services
from .common import _changed, _csv_response, _save_formset, language_name
from .filters import FollowUpDeadlineFilter, VerificationFilter, overdue_days
from .forms import ActionForm, ActionInlineForm, FollowUpForm
from .history import HistoryInWordsAdmin, channel_phrase
from .work_queues import UpdatedSinceFilter


class ClosedWhenWithdrawnMixin:
    """The one rule of follow_up_services.is_open, in the admin: the follow-ups and actions
    of a withdrawn recommendation are shown read-only (and may still be deleted)."""

    @staticmethod
    def recommendation_of(obj):
        return obj

    def _open(self, obj) -> bool:
        return obj is None or follow_up_services.is_open(self.recommendation_of(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._open(obj)


class ClosedInlineMixin(ClosedWhenWithdrawnMixin):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._open(obj)


class FollowUpInline(ClosedInlineMixin, admin.TabularInline):
    model = FollowUp
    extra = 0
    fields = ["member_state", "status", "response", "verification", "action_summary"]
    readonly_fields = ["verification", "action_summary"]
    autocomplete_fields = ["member_state"]
    show_change_link = True
    verbose_name_plural = _("follow-ups by member state")

    def get_queryset(self, request):
        return admin_lists.follow_up_list().order_by("member_state__name_en")

    @admin.display(description=_("verification"))
    def verification(self, obj):
        return _verification_text(obj)

    @admin.display(description=_("actions"))
    def action_summary(self, obj):
        return obj.action_count if obj.pk else "-"


def _verification_text(follow_up: FollowUp) -> str:
    if follow_up.status != Status.IMPLEMENTED:
        return "-"
    if follow_up.verified_at is None:
        return str(_("unverified claim"))
    when = timezone.localtime(follow_up.verified_at).strftime("%Y-%m-%d %H:%M")
    return str(_("verified by %(user)s, %(when)s") % {"user": follow_up.verified_by, "when": when})


class FollowUpWritesMixin:
    """Inline follow-ups and actions are saved through the services, never directly."""

    def has_verify_permission(self, request):
        return follow_up_services.can_verify(request.user)

    def verify_claims(self, request, follow_ups) -> None:
        """The bulk action: every unverified claim among these follow-ups, verified."""
        count = follow_up_services.follow_ups_verify(
            follow_ups=admin_lists.unverified_claims(follow_ups), user=request.user, via="admin"
        )
        self.message_user(
            request,
            ngettext("%(count)d claim verified.", "%(count)d claims verified.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def save_follow_up_formset(self, request, formset, *, recommendation):
        user = request.user
        _save_formset(
            formset,
            create=lambda data: follow_up_services.follow_up_create(
                recommendation=recommendation,
                member_state=data["member_state"],
                status=data["status"],
                response=data.get("response", ""),
                user=user,
                via="admin",
            ),
            update=lambda form: follow_up_services.follow_up_update(
                follow_up=form.instance,
                data=_changed(form, follow_up_services.FOLLOW_UP_FIELDS),
                user=user,
                via="admin",
            ),
            delete=lambda instance: follow_up_services.follow_up_delete(
                follow_up=instance, user=user, via="admin"
            ),
        )

    def save_action_formset(self, request, formset, *, follow_up):
        user = request.user
        fields = follow_up_services.ACTION_FIELDS
        _save_formset(
            formset,
            create=lambda data: follow_up_services.action_create(
                follow_up=follow_up,
                user=user,
                via="admin",
                **{name: data[name] for name in fields},
            ),
            update=lambda form: follow_up_services.action_update(
                action=form.instance, data=_changed(form, fields), user=user, via="admin"
            ),
            delete=lambda instance: follow_up_services.action_delete(
                action=instance, user=user, via="admin"
            ),
        )


class ActionInline(ClosedInlineMixin, admin.TabularInline):
    model = Action
    form = ActionInlineForm
    extra = 1
    fields = list(follow_up_services.ACTION_FIELDS)

    @staticmethod
    def recommendation_of(obj):  # the follow-up the actions belong to
        return obj.recommendation


@admin.register(FollowUp)
class FollowUpAdmin(ClosedWhenWithdrawnMixin, FollowUpWritesMixin, HistoryInWordsAdmin):
    form = FollowUpForm

    @staticmethod
    def recommendation_of(obj):
        return obj.recommendation

    list_display = [
        "recommendation",
        "member_state",
        "status_and_deadline",
        "response",
        "verification",
        "action_count",
        "updated_at",
        "updated_by",
    ]
    list_filter = [
        "status",
        "response",
        VerificationFilter,
        FollowUpDeadlineFilter,
        UpdatedSinceFilter,
        "recommendation__report",
    ]
    search_fields = [
        "recommendation__label",
        "recommendation__text",
        "member_state__name_en",
        "member_state__name_zh",
        "member_state__iso3",
    ]
    autocomplete_fields = ["recommendation", "member_state"]
    readonly_fields = [
        "verification",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    inlines = [ActionInline]
    actions = ["mark_verified", "export_csv"]
    list_per_page = 50
    object_history_template = "admin/recommendations/followup/object_history.html"

    def get_queryset(self, request):
        return with_due_date(admin_lists.follow_up_list(), "recommendation__")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["recommendation", "member_state"]
        return fields

    @admin.display(description=_("verification"))
    def verification(self, obj):
        return _verification_text(obj)

    @admin.display(description=_("actions"), ordering="action_count")
    def action_count(self, obj):
        return obj.action_count

    @admin.display(description=_("days overdue"))
    def days_overdue(self, obj):
        return overdue_days(
            obj.effective_due_date, withdrawn=obj.recommendation.is_withdrawn, status=obj.status
        )

    @admin.display(description=_("status"), ordering="status")
    def status_and_deadline(self, obj):
        """The status, and under it how many days it is overdue (one column: the list
        fits 1366 px)."""
        days = self.days_overdue(obj)
        if days is None:
            return obj.get_status_display()
        late = ngettext("%(days)d day overdue", "%(days)d days overdue", days) % {"days": days}
        return format_html('{}<br><span class="overdue">{}</span>', obj.get_status_display(), late)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = follow_up_services.follow_up_update(
                follow_up=obj,
                data=_changed(form, follow_up_services.FOLLOW_UP_FIELDS),
                user=request.user,
                via="admin",
            )
        else:
            saved = follow_up_services.follow_up_create(
                recommendation=data["recommendation"],
                member_state=data["member_state"],
                status=data["status"],
                response=data.get("response", ""),
                user=request.user,
                via="admin",
            )
        obj.pk = saved.pk
        obj.version = saved.version

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_action_formset(request, formset, follow_up=form.instance)

    def delete_model(self, request, obj):
        follow_up_services.follow_up_delete(follow_up=obj, user=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        for follow_up in queryset:
            follow_up_services.follow_up_delete(follow_up=follow_up, user=request.user, via="admin")

    # The page: the recommendation, its report and themes, the status history, and the
    # decision on an unverified claim (Verify / Reject claim) -------------------------

    def get_urls(self):
        # Before the default ones, whose "<object_id>/" would take these addresses.
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/verify/",
                view(require_POST(self.verify_view)),
                name=f"{name}_verify",
            ),
            path(
                "<path:object_id>/reject-claim/",
                view(require_POST(self.reject_claim_view)),
                name=f"{name}_reject_claim",
            ),
            *super().get_urls(),
        ]

    def can_decide(self, request, follow_up) -> bool:
        """Whether the user may verify or reject this follow-up's claim: the verify
        permission, and a follow-up they may change (so not a closed one)."""
        return follow_up_services.can_verify(request.user) and self.has_change_permission(
            request, follow_up
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        follow_up = self.get_object(request, unquote(object_id))
        if follow_up is not None:
            extra_context = {**(extra_context or {}), **self.page_context(request, follow_up)}
        return super().change_view(request, object_id, form_url, extra_context)

    def page_context(self, request, follow_up) -> dict:
        recommendation = follow_up.recommendation
        shown = text_in(recommendation, get_language())
        claim = follow_up.status == Status.IMPLEMENTED and follow_up.verified_at is None
        changes = [
            {
                "at": change.at,
                "before": Status(change.before).label if change.before else None,
                "after": Status(change.after).label,
                "verified": change.verified,
                "how": channel_phrase(change.reason, change.user),
            }
            for change in admin_lists.follow_up_status_changes(follow_up)
        ]
        report = recommendation.report
        return {
            "recommendation": recommendation,
            "report_url": reverse("admin:recommendations_report_change", args=[report.pk])
            if request.user.has_perm("recommendations.view_report")
            else None,
            "shown_text": shown,
            "shown_language": language_name(shown.language),
            "themes": list(recommendation.themes.all()),
            "status_changes": changes,
            "is_claim": claim,
            "can_decide": claim and self.can_decide(request, follow_up),
            "note_max_length": follow_up_services.note_max_length(
                via="admin", decision=follow_up_services.CLAIM_REJECTED
            ),
        }

    def _decide(self, request, object_id, decide, done, nothing):
        follow_up = self.get_object(request, unquote(object_id))
        if follow_up is None:
            raise Http404
        if not self.can_decide(request, follow_up):
            raise PermissionDenied
        note = request.POST.get("note", "")
        version = request.POST.get("version", "")
        try:
            decided = decide(follow_up, note, int(version) if version.isdigit() else None)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
        except follow_up_services.VersionConflict:
            self.message_user(
                request,
                _("Someone changed this follow-up meanwhile: read it again, then decide."),
                messages.ERROR,
            )
        else:
            if decided:
                self.message_user(request, done % {"follow_up": follow_up}, messages.SUCCESS)
            else:
                self.message_user(request, nothing, messages.WARNING)
        change_url = reverse("admin:recommendations_followup_change", args=[follow_up.pk])
        preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return redirect(add_preserved_filters(preserved, change_url))

    def verify_view(self, request, object_id):
        return self._decide(
            request,
            object_id,
            lambda follow_up, note, version: follow_up_services.follow_up_verify(
                follow_up=follow_up, user=request.user, note=note, via="admin"
            ),
            _("The claim of “%(follow_up)s” is verified."),
            _("There was no unverified claim to verify."),
        )

    def reject_claim_view(self, request, object_id):
        return self._decide(
            request,
            object_id,
            lambda follow_up, note, version: follow_up_services.follow_up_reject_claim(
                follow_up=follow_up,
                user=request.user,
                note=note,
                via="admin",
                expected_version=version,
            ),
            _("The claim of “%(follow_up)s” is rejected: its status is back to what it was."),
            _("There was no unverified claim to reject."),
        )

    def history_view(self, request, object_id, extra_context=None):
        actions = (
            Action.history.filter(follow_up_id=object_id)
            .select_related("history_user")
            .order_by("-history_date")
        )
        extra_context = {**(extra_context or {}), "action_history": actions}
        return super().history_view(request, object_id, extra_context=extra_context)

    @admin.action(description=_("Mark implemented claims verified"), permissions=["verify"])
    def mark_verified(self, request, queryset):
        self.verify_claims(request, queryset)

    @admin.action(description=_("Export selected to CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        rows = export_selectors.status_rows(follow_ups=queryset)
        return _csv_response(export_selectors.STATUS_COLUMNS, rows, "statuses")


@admin.register(Action)
class ActionAdmin(ClosedWhenWithdrawnMixin, HistoryInWordsAdmin):
    form = ActionForm

    @staticmethod
    def recommendation_of(obj):
        return obj.follow_up.recommendation

    list_display = ["follow_up", "date", "kind", "short_description", "created_by"]
    list_filter = ["kind"]
    list_select_related = [
        "follow_up__recommendation__report",
        "follow_up__member_state",
        "created_by",
    ]
    autocomplete_fields = ["follow_up"]
    search_fields = ["description"]
    readonly_fields = ["version", "created_at", "created_by", "updated_at"]

    @admin.display(description=_("description"))
    def short_description(self, obj):
        return Truncator(obj.description).chars(60)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in follow_up_services.ACTION_FIELDS}
        if change:
            saved = follow_up_services.action_update(
                action=obj,
                data=_changed(form, follow_up_services.ACTION_FIELDS),
                user=request.user,
                via="admin",
            )
        else:
            saved = follow_up_services.action_create(
                follow_up=form.cleaned_data["follow_up"], user=request.user, via="admin", **data
            )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        follow_up_services.action_delete(action=obj, user=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        for action in queryset:
            follow_up_services.action_delete(action=action, user=request.user, via="admin")
