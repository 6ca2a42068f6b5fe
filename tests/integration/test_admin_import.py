"""The admin's "Import reports" page: permission, preview (writes nothing), import,
re-import with changed text side by side, confirmation, bad files, the size limit, and
where the uploaded bytes are kept meanwhile."""

import io
import os
import re
import time
from io import StringIO
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from recommendations import roles
from recommendations.admin import imports as admin_import
from recommendations.models import (
    Recommendation,
    Report,
)
from recommendations.services import imports
from tests.conftest import ROOT, SEED_2019
from tests.integration.shared import make_user, snapshot

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/recommendations/report/import/"
PDF = ROOT / "tests/data/reports/en/S_2025_303.pdf"
SEED_NAME = SEED_2019.name  # 004_a18fa2faa6a1f8c2.txt: 101(a), (b), (c) and 102
SERVICE_LISTS_CHANGES = "changes" in getattr(imports.ImportResult, "__dataclass_fields__", {})


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post_files(client, *files, **extra):
    response = client.post(IMPORT_URL, {"files": list(files)}, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    preview_url = response["Location"]
    assert re.fullmatch(r"/admin/recommendations/report/import/[0-9a-f]{32}/", preview_url)
    return preview_url


def preview(client, *files, **extra):
    url = post_files(client, *files, **extra)
    response = client.get(url, **extra)
    assert response.status_code == 200
    return url, response


def confirm(client, url, confirmed=()):
    response = client.post(url, {"confirm": list(confirmed)})
    assert response.status_code == 302
    assert response["Location"] == f"{url}result/"
    return client.get(response["Location"])


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def seed_edited(*, drop=(), replace=()) -> bytes:
    """Seed 004 with items left out (their lines dropped) or texts replaced."""
    text = SEED_2019.read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text
        text = text.replace(old, new)
    lines = text.splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith(tuple(drop))).encode()


def scanned_pdf() -> bytes:
    """A one-page PDF without text, as a scanner makes it (no OCR)."""
    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def text_of(html: bytes | str) -> str:
    html = html.decode() if isinstance(html, bytes) else html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# Permission ------------------------------------------------------------------------------


def test_secretariat_staff_see_the_link_and_the_page(client, staff):
    assert staff.has_perm("recommendations.import_report")
    html = client.get("/admin/recommendations/report/").content.decode()
    assert 'href="/admin/recommendations/report/import/"' in html
    assert 'class="addlink"' in html and "Import reports" in html
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    page = text_of(response.content)
    assert "at most 50 MB each" in page
    assert 'type="file" name="files"' in response.content.decode()
    assert "multiple" in response.content.decode()


def test_without_the_permission_no_link_and_403(client):
    viewer = make_user("viewer", perms=["view_report"])
    client.force_login(viewer)
    response = client.get("/admin/recommendations/report/")
    assert response.status_code == 200
    assert "/admin/recommendations/report/import/" not in response.content.decode()
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"files": [upload(SEED_NAME, b"x")]}).status_code == 403
    batch = "0" * 32
    for suffix in ("", "result/", "cancel/", f"files/{'0' * 16}/"):
        assert client.post(f"{IMPORT_URL}{batch}/{suffix}").status_code == 403
    assert Report.objects.count() == 0


def test_superusers_may_import(client):
    client.force_login(make_user("root", superuser=True))
    assert (
        "/admin/recommendations/report/import/"
        in client.get("/admin/recommendations/report/").content.decode()
    )
    assert client.get(IMPORT_URL).status_code == 200


def test_liaisons_never_reach_the_admin(client):
    client.force_login(make_user("kenya", staff=False, group=roles.LIAISON))
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_import_url_is_not_taken_for_a_report_id(client, staff):
    # The default admin URLs would read "import" as an object id and redirect.
    assert client.get(IMPORT_URL).templates[0].name == "admin/recommendations/report/import.html"


# Preview ---------------------------------------------------------------------------------


def test_preview_of_a_pdf_and_a_seed_writes_nothing(client, staff, uploads):
    before = snapshot()
    url, response = preview(
        client,
        upload("S_2025_303.pdf", PDF.read_bytes()),
        upload(SEED_NAME, SEED_2019.read_bytes()),
    )
    assert snapshot() == before
    previews = {p.name: p for p in response.context["previews"]}
    pdf, seed = previews["S_2025_303.pdf"], previews[SEED_NAME]

    assert (pdf.format, pdf.language, pdf.result.symbol) == ("PDF", "English", "S/2025/303")
    assert pdf.title.startswith("Letter of 9 May 2025 from the Secretary-General")
    assert pdf.section == "«Recommendations»"
    assert [item.label for item in pdf.recommendations] == [str(n) for n in range(56, 65)]
    assert pdf.recommendations[0].beginning.startswith("UNODC recommends that Haiti establish")
    assert pdf.recommendations[0].themes == ["Countering corruption"]
    assert not pdf.symbol_from_name and not pdf.confirm and not pdf.known

    assert (seed.format, seed.language, seed.result.symbol) == ("Markdown", "Chinese", SEED_NAME)
    assert seed.symbol_from_name
    assert [item.label for item in seed.recommendations] == ["101(a)", "101(b)", "101(c)", "102"]

    page = text_of(response.content)
    assert "Nothing has been written yet. Ready to import: 2" in page
    assert "New report S/2025/303: 9 recommendations." in page
    assert "UNODC recommends that Haiti establish and equip regional offices" in page
    assert "继续努力加强《有组织犯罪公约》及其议定书" in page
    assert "Countering transnational organized crime 7" in page
    # The bytes wait on the server, one directory per user, batch and file.
    files = stored_files(uploads)
    assert sorted(path.name for path in files) == sorted(["S_2025_303.pdf", SEED_NAME])
    assert all(path.relative_to(uploads).parts[0] == str(staff.pk) for path in files)
    # Reading the preview again writes nothing either.
    client.get(url)
    assert snapshot() == before


def test_preview_of_a_report_without_recommendations_says_why(client, staff):
    _, response = preview(
        client, upload("E_2025_57.pdf", (ROOT / "tests/data/reports/en/E_2025_57.pdf").read_bytes())
    )
    (file,) = response.context["previews"]
    assert file.recommendations == []
    assert "«Conclusion» holds no recommendations (conclusions only)" in file.section


# Import ----------------------------------------------------------------------------------


def test_confirm_imports_a_real_pdf_and_a_seed(client, staff, uploads):
    url, _ = preview(
        client,
        upload("S_2025_303.pdf", PDF.read_bytes()),
        upload(SEED_NAME, SEED_2019.read_bytes()),
    )
    response = confirm(client, url)
    assert response.status_code == 200

    report = Report.objects.get(symbol="S/2025/303")
    assert report.source_file == "S_2025_303.pdf" and report.language == "en"
    assert report.recommendations.count() == 9
    themes = {
        code: report.recommendations.filter(themes__code=code).count()
        for code in ("organized-crime", "corruption", "terrorism", "criminal-justice")
    }
    assert themes == {"organized-crime": 7, "corruption": 4, "terrorism": 1, "criminal-justice": 2}
    seed = Report.objects.get(symbol=SEED_NAME)
    assert [r.label for r in seed.recommendations.order_by("position")] == [
        "101(a)",
        "101(b)",
        "101(c)",
        "102",
    ]
    history = Recommendation.history.filter(report_id=seed.pk).first()
    assert history.history_change_reason == f"import {SEED_NAME}"

    page = text_of(response.content)
    assert "New report S/2025/303: 9 recommendations imported." in page
    assert f"New report {SEED_NAME}: 4 recommendations imported." in page
    html = response.content.decode()
    assert f'href="/admin/recommendations/recommendation/?report__id__exact={report.pk}"' in html
    assert f'href="/admin/recommendations/report/{report.pk}/change/"' in html
    # Imported: the uploaded bytes are gone, and the batch with them.
    assert stored_files(uploads) == []
    listing = client.get(f"/admin/recommendations/recommendation/?report__id__exact={report.pk}")
    assert listing.context["cl"].result_count == 9


def test_one_file_at_a_time_as_the_page_script_does(client, staff, uploads):
    url, response = preview(
        client,
        upload("S_2025_303.pdf", PDF.read_bytes()),
        upload(SEED_NAME, SEED_2019.read_bytes()),
    )
    ids = [p.id for p in response.context["previews"]]
    first = client.post(f"{url}files/{ids[0]}/")
    assert first.status_code == 200
    assert first.json()["state"] == "imported"
    assert first.json()["text"] == "New report S/2025/303: 9 recommendations imported."
    report = Report.objects.get(symbol="S/2025/303")
    assert first.json()["url"] == (
        f"/admin/recommendations/recommendation/?report__id__exact={report.pk}"
    )
    assert not Report.objects.filter(symbol=SEED_NAME).exists()
    assert len(stored_files(uploads)) == 1  # the imported one is deleted at once
    # Posted twice (a double click): imported once, the same answer.
    again = client.post(f"{url}files/{ids[0]}/")
    assert again.json() == first.json()
    assert Recommendation.history.filter(report_id=report.pk).count() == 9
    second = client.post(f"{url}files/{ids[1]}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert second.json()["state"] == "imported"
    assert second.json()["text"] == f"新报告 {SEED_NAME}：已导入 4 条建议。"
    assert client.get(f"{url}files/{ids[1]}/").status_code == 405
    assert client.post(f"{url}files/{'f' * 16}/").status_code == 404
    result = client.get(f"{url}result/")
    assert [row["state"] for row in result.context["rows"]] == ["imported", "imported"]
    # Once the result is shown, the preview leads to it.
    assert client.get(url)["Location"] == f"{url}result/"


def test_reimport_preview_shows_changed_text_side_by_side(client, staff):
    call_command("import_report", str(SEED_2019), stdout=StringIO())
    before = snapshot()
    edited = seed_edited(
        replace=[("(a) 继续努力加强《有组织犯罪公约》", "(a) 进一步加强《有组织犯罪公约》")],
        drop=["(c) "],
    )
    url, response = preview(client, upload(SEED_NAME, edited))
    assert snapshot() == before
    (file,) = response.context["previews"]
    assert file.known and not file.confirm
    assert file.summary == (
        f"Known report {SEED_NAME}: 0 recommendations added, 2 updated, 1 unchanged, 1 withdrawn."
    )
    # 102 moves up (101(c) is gone): updated, its text unchanged (when the service lists
    # its changes; until then the page compares the texts only).
    moved = "updated: position" if SERVICE_LISTS_CHANGES else "unchanged"
    kinds = {item.label: item.kind_label for item in file.recommendations}
    assert kinds == {"101(a)": "text changed", "101(b)": "unchanged", "102": moved}
    (changed,) = file.changed
    assert changed.label == "101(a)"
    assert changed.old_text.startswith("继续努力加强") and changed.text.startswith("进一步加强")
    old_html, new_html = changed.diff
    assert "<del>继续努力</del>" in old_html and "<ins>进一步</ins>" in new_html
    assert [item.label for item in file.withdrawn] == ["101(c)"]
    html = response.content.decode()
    table = html[html.index('class="import-diff"') :]
    table = table[: table.index("</table>")]
    row = table[table.index("101(a)") :]
    assert row.index("<del>继续努力</del>") < row.index("<ins>进一步</ins>")  # old | new
    assert "To be withdrawn: no longer in the file" in text_of(html)

    response = confirm(client, url)
    rec = Recommendation.objects.get(report__symbol=SEED_NAME, label="101(a)")
    assert rec.text.startswith("进一步加强《有组织犯罪公约》")
    assert Recommendation.objects.get(report__symbol=SEED_NAME, label="101(c)").is_withdrawn
    assert (
        f"Report {SEED_NAME} updated: 0 recommendations added, 2 updated, 1 unchanged, "
        "1 withdrawn." in text_of(response.content)
    )


def test_a_large_withdrawal_needs_the_explicit_confirmation(client, staff):
    call_command("import_report", str(SEED_2019), stdout=StringIO())
    before = snapshot()
    truncated = seed_edited(drop=["(b) ", "(c) ", "102. "])
    url, response = preview(client, upload(SEED_NAME, truncated))
    (file,) = response.context["previews"]
    assert file.confirm and file.state == "confirm"
    assert file.reasons == [
        "would withdraw 3 of 4 active recommendations (more than half): the file may be "
        "truncated or another report"
    ]
    assert [item.label for item in file.withdrawn] == ["101(b)", "101(c)", "102"]
    html = response.content.decode()
    assert f'name="confirm" value="{file.id}"' in html
    assert "I confirm: import this file as shown here" in html
    assert "--allow-withdraw" not in html

    # Not ticked: not imported, nothing written.
    response = confirm(client, url)
    assert snapshot() == before
    (row,) = response.context["rows"]
    assert row["state"] == "failed"
    assert "Not imported: it needs your confirmation (would withdraw 3 of 4" in row["text"]

    # Ticked: imported, three withdrawn.
    url, response = preview(client, upload(SEED_NAME, truncated))
    (file,) = response.context["previews"]
    response = confirm(client, url, confirmed=[file.id])
    (row,) = response.context["rows"]
    assert row["state"] == "imported"
    assert Recommendation.objects.filter(report__symbol=SEED_NAME, is_withdrawn=True).count() == 3


def test_a_confirmation_counts_only_where_the_preview_asked_for_it(client, staff):
    call_command("import_report", str(SEED_2019), stdout=StringIO())
    truncated = seed_edited(drop=["(b) ", "(c) ", "102. "])
    url, response = preview(client, upload(SEED_NAME, truncated))
    (file,) = response.context["previews"]
    # The database changes after the preview: the confirmation given still applies to
    # what was asked (a withdrawal), through the same service.
    response = client.post(f"{url}files/{file.id}/", {"confirm": file.id})
    assert response.json()["state"] == "imported"


def test_an_unchanged_file_writes_nothing(client, staff):
    call_command("import_report", str(SEED_2019), stdout=StringIO())
    before = snapshot()
    url, response = preview(client, upload(SEED_NAME, SEED_2019.read_bytes()))
    (file,) = response.context["previews"]
    assert file.summary == f"Report {SEED_NAME} is unchanged (4 recommendations): nothing to write."
    assert len(file.recommendations) == 4
    response = confirm(client, url)
    (row,) = response.context["rows"]
    assert row["state"] == "unchanged"
    assert snapshot() == before


# Language versions -----------------------------------------------------------------------

CHINESE = ROOT / "tests/data/reports/zh/S_2025_303.zh.txt"  # S/2025/303 in Chinese
needs_versions = pytest.mark.skipif(
    not hasattr(imports, "ConfirmationNeeded") or not CHINESE.exists(),
    reason="the service imports language versions",
)


@needs_versions
def test_a_language_version_adds_its_texts(client, staff):
    from recommendations.models import RecommendationText

    call_command("import_report", str(PDF), stdout=StringIO())
    before = snapshot()
    url, response = preview(client, upload(CHINESE.name, CHINESE.read_bytes()))
    assert snapshot() == before
    (file,) = response.context["previews"]
    assert file.summary == (
        "Language version of S/2025/303 (original in English): adds the Chinese text to 9 "
        "of 9 recommendations."
    )
    assert file.language == "Chinese" and not file.confirm
    assert file.recommendations[0].text.startswith("毒品和犯罪问题办公室建议海地")
    response = confirm(client, url)
    (row,) = response.context["rows"]
    assert row["state"] == "imported" and row["text"] == file.summary
    assert RecommendationText.objects.filter(language="zh").count() == 9


@needs_versions
def test_a_language_version_with_unmatched_labels_needs_the_confirmation(client, staff):
    from recommendations.models import RecommendationText

    call_command("import_report", str(PDF), stdout=StringIO())
    text = CHINESE.read_text(encoding="utf-8")
    start = text.index("\n60. ")
    text = text[:start] + text[text.index("\n61. ") :]  # 60 is missing
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    url, response = preview(client, upload(CHINESE.name, text.encode()), **zh)
    (file,) = response.context["previews"]
    assert file.confirm and file.confirm_flags == ["allow_unmatched"]
    assert file.shown_reasons == ["1 个编号未匹配：缺少 60"]
    assert file.version_labels == ["此文件中没有的编号：60"]
    assert "S/2025/303 的语文版本（原文为英文）：为 9 条建议中的 8 条添加中文案文。" in file.summary
    response = confirm(client, url, confirmed=[file.id])
    assert response.context["rows"][0]["state"] == "imported"
    assert RecommendationText.objects.filter(language="zh").count() == 8


# Bad files -------------------------------------------------------------------------------


def test_bad_files_are_refused_with_their_names_and_the_others_go_on(client, staff, uploads):
    pdf = PDF.read_bytes()
    files = [
        upload("empty.txt", b""),
        upload("random.bin", os.urandom(4096)),
        upload("truncated.pdf", pdf[: len(pdf) // 3]),
        upload("scanned.pdf", scanned_pdf()),
        upload(SEED_NAME, SEED_2019.read_bytes()),
    ]
    before = snapshot()
    url, response = preview(client, *files)
    assert snapshot() == before
    errors = {p.name: p.error for p in response.context["previews"]}
    assert re.fullmatch(r"(line \d+: )?binary data.*", errors.pop("random.bin"))
    assert errors == {
        "empty.txt": "the file is empty",
        "truncated.pdf": "not a readable PDF, damaged or incomplete (data format error)",
        "scanned.pdf": "the PDF has no text layer (a scanned document?): text recognition "
        "(OCR) is not supported; import a PDF with text",
        SEED_NAME: "",
    }
    page = text_of(response.content)
    assert "Ready to import: 1; needing your confirmation: 0; cannot be imported: 4." in page
    for name in ("empty.txt", "random.bin", "truncated.pdf", "scanned.pdf"):
        section = page[page.index(name) :]
        assert section.index("Cannot be imported:") < section.index("Nothing will be written")
    # Only the good file is offered to the script's progress list.
    html = response.content.decode()
    progress = html[html.index('id="import-progress"') : html.index("</ol>")]
    assert SEED_NAME in progress and "scanned.pdf" not in progress

    response = confirm(client, url)
    assert list(Report.objects.values_list("symbol", flat=True)) == [SEED_NAME]
    rows = {row["name"]: row for row in response.context["rows"]}
    assert rows["scanned.pdf"]["state"] == "failed"
    assert rows["scanned.pdf"]["text"].startswith("Not imported: the PDF has no text layer")
    assert rows["empty.txt"]["text"] == "Not imported: the file is empty"
    assert rows[SEED_NAME]["state"] == "imported"
    assert stored_files(uploads) == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_stored(client, staff, uploads):
    limit = admin_import.max_upload_bytes()
    assert limit == 50 * 1024 * 1024 == getattr(imports, "MAX_UPLOAD_BYTES", limit)
    big = upload("huge.pdf", b"%PDF-1.7\n" + b"0" * limit)
    url, response = preview(client, big, upload(SEED_NAME, SEED_2019.read_bytes()))
    errors = {p.name: p.error for p in response.context["previews"]}
    assert errors["huge.pdf"] == "Larger than the limit of 50 MB per file: not read."
    assert errors[SEED_NAME] == ""
    assert [path.name for path in stored_files(uploads)] == [SEED_NAME]
    response = confirm(client, url)
    rows = {row["name"]: row["text"] for row in response.context["rows"]}
    assert rows["huge.pdf"] == "Not imported: Larger than the limit of 50 MB per file: not read."


def test_the_limit_is_the_services(client, staff, uploads, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 10_000, raising=False)
    _, response = preview(
        client, upload("a.txt", b"x" * 10_001), upload(SEED_NAME, SEED_2019.read_bytes()[:10_000])
    )
    errors = {p.name: p.error for p in response.context["previews"]}
    assert errors["a.txt"] == "Larger than the limit of 0.01 MB per file: not read."
    assert [path.name for path in stored_files(uploads)] == [SEED_NAME]


def test_no_file_chosen(client, staff):
    response = client.post(IMPORT_URL, {})
    assert response.status_code == 200
    assert "Choose one or more report files." in response.content.decode()


# Where the uploads wait ------------------------------------------------------------------


def test_uploads_belong_to_their_user_and_session(client, staff):
    url, _ = preview(client, upload(SEED_NAME, SEED_2019.read_bytes()))
    other = make_user("colleague", group=roles.SECRETARIAT)
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.get(f"{url}result/").status_code == 404


def test_cancel_deletes_the_uploaded_files(client, staff, uploads):
    url, _ = preview(client, upload(SEED_NAME, SEED_2019.read_bytes()))
    assert stored_files(uploads)
    response = client.post(f"{url}cancel/")
    assert response.status_code == 302 and response["Location"] == IMPORT_URL
    assert stored_files(uploads) == []
    assert client.get(url).status_code == 404
    assert Report.objects.count() == 0


def test_old_uploads_are_deleted(client, staff, uploads):
    url, _ = preview(client, upload(SEED_NAME, SEED_2019.read_bytes()))
    (path,) = stored_files(uploads)
    batch_dir = path.parents[1]
    old = time.time() - admin_import.max_age() - 60
    os.utime(batch_dir, (old, old))
    client.get(IMPORT_URL)  # anyone opening the page sweeps
    assert not batch_dir.exists()
    # The session still names the batch (until it is too old itself): the preview says
    # the file is gone.
    response = client.get(url)
    (file,) = response.context["previews"]
    assert "no longer on the server" in file.error


def test_file_names_are_never_paths():
    assert admin_import.safe_name("../../etc/passwd") == "passwd"
    assert admin_import.safe_name("C:\\fakepath\\report.pdf") == "report.pdf"
    assert admin_import.safe_name("..") == "report"
    assert admin_import.safe_name("a\x00b\n.txt") == "ab.txt"
    long = admin_import.safe_name("报告" * 200 + ".pdf")
    assert long.endswith(".pdf") and len(long.encode()) <= 240


# Chinese ---------------------------------------------------------------------------------


def test_the_pages_in_chinese(client, staff):
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    page = text_of(client.get(IMPORT_URL, **zh).content)
    assert "导入报告" in page and "每个文件不超过 50 MB" in page
    html = client.get("/admin/recommendations/report/", **zh).content.decode()
    assert "导入报告" in html
    url, response = preview(
        client, upload("S_2025_303.pdf", PDF.read_bytes()), upload("empty.txt", b""), **zh
    )
    page = text_of(response.content)
    assert "尚未写入任何内容" in page
    assert "新报告 S/2025/303：9 条建议。" in page
    assert "英文" in page and "有组织犯罪" in page
    assert "无法导入：" in page
    response = client.post(url, {}, **zh)
    page = text_of(client.get(response["Location"], **zh).content)
    assert "新报告 S/2025/303：已导入 9 条建议。" in page
    assert "S/2025/303 的建议" in page
