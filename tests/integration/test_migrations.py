from io import StringIO

import pytest
from django.core.management import call_command

from recommendations.models import Body, MemberState, Theme

pytestmark = pytest.mark.django_db


def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_migrate_loads_the_193_member_states():
    assert MemberState.objects.count() == 193
    assert MemberState.objects.get(iso3="BOL").name_zh == "多民族玻利维亚国"
    assert MemberState.objects.get(iso3="KEN").name_en == "Kenya"
    assert not MemberState.objects.filter(iso3__in=["PSE", "VAT", "TWN"]).exists()


def test_migrate_loads_the_theme_taxonomy_and_bodies():
    assert list(Theme.objects.values_list("code", flat=True)) == [
        "drugs",
        "organized-crime",
        "corruption",
        "terrorism",
        "criminal-justice",
        "research",
        "programme",
        "finance",
    ]
    assert Theme.objects.get(code="corruption").name_zh == "反腐败"
    codes = set(Body.objects.values_list("code", flat=True))
    assert {"CND", "CCPCJ", "UNTOC-COP", "UNCAC-COSP", "ECOSOC", "GA"} <= codes
    assert {"SC", "HRC", "CEPA", "EMRIP", "UNDP-EB"} <= codes
    assert Body.objects.get(code="SC").name_en == "Security Council"


def test_suite_runs_on_the_database_it_was_given():
    import os

    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"
    assert connection.vendor == expected
