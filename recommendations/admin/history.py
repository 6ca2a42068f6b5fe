"""History in words: the admin's History pages (django-simple-history) with field labels,
values as the reader reads them (status labels, yes/no, names in the reader's language,
dates) and the channel of each change as a phrase ("through the API by nairobi").

Every ModelAdmin with a history inherits `HistoryInWordsAdmin`; `channel_phrase` is the one
place that turns a change reason (services/audit.py: "admin", "api", "import FILE",
"command NAME", "questionnaire …") into words."""

import dataclasses
import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from ..services.reference import HISTORY_BEGINS

EMPTY = "—"


# Decisions on a claim, as services/follow_ups.decision_reason writes them after the
# channel ("admin: verified — <note>").
DECISIONS = {
    "verified": gettext_lazy("claim verified"),
    "claim rejected": gettext_lazy("claim rejected"),
}


# Rows recorded as found, by nobody: bindings made before their history (migration 0010),
# reference data loaded by migrate before its first change (services/reference.py).
HISTORY_BEGAN = {"existing binding", HISTORY_BEGINS}


def channel_phrase(reason: str | None, user=None) -> str:
    """How a change was made, and by whom, as a phrase: "in the admin by officer",
    "through the API by nairobi", "by import of A/80/75.pdf", "by the command
    create_liaison", "by questionnaire 2025-Q1"; a decision on a claim and its note
    follow ("in the admin by officer: claim verified — seen the law")."""
    reason = (reason or "").strip()
    how, colon, decision = reason.partition(": ")
    if not colon and reason.partition(" — ")[0] in DECISIONS:
        how, decision = "", reason
    phrase = _channel(how, user)
    if not decision:
        return phrase or EMPTY
    name, dash, note = decision.partition(" — ")
    said = str(DECISIONS.get(name, name)) + (f" — {note}" if dash else "")
    return f"{phrase}: {said}" if phrase else said


def _channel(how: str, user) -> str:
    channel, _space, detail = how.partition(" ")
    who = user.get_username() if user is not None else ""
    if channel == "admin":
        return _("in the admin by %(user)s") % {"user": who} if who else _("in the admin")
    if channel == "api":
        return _("through the API by %(user)s") % {"user": who} if who else _("through the API")
    if channel == "import" and detail:
        return _("by import of %(file)s") % {"file": detail}
    if channel == "command" and detail:
        return _("by the command %(command)s") % {"command": detail}
    if channel == "questionnaire" and detail:
        return _("by questionnaire %(questionnaire)s") % {"questionnaire": detail}
    if how in HISTORY_BEGAN:
        return _("as found when its history began")
    if how and who:
        return f"{how} ({who})"
    return how or (_("by %(user)s") % {"user": who} if who else "")


def value_in_words(field: models.Field, value) -> str:
    """A field's value as the reader reads it: a choice's label, yes/no, a related object's
    name (in the reader's language), a date in the reader's format, a dash for nothing."""
    if isinstance(value, DeletedObject):
        if value.pk is None:
            return EMPTY
        return _("deleted %(type)s (%(pk)s)") % {
            "type": value.model._meta.verbose_name,
            "pk": value.pk,
        }
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, AbstractBaseUser):
        return value.get_username()
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list):
        return ", ".join(value_in_words(field, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {value_in_words(field, item)}" for key, item in value.items())
    return str(value)


# Fields whose changes say nothing to a reader: the counter of conditional writes.
UNSHOWN_FIELDS = {"version"}


class WordsContextHelper(HistoricalRecordContextHelper):
    """Formats each change of a history record with `value_in_words`, leaving out the
    changes of UNSHOWN_FIELDS."""

    def context_for_delta_changes(self, delta):
        shown = [change for change in delta.changes if change.field not in UNSHOWN_FIELDS]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=shown))

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if isinstance(field, models.ManyToManyField):
            value = super().prepare_delta_change_value(change, value)
            return ", ".join(sorted(value_in_words(field, item) for item in value)) or EMPTY
        return value_in_words(field, value)


def in_words(records):
    """The history records, each with `channel`: how, and by whom, it was made."""
    records = list(records)
    for record in records:
        record.channel = channel_phrase(record.history_change_reason, record.history_user)
    return records


class HistoryInWordsAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose History page speaks: labels, values and channels in
    words, in the reader's language."""

    object_history_list_template = "admin/history_in_words_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return WordsContextHelper(self.model, historical_record)

    def render_history_view(self, request, template, context, **kwargs):
        context["records"] = in_words(context["page_obj"].object_list)
        if "action_history" in context:  # the follow-up's page adds its actions' history
            context["action_history"] = in_words(context["action_history"])
        return super().render_history_view(request, template, context, **kwargs)
