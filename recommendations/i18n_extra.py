"""Strings that third-party templates show untranslated in Chinese; listed here so that
makemessages collects them into this project's catalogue."""

from django.utils.translation import gettext_noop

STRINGS = [
    gettext_noop("Changes"),  # django-simple-history's history table
    # Django's admin index (headings of the models table, read by screen readers): its
    # Chinese catalogue has no translation of these.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
]
