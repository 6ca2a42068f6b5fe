from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    IMPLEMENTED = "implemented", _("Implemented")
    NOT_IMPLEMENTED = "not_implemented", _("Not implemented")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Response(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    NOTED = "noted", _("Noted")
    UNDER_CONSIDERATION = "under_consideration", _("Under consideration")


class ThemeSource(models.TextChoices):
    HEADING = "heading", _("Report heading")
    RULE = "rule", _("Keyword rule")
    MANUAL = "manual", _("Set by staff")


class ActionKind(models.TextChoices):
    LEGISLATION = "legislation", _("Legislation")
    POLICY = "policy", _("Policy or strategy")
    INSTITUTIONAL = "institutional", _("Institutional measure")
    CAPACITY_BUILDING = "capacity_building", _("Capacity building")
    FUNDING = "funding", _("Funding")
    COOPERATION = "cooperation", _("International cooperation")
    REPORTING = "reporting", _("Reporting")
    OTHER = "other", _("Other")
