"""Whole numbers and ids from outside (JSON bodies, query strings, URLs, headers).

One rule for the whole API: a whole number is an int (not a bool) or a string of ASCII
digits, within the database's integer range. Anything else (a float such as 1e400, which
JSON parses as infinity; "1.5"; a Unicode digit such as "²" or "١٢", which str.isdigit()
or int() accept; a number past 2**63 - 1, which overflows SQLite and PostgreSQL) is a 400
naming the field, never a 500 and never silently another number.
"""

import re

from django import forms
from django.db import models
from rest_framework import serializers

DIGITS = re.compile(r"[0-9]+")
# The widest integer column (bigint, SQLite's INTEGER): every id is a BigAutoField.
DB_INT_MAX = 2**63 - 1
_MAX_DIGITS = len(str(DB_INT_MAX))


def whole_number(value, *, minimum: int = 0, maximum: int = DB_INT_MAX) -> int | None:
    """`value` as an int when it is a whole number from minimum to maximum, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and DIGITS.fullmatch(value) and len(value) <= _MAX_DIGITS + 1:
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def whole_number_message(minimum: int, maximum: int = DB_INT_MAX) -> str:
    return f"Expected a whole number from {minimum} to {maximum} (digits 0-9 only)."


ID_MESSAGE = whole_number_message(1)


def is_id(value) -> bool:
    return whole_number(value, minimum=1) is not None


def has_integer_pk(model) -> bool:
    return isinstance(model._meta.pk, models.IntegerField | models.AutoField)


class IdField(serializers.PrimaryKeyRelatedField):
    """A PrimaryKeyRelatedField that checks the id before it reaches the database: a
    whole number for an integer primary key (see whole_number), else a string without
    NUL characters (PostgreSQL cannot compare one)."""

    default_error_messages = {
        "incorrect_type": ID_MESSAGE,
        "incorrect_string": "Expected a string without null characters.",
    }

    def to_internal_value(self, data):
        if has_integer_pk(self.get_queryset().model):
            number = whole_number(data, minimum=1)
            if number is None:
                self.fail("incorrect_type")
            data = number
        elif not isinstance(data, str) or "\x00" in data:
            self.fail("incorrect_string")
        return super().to_internal_value(data)


class IdFormField(forms.IntegerField):
    """A row id in a query string (django-filter): see whole_number."""

    default_error_messages = {"invalid": ID_MESSAGE}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = whole_number(value, minimum=1)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def validate(self, value):
        forms.Field.validate(self, value)
