"""/coverage/: staff only; the page, its CSV/XLSX downloads, the API and the command agree."""

import csv
import io
import json
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.choices import Status
from recommendations.models import MemberState, Recommendation, RecommendationTheme
from recommendations.selectors.coverage import coverage_by_theme, kept_reads_forget
from recommendations.services import coverage_figures
from recommendations.services import follow_ups as services
from tests.integration.shared import make_follow_up, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(seeds, staff, client):
    for label, iso3, status, verified in [
        ("93(a)", "KEN", Status.IMPLEMENTED, True),
        ("93(b)", "KEN", Status.IMPLEMENTED, False),
        ("93(b)", "BOL", Status.IN_PROGRESS, False),
        ("59(a)", "CHN", Status.NOT_STARTED, False),  # in three rule themes
        ("99(c)", "KEN", Status.NOT_IMPLEMENTED, False),
    ]:
        make_follow_up(
            Recommendation.objects.get(label=label),
            iso3,
            status,
            verified_by=staff if verified else None,
        )
    client.logout()  # the tests log in as they need
    return staff


def test_login_required_and_staff_only(client, data, liaison):
    response = client.get("/coverage/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(liaison)
    assert client.get("/coverage/").status_code == 302


def test_page_shows_the_selectors_figures(client, data):
    client.force_login(data)
    response = client.get("/coverage/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.context["rows"]}
    expected = coverage_by_theme()
    assert rows["total"]["covered"] == expected["total"]["covered"] == 4
    assert rows["drugs"]["coverage_pct"] == 33.3
    assert rows["terrorism"]["covered"] == 1  # 59(a) mentions 恐怖主义
    assert rows["research"]["neglected"] and not rows["drugs"]["neglected"]
    html = response.content.decode()
    assert html.count('class="bar-chart"') == 2
    assert "<script" not in html.split('id="content-main"')[1]  # charts are plain SVG
    assert 'data-state="KEN"' in html and "heat-" in html


def test_page_shows_a_no_theme_row_before_the_total(client, data):
    client.force_login(data)
    target = Recommendation.objects.get(label="99(c)")  # KEN not_implemented
    with coverage_figures.recommendations_changing([target.pk]):
        RecommendationTheme.objects.filter(recommendation=target).delete()
    response = client.get("/coverage/")
    rows = response.context["rows"]
    assert [row["code"] for row in rows][-2:] == ["unthemed", "total"]
    unthemed = rows[-2]
    assert (unthemed["name"], unthemed["recommendations"], unthemed["covered"]) == (
        "No theme",
        1,
        1,
    )
    assert rows[-1]["recommendations"] == 39  # the total still counts everything once
    html = response.content.decode()
    assert 'class="unthemed" data-theme="unthemed"' in html
    chinese = client.get("/coverage/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.context["rows"][-2]["name"] == "无主题"
    assert "无主题" in chinese.content.decode()


def test_scope_filters_and_bad_scope(client, data):
    client.force_login(data)
    report = Recommendation.objects.get(label="59(a)").report_id
    response = client.get("/coverage/", {"report": report})
    assert response.context["result"]["total"]["recommendations"] == 4
    assert response.context["result"]["total"]["covered"] == 1
    response = client.get("/coverage/", {"updated_from": "2030-01-02", "updated_to": "2030-01-01"})
    assert response.status_code == 200
    assert "The start date is after the end date." in response.content.decode()


def same(value):
    """A cell as a comparable value: numbers as floats, the rest as text."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def test_downloads_agree_with_the_command_and_the_api(client, data):
    client.force_login(data)
    body = b"".join(client.get("/coverage/", {"export": "csv"}).streaming_content).decode()
    assert body.startswith("\ufeff")
    page_rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    out = StringIO()
    call_command("coverage_report", "--format", "csv", stdout=out)
    command_rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert page_rows == command_rows
    out = StringIO()
    call_command("coverage_report", "--format", "json", stdout=out)
    as_json = json.loads(out.getvalue())
    api = client.get("/api/v1/coverage/").json()
    assert api["themes"] == as_json["themes"] and api["total"] == as_json["total"]
    assert api["unthemed"] == as_json["unthemed"]
    assert [row["covered"] for row in page_rows] == [
        str(theme["covered"]) for theme in [*api["themes"], api["unthemed"], api["total"]]
    ]
    assert [row["theme"] for row in page_rows][-2:] == ["unthemed", "total"]

    response = client.get("/coverage/", {"export": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["coverage", "states"]
    sheet = [list(row) for row in workbook["coverage"].iter_rows(values_only=True)]
    assert [str(v) for v in sheet[0]] == list(page_rows[0].keys())
    assert [same(v) for v in sheet[-1]] == [same(v) for v in page_rows[-1].values()]
    states = [list(row) for row in workbook["states"].iter_rows(values_only=True)]
    assert [row[0] for row in states[1:]] == ["BOL", "CHN", "KEN"]
    assert states[1][2] == "多民族玻利维亚国"

    body = b"".join(client.get("/coverage/", {"export": "states-csv"}).streaming_content).decode()
    assert "KEN,Kenya,肯尼亚" in body


def test_page_query_count_is_constant(client, data):
    client.force_login(data)
    client.get("/coverage/")
    kept_reads_forget()  # as after a write: the figures read again
    with CaptureQueriesContext(connection) as small:
        client.get("/coverage/")
    for label in ("94(a)", "94(b)", "95(a)", "96(a)", "97(a)", "98(a)"):
        for iso3 in ("FRA", "DEU", "JPN"):
            services.follow_up_create(
                recommendation=Recommendation.objects.get(label=label),
                member_state=MemberState.objects.get(iso3=iso3),
                user=data,
            )
    with CaptureQueriesContext(connection) as large:
        client.get("/coverage/")
    assert len(small) == len(large)
    with CaptureQueriesContext(connection) as again:  # nothing written since
        client.get("/coverage/")
    assert len(again) == len(large) - 4  # its four reads of the figures


def test_admin_index_links_to_the_coverage_page(client, data):
    client.force_login(make_user("root", superuser=True))
    assert 'href="/coverage/"' in client.get("/admin/").content.decode()
