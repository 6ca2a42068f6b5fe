"""One report, several languages: the English PDF of S/2025/303 and its Chinese version
(tests/data/reports/zh/S_2025_303.zh.txt, translated by hand) are one report."""

import datetime
import hashlib
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from recommendations.choices import ActionKind, Status
from recommendations.models import (
    Action,
    FollowUp,
    MemberState,
    Recommendation,
    RecommendationText,
    RecommendationTheme,
    Report,
    ReportVersion,
)
from recommendations.services import imports
from recommendations.services.imports import (
    ConfirmationNeeded,
    ImportFailed,
    LanguageVersionResult,
    RecommendationChange,
    report_import_file,
    report_import_upload,
)
from tests.conftest import SEED_2017, SEED_2019
from tests.integration.shared import snapshot

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "reports"
ENGLISH = DATA / "en" / "S_2025_303.pdf"
CHINESE = DATA / "zh" / "S_2025_303.zh.txt"
LABELS = [str(n) for n in range(56, 65)]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def shown(path: Path) -> str:
    """A path as the command prints it: relative to the working directory below it."""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def original_side():
    """The original's rows: what a language version must leave alone."""
    return (
        list(Report.objects.values().order_by("id")),
        list(Recommendation.objects.values().order_by("id")),
        list(RecommendationTheme.objects.values().order_by("id")),
        list(FollowUp.objects.values().order_by("id")),
        list(Action.objects.values().order_by("id")),
        Recommendation.history.count(),
        RecommendationTheme.history.count(),
        FollowUp.history.count(),
        Action.history.count(),
    )


def log_follow_up(rec, iso3="HTI"):
    follow_up = FollowUp.objects.create(
        recommendation=rec,
        member_state=MemberState.objects.get(iso3=iso3),
        status=Status.IN_PROGRESS,
    )
    Action.objects.create(
        follow_up=follow_up,
        date=datetime.date(2026, 1, 31),
        kind=ActionKind.POLICY,
        description="Regional anti-corruption offices opened in two departments",
    )
    return follow_up


def chinese_text() -> str:
    return CHINESE.read_text(encoding="utf-8")


def paragraph(text: str, number: int) -> str:
    """Paragraph `number` of the Chinese text, with the blank line before it."""
    start = text.index(f"\n{number}. ")
    end = text.find(f"\n{number + 1}. ", start)
    return text[start : end if end != -1 else len(text)]


EXTRA_65 = "\n65. 毒品和犯罪问题办公室建议会员国继续支持海地国家警察的能力建设。\n"


def without_60_with_65() -> str:
    """The Chinese version less paragraph 60, plus a paragraph 65 the report lacks."""
    text = chinese_text()
    return text.replace(paragraph(text, 60), "") + EXTRA_65


def chinese_copy(tmp_path, text: str) -> Path:
    path = tmp_path / CHINESE.name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def english():
    run("import_report", str(ENGLISH))
    return Report.objects.get()


# Import ------------------------------------------------------------------------------


def test_the_chinese_version_adds_its_texts_to_the_english_report(english):
    follow_up = log_follow_up(english.recommendations.get(label="57"))
    before = original_side()

    output = run("import_report", str(CHINESE))

    assert output == (
        f"{shown(CHINESE)}: report S/2025/303 (en) — adds the zh text to 9 of 9 recommendations\n"
    )
    assert original_side() == before  # nothing of the original, its follow-ups or history
    report = Report.objects.get()
    assert (report.pk, report.language, report.source_file) == (english.pk, "en", ENGLISH.name)
    texts = RecommendationText.objects.filter(recommendation__report=report)
    assert texts.count() == 9
    assert sorted(texts.values_list("recommendation__label", flat=True)) == LABELS
    assert set(texts.values_list("language", flat=True)) == {"zh"}
    text_56 = texts.get(recommendation__label="56")
    assert text_56.text.startswith("毒品和犯罪问题办公室建议海地设立反腐败股地区办事处")
    assert text_56.addressee == "毒品和犯罪问题办公室建议"
    assert text_56.heading == ""
    assert text_56.recommendation.text.startswith("UNODC recommends that Haiti establish")
    assert [h.history_change_reason for h in text_56.history.all()] == [f"import {CHINESE.name}"]
    follow_up.refresh_from_db()
    assert follow_up.recommendation.label == "57" and follow_up.actions.count() == 1

    versions = {version.language: version for version in report.versions.all()}
    assert set(versions) == {"en", "zh"}
    assert (versions["en"].source_file, versions["en"].source_format) == (ENGLISH.name, "pdf")
    assert versions["en"].sha256 == hashlib.sha256(ENGLISH.read_bytes()).hexdigest()
    zh = versions["zh"]
    assert (zh.source_file, zh.source_format) == (CHINESE.name, "pdf-text")
    assert zh.sha256 == hashlib.sha256(CHINESE.read_bytes()).hexdigest()
    assert zh.parser_version == imports.PARSER_VERSION


def test_the_result_of_a_language_version_describes_the_match(english):
    result = report_import_file(path=CHINESE, dry_run=True)
    assert (result.outcome, result.dry_run, result.symbol) == ("created", True, "S/2025/303")
    assert (result.language, result.source_format) == ("zh", "pdf-text")
    assert (result.created, result.updated, result.unchanged, result.withdrawn) == (9, 0, 0, 0)
    assert result.version == LanguageVersionResult(
        language="zh", original_language="en", matched=9, total=9
    )
    assert [change.label for change in result.changes] == LABELS
    assert {change.kind for change in result.changes} == {"added"}
    first = result.changes[0]
    assert first.text.startswith("毒品和犯罪问题办公室建议") and first.old_text is None
    assert first.themes == tuple(
        english.recommendations.get(label="56").themes.values_list("code", flat=True)
    )
    assert not RecommendationText.objects.exists()
    assert list(ReportVersion.objects.values_list("language", flat=True)) == ["en"]


def test_reimporting_unchanged_versions_writes_nothing(english, tmp_path):
    run("import_report", str(CHINESE))
    before = snapshot()

    output = run("import_report", str(CHINESE), str(ENGLISH))
    assert output.splitlines()[0] == (
        f"{shown(CHINESE)}: report S/2025/303 (en) — unchanged: the zh text of 9 of 9 "
        "recommendations; nothing written"
    )
    assert output.splitlines()[1] == (
        f"{shown(ENGLISH)}: report S/2025/303 unchanged (9 recommendations); nothing written"
    )
    # Under another name, or uploaded: the same version, nothing written.
    renamed = tmp_path / "chinese.txt"
    shutil.copy(CHINESE, renamed)
    assert "— unchanged: the zh text of 9 of 9" in run("import_report", str(renamed))
    result = report_import_upload(data=CHINESE.read_bytes(), name="S_2025_303.zh.txt")
    assert (result.outcome, result.unchanged, result.changes) == ("unchanged", 9, [])
    assert snapshot() == before


def test_a_changed_version_updates_only_the_texts_that_changed(english, tmp_path):
    run("import_report", str(CHINESE))
    old_58 = RecommendationText.objects.get(recommendation__label="58").text
    path = chinese_copy(tmp_path, chinese_text().replace("充分的独立性", "完全的独立性"))
    before = original_side()

    output = run("import_report", str(path))

    assert output == (
        f"{path}: report S/2025/303 (en) — updates the zh text of 9 of 9 recommendations "
        "(changed 1, added 0, unchanged 8)\n"
    )
    assert original_side() == before
    text_58 = RecommendationText.objects.get(recommendation__label="58")
    assert "完全的独立性" in text_58.text
    assert text_58.history.count() == 2
    assert RecommendationText.history.count() == 10
    version = ReportVersion.objects.get(language="zh")
    assert version.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    path.write_text(chinese_text(), encoding="utf-8")
    result = report_import_file(path=path)
    changed = [change for change in result.changes if change.kind != "unchanged"]
    assert changed == [
        RecommendationChange(
            "58",
            "changed",
            old_58,
            old_text=text_58.text,
            themes=changed[0].themes,
            fields=("text",),
        )
    ]


def test_a_version_with_unmatched_labels_needs_confirmation(english, tmp_path):
    path = chinese_copy(tmp_path, without_60_with_65())
    before = snapshot()

    with pytest.raises(ConfirmationNeeded) as needed:
        report_import_file(path=path)
    assert isinstance(needed.value, ImportFailed)
    assert needed.value.confirm == ("allow_unmatched",)
    assert needed.value.reasons == ("2 labels unmatched: 60 missing, 65 extra",)
    preview = needed.value.result
    assert preview.dry_run and preview.outcome == "created"
    assert preview.version == LanguageVersionResult(
        language="zh",
        original_language="en",
        matched=8,
        total=9,
        extra_labels=("65",),
        missing_labels=("60",),
    )
    assert [change.label for change in preview.changes] == [
        label for label in LABELS if label != "60"
    ]
    assert snapshot() == before

    for dry_run in ([], ["--dry-run"]):
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError, match=r"^1 of 1 files could not be imported$"):
            call_command("import_report", str(path), *dry_run, stdout=out, stderr=err)
        assert err.getvalue() == (
            f"error: {path}: 2 labels unmatched: 60 missing, 65 extra; re-run with "
            "--allow-unmatched to import the zh text of the 8 matched recommendations\n"
        )
        assert out.getvalue() == ""
        assert snapshot() == before

    line = (
        f"{path}: report S/2025/303 (en) — adds the zh text to 8 of 9 recommendations; "
        "2 labels unmatched: 60 missing, 65 extra\n"
    )
    assert run("import_report", str(path), "--allow-unmatched", "--dry-run") == (
        f"[dry run] {line}"
    )
    assert snapshot() == before

    assert run("import_report", str(path), "--allow-unmatched") == line
    labels = RecommendationText.objects.values_list("recommendation__label", flat=True)
    assert sorted(labels) == [label for label in LABELS if label != "60"]
    assert not Recommendation.objects.filter(label="65").exists()
    assert not Recommendation.objects.filter(is_withdrawn=True).exists()
    assert ReportVersion.objects.filter(language="zh").exists()


def test_the_original_keeps_its_version_record_up_to_date(tmp_path):
    path = tmp_path / SEED_2017.name
    shutil.copy(SEED_2017, path)
    run("import_report", str(path))
    version = ReportVersion.objects.get()
    assert (version.language, version.source_file, version.source_format) == (
        "zh",
        SEED_2017.name,
        "pdf-text",
    )
    assert version.title == "联合国毒品和犯罪问题办公室的活动"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    run("import_report", str(path))
    updated = ReportVersion.objects.get()
    assert updated.pk == version.pk
    assert updated.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() != version.sha256
    assert updated.imported_at > version.imported_at


# The changes an import previews (what the admin's confirmation page shows) ----------------


def test_the_changes_of_an_original_import(tmp_path):
    path = tmp_path / SEED_2017.name
    text = SEED_2017.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    result = report_import_file(path=path)
    assert len(result.changes) == 31 and {c.kind for c in result.changes} == {"added"}
    first = result.changes[0]
    assert (first.label, first.old_text, first.fields) == ("93(a)", None, ())
    assert "93(b)" in [c.label for c in result.changes if c.themes == ("drugs",)]

    # 93(f) goes, 93(a)'s text changes: the others move up or stay.
    item_93f = " (f) 促进南南合作，以期分享最佳做法和经验教训"
    begin = text.index(item_93f)
    shorter = text[:begin] + text[text.index("\n \n", begin) + 1 :]
    path.write_text(shorter.replace("致力于落实大会特", "致力于全面落实大会特"), "utf-8")
    result = report_import_file(path=path)
    kinds = {change.label: change for change in result.changes}
    assert kinds["93(a)"].kind == "changed" and "全面落实" in kinds["93(a)"].text
    assert "全面落实" not in kinds["93(a)"].old_text
    assert kinds["93(a)"].fields == ("text",)
    assert kinds["93(f)"].kind == "withdrawn" and kinds["93(f)"].fields == ("is_withdrawn",)
    assert kinds["94(a)"].kind == "changed"  # moved up one, and so its line
    assert kinds["94(a)"].fields == ("position", "source_line")
    assert kinds["94(a)"].old_text is None
    assert kinds["93(b)"].kind == "unchanged"

    path.write_text(text, encoding="utf-8")
    result = report_import_file(path=path)
    kinds = {change.label: change for change in result.changes}
    assert kinds["93(f)"].kind == "restored" and kinds["93(a)"].kind == "changed"


def test_a_mass_withdrawal_needs_confirmation_with_its_preview(tmp_path):
    path = tmp_path / SEED_2017.name
    shutil.copy(SEED_2017, path)
    run("import_report", str(path))
    before = snapshot()
    path.write_text(SEED_2019.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfirmationNeeded) as needed:
        report_import_file(path=path)
    assert needed.value.confirm == ("allow_withdraw",)
    assert needed.value.reasons == (
        "would withdraw 31 of 31 active recommendations (more than half): the file may be "
        "truncated or another report",
    )
    preview = needed.value.result
    assert preview.dry_run and (preview.created, preview.withdrawn) == (4, 31)
    assert [c.kind for c in preview.changes].count("withdrawn") == 31
    assert snapshot() == before


# Uploads --------------------------------------------------------------------------------


def test_an_upload_imports_like_a_file(tmp_path):
    result = report_import_upload(data=SEED_2019.read_bytes(), name="C:\\fakepath\\seed 4.txt")
    assert (result.path, result.symbol, result.created) == (
        "C:\\fakepath\\seed 4.txt",
        "seed 4.txt",
        4,
    )
    assert Report.objects.get().source_file == "seed 4.txt"

    with pytest.raises(ImportFailed) as failed:
        report_import_upload(data=b"", name="empty.txt")
    assert str(failed.value) == "empty.txt: the file is empty"

    with pytest.raises(ImportFailed) as failed:
        report_import_upload(data=b"%PDF-" + b"x" * int(63.2 * 2**20), name="big.pdf")
    assert str(failed.value) == "big.pdf: is 63.2 MB; the limit is 50 MB"
    assert imports.MAX_UPLOAD_BYTES == 50 * 1024 * 1024

    with pytest.raises(ImportFailed) as failed:
        report_import_upload(data=b"x" * (imports.MAX_UPLOAD_BYTES + 1), name="big.txt")
    assert failed.value.reason == "is 50.1 MB; the limit is 50 MB"
    assert Report.objects.count() == 1


def test_an_uploaded_language_version_needs_the_same_confirmation(english):
    data = without_60_with_65().encode("utf-8")
    with pytest.raises(ConfirmationNeeded) as needed:
        report_import_upload(data=data, name="zh.txt")
    assert needed.value.path == "zh.txt"
    result = report_import_upload(data=data, name="zh.txt", allow_unmatched=True)
    assert result.version.matched == 8
    assert RecommendationText.objects.count() == 8
