"""The secretariat's admin. Thin: reads come from selectors, writes go through services.

A module per entity; shared forms, filters and helpers. Importing the package registers
every ModelAdmin (Django's autodiscovery imports `recommendations.admin`)."""

from . import (  # noqa: F401
    accounts,
    follow_ups,
    mail,
    questionnaires,
    recommendations,
    reference,
    reports,
    work_queues,
)
from .common import language_name  # noqa: F401
