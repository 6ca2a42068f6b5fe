"""import_report / import_seeds end to end on a real database."""

import datetime
import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from recommendations.choices import ActionKind, Status, ThemeSource
from recommendations.models import (
    Action,
    FollowUp,
    MemberState,
    Recommendation,
    RecommendationTheme,
    Report,
    Theme,
)
from recommendations.services import imports
from recommendations.services.imports import ImportFailed, report_import_file
from tests.conftest import SEED_2004, SEED_2016_COP, SEED_2017, SEED_2019
from tests.integration.shared import snapshot

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_import_seeds_loads_every_recommendation():
    output = run("import_seeds")
    assert Report.objects.count() == 4
    assert Recommendation.objects.count() == 39
    assert "seeds/001_11a12d27b9d2d054.txt: report 001_11a12d27b9d2d054.txt new" in output
    assert "recommendations created 31, updated 0, unchanged 0, withdrawn 0" in output
    assert "themes: drugs 6, organized-crime 6, corruption 3, terrorism 2, research 5" in output
    assert "«结论» holds no recommendations" in output
    rec = Recommendation.objects.get(report__symbol="001_11a12d27b9d2d054.txt", label="93(b)")
    assert rec.text.startswith("快速跟踪吸毒人群和监狱人员中的艾滋病毒/艾滋病响应")
    assert rec.sdg_targets == ["3.3"]
    assert [t.code for t in rec.themes.all()] == ["drugs"]
    assert rec.theme_links.get().source == ThemeSource.HEADING
    assert [b.code for b in rec.bodies.all()] == ["CND"]
    report = rec.report
    assert report.title == "联合国毒品和犯罪问题办公室的活动"
    assert report.author == "执行主任"
    assert [s.body.code for s in report.sessions.all()] == ["CND", "CCPCJ"]
    assert report.sessions.first().agenda_symbol == "E/CN.7/2017/1"
    assert Recommendation.history.filter(history_type="+").count() == 39


def test_reimport_of_unchanged_files_writes_nothing():
    run("import_seeds")
    before = snapshot()
    output = run("import_seeds")
    assert snapshot() == before
    assert output.count("unchanged") >= 4
    assert "nothing written" in output


def test_dry_run_writes_nothing():
    output = run("import_report", str(SEED_2017), "--dry-run")
    assert "[dry run]" in output and "created 31" in output
    assert Report.objects.count() == 0 and Recommendation.objects.count() == 0


def log_follow_up(rec, iso3, status=Status.IN_PROGRESS):
    follow_up = FollowUp.objects.create(
        recommendation=rec, member_state=MemberState.objects.get(iso3=iso3), status=status
    )
    Action.objects.create(
        follow_up=follow_up,
        date=datetime.date(2026, 1, 31),
        kind=ActionKind.POLICY,
        description="国家战略已通过",
    )
    return follow_up


def test_changed_reimport_updates_withdraws_and_keeps_follow_ups(tmp_path):
    path = tmp_path / SEED_2017.name
    shutil.copy(SEED_2017, path)
    run("import_report", str(path))
    report = Report.objects.get(symbol=SEED_2017.name)
    rec_93a = report.recommendations.get(label="93(a)")
    rec_99c = report.recommendations.get(label="99(c)")
    follow_up = log_follow_up(rec_99c, "KEN")
    log_follow_up(rec_93a, "BOL")

    original = path.read_text(encoding="utf-8")
    changed = original.replace("致力于落实大会特", "致力于全面落实大会特").replace(
        " (c) 为便利所有有关利益相关方及酌情包括民间社会和民营部门的共同参与\n\n创造环境。", ""
    )
    assert changed.count("全面落实") == 1 and "共同参与\n\n创造环境" not in changed
    path.write_text(changed, encoding="utf-8")

    output = run("import_report", str(path))
    assert "updated: recommendations created 0, updated 1, unchanged 29, withdrawn 1" in output
    rec_93a.refresh_from_db()
    rec_99c.refresh_from_db()
    assert "致力于全面落实大会特别会议" in rec_93a.text
    assert rec_99c.is_withdrawn and rec_99c.text.startswith("为便利所有有关利益相关方")
    assert FollowUp.objects.count() == 2 and Action.objects.count() == 2
    follow_up.refresh_from_db()
    assert follow_up.recommendation_id == rec_99c.id
    assert Recommendation.objects.filter(report=report).count() == 31
    assert rec_93a.history.count() == 2  # created, then updated by the import
    assert rec_93a.history.first().history_change_reason == f"import {SEED_2017.name}"

    # Restoring the original brings 99(c) back, with its follow-up still attached.
    path.write_text(original, encoding="utf-8")
    output = run("import_report", str(path))
    assert "updated 2, unchanged 29, withdrawn 0" in output
    rec_99c.refresh_from_db()
    assert not rec_99c.is_withdrawn
    assert rec_99c.follow_ups.get() == follow_up


def test_manual_themes_survive_reimport(tmp_path):
    path = tmp_path / SEED_2017.name
    shutil.copy(SEED_2017, path)
    run("import_report", str(path))
    rec = Recommendation.objects.get(label="93(b)")
    rec.theme_links.all().delete()
    RecommendationTheme.objects.create(
        recommendation=rec, theme=Theme.objects.get(code="criminal-justice"), source="manual"
    )
    rec.themes_overridden = True
    rec.save()
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # new sha256
    run("import_report", str(path))
    rec.refresh_from_db()
    assert [(link.theme.code, link.source) for link in rec.theme_links.all()] == [
        ("criminal-justice", "manual")
    ]


def test_bad_files_are_reported_and_the_good_ones_still_import(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    english = tmp_path / "letter.txt"
    english.write_text("Dear colleagues, please find attached the minutes.\n" * 3)
    broken = tmp_path / "broken.txt"
    broken.write_bytes(SEED_2004.read_bytes()[:5000] + b"\xff\xfe" + b"x" * 10)
    bad_line = SEED_2004.read_bytes()[:5000].count(b"\n") + 1
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "import_report",
            str(empty),
            str(pdf),
            str(SEED_2004),
            str(english),
            str(broken),
            str(tmp_path / "missing.txt"),
            stdout=out,
            stderr=err,
        )
    assert str(error.value) == "5 of 6 files could not be imported"
    messages = err.getvalue().splitlines()
    assert messages == [
        f"error: {empty}: the file is empty",
        f"error: {pdf}: not a readable PDF, damaged or incomplete (data format error)",
        f"error: {english}: no numbered paragraphs ('1.', '2.' …) found: "
        "this does not look like a UN report",
        f"error: {broken}: line {bad_line}: undecodable bytes: invalid UTF-8 at byte 5000",
        f"error: {tmp_path / 'missing.txt'}: no such file",
    ]
    assert list(Report.objects.values_list("symbol", flat=True)) == [SEED_2004.name]


def test_failure_in_the_middle_of_an_import_leaves_the_data_unchanged(monkeypatch, tmp_path):
    run("import_seeds")
    before = snapshot()
    calls = {"n": 0}
    real_save = Recommendation.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Recommendation, "save", failing_save)
    # Three items change (93(d), 97(d), 98(a)); the second save fails.
    changed = SEED_2017.read_text(encoding="utf-8").replace(
        "支持毒品和犯罪问题办公室努力", "全力支持毒品和犯罪问题办公室努力"
    )
    path = tmp_path / SEED_2017.name
    path.write_text(changed, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_report", str(path), stdout=StringIO(), stderr=err)
    assert calls["n"] == 2
    assert err.getvalue() == (
        f"error: {path}: unexpected error (RuntimeError: disk full); "
        "nothing was written for this report\n"
    )
    assert snapshot() == before


def test_import_by_own_symbol_updates_the_same_report(tmp_path):
    text = SEED_2017.read_text(encoding="utf-8").replace(
        " 麻醉药品委员会 \n", "E/CN.7/2017/3 \n\n 麻醉药品委员会 \n", 1
    )
    first = tmp_path / "a.txt"
    second = tmp_path / "renamed.txt"
    first.write_text(text, encoding="utf-8")
    second.write_text(text + "\n", encoding="utf-8")
    run("import_report", str(first))
    output = run("import_report", str(second))
    assert "report E/CN.7/2017/3 updated" in output
    report = Report.objects.get()
    assert report.symbol == "E/CN.7/2017/3" and report.symbol_from_text
    assert report.source_file == "renamed.txt"


def seed_text(seed=SEED_2017) -> str:
    return seed.read_text(encoding="utf-8")


def truncated(text: str, *, before: str, after: str = "") -> str:
    """The text up to the first line starting with `before` (below the first line
    starting with `after`): what a file cut short looks like."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(after))
    cut = next(i for i, line in enumerate(lines) if i > start and line.startswith(before))
    return "".join(lines[:cut])


# The last item of paragraphs 93 and 98 in SEED_2017, to remove them (the parser reads
# item letters in sequence, so a middle item cannot be dropped alone).
ITEM_93F = " (f) 促进南南合作，以期分享最佳做法和经验教训"
ITEM_98F = " (f) 按照管理对策支持落实专业同行审查提出的建议。"


def without_items(text: str, *starts: str) -> str:
    """The text without the items beginning with `starts`, each up to its blank line."""
    for item_start in starts:
        begin = text.index(item_start)
        text = text[:begin] + text[text.index("\n \n", begin) + 1 :]
    return text


def imported_copy(tmp_path, seed=SEED_2017) -> Path:
    path = tmp_path / seed.name
    shutil.copy(seed, path)
    run("import_report", str(path))
    return path


def labels_by_position(report):
    rows = report.recommendations.order_by("position").values_list(
        "position", "label", "is_withdrawn"
    )
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    return [(label, withdrawn) for _, label, withdrawn in rows]


def test_active_recommendations_first_then_withdrawn_ones_then_restored(tmp_path, parse_seed):
    in_document = [item.label for item in parse_seed(SEED_2017).recommendations]
    path = imported_copy(tmp_path)
    report = Report.objects.get()
    rec_93f = report.recommendations.get(label="93(f)")
    follow_up = log_follow_up(rec_93f, "BOL")

    path.write_text(without_items(seed_text(), ITEM_93F), encoding="utf-8")
    output = run("import_report", str(path))
    assert "created 0, updated 25, unchanged 5, withdrawn 1" in output  # 25 moved up one
    active = [label for label in in_document if label != "93(f)"]
    assert labels_by_position(report) == [(label, False) for label in active] + [("93(f)", True)]

    # 98(f) goes too: the withdrawn keep their previous relative order (98(f) was at
    # 27, 93(f) at 31) after the active ones, numbered from 1 in document order.
    path.write_text(without_items(seed_text(), ITEM_93F, ITEM_98F), encoding="utf-8")
    output = run("import_report", str(path))
    assert "created 0, updated 3, unchanged 26, withdrawn 1" in output
    active.remove("98(f)")
    assert labels_by_position(report) == [(label, False) for label in active] + [
        ("98(f)", True),
        ("93(f)", True),
    ]

    # Both reappear: restored in their places in the document, follow-up still attached.
    path.write_text(seed_text(), encoding="utf-8")
    output = run("import_report", str(path))
    assert "created 0, updated 26, unchanged 5, withdrawn 0" in output
    assert labels_by_position(report) == [(label, False) for label in in_document]
    rec_93f.refresh_from_db()
    assert not rec_93f.is_withdrawn and rec_93f.position == 6
    assert rec_93f.follow_ups.get() == follow_up
    history = rec_93f.history.order_by("history_id")
    assert [(h.is_withdrawn, h.position) for h in history] == [(False, 6), (True, 31), (False, 6)]


def test_same_content_under_another_name_is_the_same_report(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    first, second = folder / "a.txt", folder / "b.txt"
    shutil.copy(SEED_2017, first)
    shutil.copy(SEED_2017, second)
    output = run("import_report", str(folder))
    assert output.splitlines()[0].startswith(f"{first}: report a.txt new: ")
    same = (
        f"{second}: unchanged: same content as report a.txt (imported from a.txt, "
        "31 recommendations); nothing written"
    )
    assert same in output.splitlines()
    before = snapshot()
    assert Report.objects.get().symbol == "a.txt"

    output = run("import_report", str(second), "--dry-run")
    assert output.splitlines()[0] == f"[dry run] {same}"
    third = tmp_path / "c.txt"
    shutil.copy(SEED_2017, third)
    output = run("import_report", str(third))
    assert output.splitlines()[0] == same.replace(str(second), str(third))
    assert snapshot() == before


def test_same_content_under_another_name_after_a_parser_change_updates_that_report(
    tmp_path, monkeypatch
):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    shutil.copy(SEED_2017, first)
    shutil.copy(SEED_2017, second)
    run("import_report", str(first))
    monkeypatch.setattr(imports, "PARSER_VERSION", imports.PARSER_VERSION + 1)
    output = run("import_report", str(second))
    assert f"{second}: report a.txt updated: recommendations created 0" in output
    report = Report.objects.get()
    assert (report.symbol, report.source_file) == ("a.txt", "b.txt")
    assert report.parser_version == imports.PARSER_VERSION
    assert Recommendation.objects.count() == 31


def refusal(withdrawing: int, active: int) -> str:
    return (
        f"would withdraw {withdrawing} of {active} active recommendations (more than half): "
        "the file may be truncated or another report; re-run with --allow-withdraw to confirm"
    )


@pytest.mark.parametrize(
    ("new_text", "withdrawing"),
    [
        pytest.param(lambda: truncated(seed_text(), before="96. "), 16, id="truncated"),
        pytest.param(
            lambda: truncated(seed_text(), before=" 五. 建议"), 31, id="no-recommendations-section"
        ),
        pytest.param(lambda: seed_text(SEED_2019), 31, id="another-report"),
    ],
)
def test_reimport_withdrawing_more_than_half_is_refused(tmp_path, new_text, withdrawing):
    path = imported_copy(tmp_path)
    follow_up = log_follow_up(Recommendation.objects.get(label="99(c)"), "KEN")
    before = snapshot()
    path.write_text(new_text(), encoding="utf-8")
    for dry_run in ([], ["--dry-run"]):
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError, match=r"^1 of 1 files could not be imported$"):
            call_command("import_report", str(path), *dry_run, stdout=out, stderr=err)
        assert err.getvalue() == f"error: {path}: {refusal(withdrawing, 31)}\n"
        assert out.getvalue() == ""
        assert snapshot() == before
    with pytest.raises(ImportFailed) as failed:
        report_import_file(path=path)
    assert failed.value.reason == refusal(withdrawing, 31)
    assert snapshot() == before
    follow_up.refresh_from_db()
    assert not follow_up.recommendation.is_withdrawn


def test_allow_withdraw_lets_a_large_withdrawal_through(tmp_path):
    path = imported_copy(tmp_path)
    follow_up = log_follow_up(Recommendation.objects.get(label="99(c)"), "KEN")
    before = snapshot()
    path.write_text(truncated(seed_text(), before="96. "), encoding="utf-8")

    # 95(c), now last, takes in the theme heading above the cut: updated.
    output = run("import_report", str(path), "--dry-run", "--allow-withdraw")
    assert output.startswith("[dry run] ")
    assert "updated: recommendations created 0, updated 1, unchanged 14, withdrawn 16" in output
    assert snapshot() == before

    output = run("import_report", str(path), "--allow-withdraw")
    assert "updated: recommendations created 0, updated 1, unchanged 14, withdrawn 16" in output
    report = Report.objects.get()
    assert report.recommendations.filter(is_withdrawn=False).count() == 15
    assert report.recommendations.count() == 31
    follow_up.refresh_from_db()
    assert follow_up.recommendation.is_withdrawn and follow_up.recommendation.label == "99(c)"

    # The service parameter does the same: 15 of 15 withdrawn by a file without the section.
    path.write_text(truncated(seed_text(), before=" 五. 建议"), encoding="utf-8")
    with pytest.raises(ImportFailed):
        report_import_file(path=path)
    result = report_import_file(path=path, allow_withdraw=True)
    assert (result.outcome, result.unchanged, result.withdrawn) == ("updated", 0, 15)
    assert not report.recommendations.filter(is_withdrawn=False).exists()


@pytest.mark.parametrize(
    ("before", "withdrawing", "refused"),
    [("(c) ", 2, False), ("(b) ", 3, True)],
    ids=["exactly-half-proceeds", "one-more-is-refused"],
)
def test_withdraw_limit_is_more_than_half(tmp_path, before, withdrawing, refused):
    path = imported_copy(tmp_path, SEED_2019)
    path.write_text(truncated(seed_text(SEED_2019), before=before, after="101. "), "utf-8")
    if refused:
        with pytest.raises(ImportFailed) as failed:
            report_import_file(path=path)
        assert failed.value.reason == refusal(withdrawing, 4)
        assert Recommendation.objects.filter(is_withdrawn=True).count() == 0
    else:
        result = report_import_file(path=path)
        assert (result.unchanged, result.withdrawn) == (4 - withdrawing, withdrawing)
        assert Recommendation.objects.filter(is_withdrawn=True).count() == withdrawing
    assert imports.MAX_WITHDRAW_SHARE == 1 / 2


def test_directory_import_reads_its_regular_files_and_lists_what_it_skips(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED_2019, folder / SEED_2019.name)
    (folder / "old").mkdir()
    shutil.copy(SEED_2004, folder / "old" / SEED_2004.name)
    shutil.copy(SEED_2016_COP, folder / ".draft.txt")
    elsewhere = tmp_path / SEED_2004.name
    shutil.copy(SEED_2004, elsewhere)
    (folder / "link.txt").symlink_to(elsewhere)
    os.mkfifo(folder / "pipe")

    output = run("import_report", str(folder))
    assert output.splitlines()[:5] == [
        f'skipped {folder}/.draft.txt: hidden (its name starts with ".")',
        f"skipped {folder}/link.txt: a symbolic link (links inside a directory are not "
        "followed; name the link itself to import it)",
        f"skipped {folder}/old: a directory (directories are not read recursively)",
        f"skipped {folder}/pipe: not a regular file",
        f"{folder}/{SEED_2019.name}: report {SEED_2019.name} new: recommendations created 4, "
        "updated 0, unchanged 0, withdrawn 0",
    ]
    assert list(Report.objects.values_list("symbol", flat=True)) == [SEED_2019.name]

    # A link named on the command line is read: the user chose it.
    output = run("import_report", str(folder / "link.txt"))
    assert output.startswith(f"{folder}/link.txt: report link.txt new: ")
    assert Report.objects.get(symbol="link.txt").recommendations.count() == 4


def test_import_seeds_lists_skipped_entries_and_needs_a_report_file(tmp_path, settings):
    settings.SEEDS_DIR = tmp_path
    (tmp_path / "old").mkdir()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="no report files in the seeds directory"):
        call_command("import_seeds", stdout=out, stderr=err)
    assert out.getvalue() == (
        f"skipped {tmp_path}/old: a directory (directories are not read recursively)\n"
    )
    shutil.copy(SEED_2019, tmp_path / SEED_2019.name)
    output = run("import_seeds")
    assert output.splitlines()[0].startswith(f"skipped {tmp_path}/old: a directory")
    assert f"report {SEED_2019.name} new" in output


def test_unreadable_directory_is_an_error(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    real_iterdir = Path.iterdir

    def iterdir(self):
        if self == folder:
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"^1 of 2 files could not be imported$"):
        call_command("import_report", str(folder), str(SEED_2019), stdout=out, stderr=err)
    assert err.getvalue() == f"error: {folder}: cannot list the directory (Permission denied)\n"
    assert f"report {SEED_2019.name} new" in out.getvalue()


def test_bootstrap_admin_creates_one_superuser_with_a_generated_password():
    output = run("bootstrap_admin")
    password = output.split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.check_password(password)
    assert len(password) >= 16
    assert "already exists" in run("bootstrap_admin")
    assert get_user_model().objects.count() == 1
