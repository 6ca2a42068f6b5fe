"""Strings that third-party templates show untranslated in Chinese; listed here so that
makemessages collects them into this project's catalogue."""

from django.utils.translation import gettext_noop

STRINGS = [
    gettext_noop("Changes"),  # django-simple-history's history table
]
