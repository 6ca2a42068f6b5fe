"""LongSelect writes the same HTML as Django's Select, without a template per option."""

import re

import pytest
from django import forms

from recommendations.widgets import LongSelect

CHOICES = [("", "---------"), (1, "E/CN.7/2017/1"), (2, 'A/80/188 <"&>'), (3, "中文报告")]


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", [None, "", 2, "3"])
def test_same_html_as_select(value):
    attrs = {"id": "id_report", "required": True, "aria-describedby": "help"}
    django_select = forms.Select(choices=CHOICES).render("report", value, attrs=attrs)
    long_select = LongSelect(choices=CHOICES).render("report", value, attrs=attrs)
    assert normalised(long_select) == normalised(django_select)
    assert "&lt;&quot;&amp;&gt;" in long_select  # labels escaped
