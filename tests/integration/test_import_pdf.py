"""import_report on real UN PDFs (English) and the integrity of re-imports."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from recommendations.choices import Status
from recommendations.models import FollowUp, MemberState, Recommendation, Report
from tests.conftest import SEED_2017

pytestmark = pytest.mark.django_db

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports" / "en"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_a_pdf_report_imports_with_clean_text_themes_and_language():
    out = run("import_report", str(REPORTS / "S_2025_303.pdf"))
    report = Report.objects.get()
    assert report.language == "en"
    assert report.source_format == "pdf"
    assert "recommendations created 9" in out
    recs = list(report.recommendations.order_by("position"))
    assert [rec.label for rec in recs] == [str(n) for n in range(56, 65)]
    assert recs[0].text.startswith("UNODC recommends that Haiti establish an")
    themed = [rec for rec in recs if rec.themes.exists()]
    assert {theme.code for rec in themed for theme in rec.themes.all()} >= {"organized-crime"}


def test_reports_without_recommendations_import_with_zero_and_say_why():
    out = run(
        "import_report",
        str(REPORTS / "A_80_116.pdf"),
        str(REPORTS / "E_2025_57.pdf"),
        str(REPORTS / "A_80_42.pdf"),
    )
    assert Report.objects.count() == 3
    assert not Recommendation.objects.exists()
    assert "no recommendations section found: imported with 0 recommendations" in out
    assert "section «Conclusion» holds no recommendations" in out
    assert "section «Conclusions and recommendations» holds no recommendations" in out


def test_the_same_pdf_again_writes_nothing(tmp_path):
    run("import_report", str(REPORTS / "DP_2025_7.pdf"))
    copy = tmp_path / "renamed.pdf"
    shutil.copy(REPORTS / "DP_2025_7.pdf", copy)
    before = list(Recommendation.objects.values().order_by("id"))
    out = run("import_report", str(REPORTS / "DP_2025_7.pdf"), str(copy))
    assert out.count("nothing written") == 2
    assert Report.objects.count() == 1
    assert list(Recommendation.objects.values().order_by("id")) == before


def test_a_skipped_letter_withdraws_only_the_missing_item(tmp_path):
    """93(b) followed by 93(d): (c) is withdrawn, (d)–(f) keep their labels and texts,
    and the follow-up on (b) still points at (b)'s text."""
    source = tmp_path / SEED_2017.name
    shutil.copy(SEED_2017, source)
    run("import_report", str(source))
    report = Report.objects.get()
    paragraph = report.recommendations.filter(item="d").values_list("paragraph", flat=True).first()
    before = {rec.label: rec.text for rec in report.recommendations.filter(paragraph=paragraph)}
    assert {f"{paragraph}(b)", f"{paragraph}(c)", f"{paragraph}(d)"} <= set(before)
    item_b = report.recommendations.get(paragraph=paragraph, item="b")
    follow_up = FollowUp.objects.create(
        recommendation=item_b,
        member_state=MemberState.objects.get(iso3="KEN"),
        status=Status.IN_PROGRESS,
    )

    lines = source.read_text(encoding="utf-8").split("\n")
    text_c = before[f"{paragraph}(c)"]
    start = next(
        i for i, line in enumerate(lines) if line.strip().startswith("(c)") and text_c[:6] in line
    )
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip().startswith("(d)"))
    source.write_text("\n".join(lines[:start] + lines[end:]), encoding="utf-8")
    out = run("import_report", str(source))

    assert "withdrawn 1" in out
    after = {
        rec.label: (rec.text, rec.is_withdrawn)
        for rec in report.recommendations.filter(paragraph=paragraph)
    }
    assert after[f"{paragraph}(c)"] == (text_c, True)
    for label, text in before.items():
        if label != f"{paragraph}(c)":
            assert after[label] == (text, False), label
    follow_up.refresh_from_db()
    assert follow_up.recommendation.text == before[f"{paragraph}(b)"]


def test_a_new_report_costs_two_queries_per_recommendation(django_assert_max_num_queries):
    """The row and its history row; a theme link and its history row; a few per report
    (three of them find its due date by the sessions of its bodies; eleven keep the
    coverage figures: their new version, the report's recommendations, their keys,
    follow-ups, what each is counted under, the sums of the three tables)."""
    from recommendations.models import RecommendationTheme
    from recommendations.selectors.themes import taxonomy
    from recommendations.services.imports import report_import_file

    themes = taxonomy()
    path = REPORTS / "A_80_188.pdf"
    with django_assert_max_num_queries(2 * 66 + 2 * 5 + 18 + 11):
        result = report_import_file(path=path, taxonomy=themes)
    assert result.created == 66
    assert RecommendationTheme.objects.count() == 5
