"""Accounts: liaison bindings, API tokens, and Django's user admin with a warning."""

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import (
    ApiToken,
    Liaison,
    UserPreference,
)
from ..scope import member_state_of, token_scope
from ..services import tokens as token_services
from .filters import RevokedFilter
from .forms import ApiTokenForm, LiaisonForm
from .history import HistoryInWordsAdmin
from .mail import UserPreferenceInline


@admin.register(Liaison)
class LiaisonAdmin(HistoryInWordsAdmin):
    """Bindings of users to member states; every change is on record (History)."""

    form = LiaisonForm
    list_display = ["user", "member_state", "created_at"]
    autocomplete_fields = ["user", "member_state"]
    list_select_related = ["user", "member_state"]
    search_fields = ["user__username", "member_state__name_en", "member_state__iso3"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []  # a binding moves, its user does not

    def save_model(self, request, obj, form, change):
        liaison = token_services.liaison_bind(
            user=obj.user, member_state=obj.member_state, by=request.user, via="admin"
        )
        obj.pk = liaison.pk

    def delete_model(self, request, obj):
        token_services.liaison_unbind(liaison=obj, by=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        for liaison in queryset.select_related("user"):
            token_services.liaison_unbind(liaison=liaison, by=request.user, via="admin")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Superusers issue tokens (the key is shown once); staff can see and revoke them."""

    list_display = [
        "prefix",
        "user",
        "scope",
        "name",
        "created_at",
        "expires_at",
        "state",
        "last_used_at",
    ]
    list_filter = [RevokedFilter]
    list_select_related = ["user__liaison__member_state", "revoked_by"]
    search_fields = ["user__username", "name", "prefix"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]
    readonly_fields = [
        "user",
        "scope",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ["user", "name", "days"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the record stays

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.revoked_at:
            return _("revoked")
        if obj.expires_at and obj.expires_at <= timezone.now():
            return _("expired")
        return _("active")

    @admin.display(description=_("scope"))
    def scope(self, obj):
        return token_scope(obj.user)

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, key = token_services.token_issue(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
        obj.pk = token.pk
        self.message_user(
            request,
            _("New token for %(user)s (shown only this once): %(key)s")
            % {"user": token.user, "key": key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = sum(token_services.token_revoke(token=t, user=request.user) for t in queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, plus a warning when a liaison holding live tokens gains staff
    power (staff, superuser, permissions): the tokens carry it too; and the user's e-mail
    preferences (language of digests, digests on or off) inline."""

    inlines = [UserPreferenceInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # the add form: the user first

    def save_formset(self, request, form, formset, change):
        if formset.model is UserPreference:
            UserPreferenceInline.save_formset(formset)
        else:
            super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # groups and permissions
        user = form.instance
        count = token_services.liaison_tokens_with_power(user)
        if not count:
            return
        sentence = ngettext(
            "%(user)s is a liaison of %(iso3)s with %(count)d live API token: as staff, "
            "this token now carries staff permissions.",
            "%(user)s is a liaison of %(iso3)s with %(count)d live API tokens: as staff, "
            "these tokens now carry staff permissions.",
            count,
        ) % {"user": user.get_username(), "iso3": member_state_of(user), "count": count}
        url = reverse("admin:recommendations_apitoken_changelist") + f"?user={user.pk}"
        messages.warning(
            request,
            format_html('{} <a href="{}">{}</a>', sentence, url, _("Revoke them in API tokens.")),
        )
