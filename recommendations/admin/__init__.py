"""The secretariat's admin. Thin: reads come from selectors, writes go through services.

A module per entity; shared forms, filters and helpers. Importing the package registers
every ModelAdmin (Django's autodiscovery imports `recommendations.admin`)."""

from . import accounts, follow_ups, recommendations, reference, reports, work_queues  # noqa: F401
from .common import language_name  # noqa: F401
