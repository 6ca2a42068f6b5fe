"""An import's writes are on record with the import as their channel: every history row
it leaves (recommendations and their theme links) names the file."""

from io import StringIO

import pytest
from django.core.management import call_command

from recommendations.models import Recommendation, RecommendationTheme

pytestmark = pytest.mark.django_db


def reasons(model) -> set[str]:
    return set(model.history.values_list("history_change_reason", flat=True))


def test_every_history_row_an_import_writes_names_it():
    call_command("import_seeds", stdout=StringIO())
    files = set(Recommendation.objects.values_list("report__source_file", flat=True))
    expected = {f"import {name}" for name in files}
    assert reasons(Recommendation) == expected
    assert RecommendationTheme.history.count() >= RecommendationTheme.objects.count() > 0
    assert reasons(RecommendationTheme) <= expected
    assert None not in reasons(RecommendationTheme) and "" not in reasons(RecommendationTheme)
