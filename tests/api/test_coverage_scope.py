"""One coverage scope (recommendations/filters.py) behind three doors: the page, the API
and the command refuse the same scopes with the same messages, and take the same ones.

The page shows a form error (200), the API a 400 keyed by parameter, the command a
CommandError naming the option (exit status 1, no traceback).
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from recommendations.choices import Status
from recommendations.models import FollowUp, Recommendation, Report
from recommendations.selectors.admin_lists import unverified_claims
from recommendations.selectors.claims import unverified_claim_q
from recommendations.selectors.coverage import (
    COVERAGE_COLUMNS,
    COVERAGE_FIGURES,
    COVERAGE_HEADINGS,
    COVERAGE_LABELS,
    coverage_by_theme,
    is_neglected,
)
from recommendations.selectors.reminders import claims_awaiting
from tests.api.conftest import make_staff
from tests.integration.shared import make_follow_up

COVERAGE = "/api/v1/coverage/"

START_AFTER_END = "The start date is after the end date."

# (page and API parameters, command options, the field refused, its message)
BAD_SCOPES = [
    (
        {"updated_from": "2030-01-02", "updated_to": "2030-01-01"},
        ["--from", "2030-01-02", "--to", "2030-01-01"],
        "updated_from",
        "--from",
        START_AFTER_END,
    ),
    (
        {"body": "XYZ"},
        ["--body", "XYZ"],
        "body",
        "--body",
        'Unknown body code "XYZ"; expected one of CCPCJ, CEPA, CND,',
    ),
    (
        {"member_state": "ZZZ"},
        ["--member-state", "ZZZ"],
        "member_state",
        "--member-state",
        'Unknown member state "ZZZ"; expected the ISO 3166-1 alpha-3 code',
    ),
    (
        {"updated_to": "2026-13-01"},
        ["--to", "2026-13-01"],
        "updated_to",
        "--to",
        "Expected a date as YYYY-MM-DD (e.g. 2026-01-31).",
    ),
    (
        {"updated_to": "9999-12-31"},
        ["--to", "9999-12-31"],
        "updated_to",
        "--to",
        "Ensure this value is less than or equal to 9999-12-30.",
    ),
    (
        {"report_symbol": "E/NOPE/1"},
        ["--report", "E/NOPE/1"],
        "report_symbol",
        "--report",
        'No report with symbol "E/NOPE/1" exists',
    ),
]


@pytest.fixture
def analyst(db):
    return make_staff("analyst")


def page_errors(client, query) -> dict[str, list[str]]:
    response = client.get("/coverage/", query)
    assert response.status_code == 200
    return response.context["form"].errors


def command_error(*args) -> str:
    with pytest.raises(CommandError) as error:
        call_command("coverage_report", *args, stdout=io.StringIO())
    return str(error.value)


@pytest.mark.parametrize(("query", "options", "field", "option", "message"), BAD_SCOPES)
def test_a_bad_scope_is_refused_alike_by_the_three_doors(
    seeds, staff_client, analyst, kenya, query, options, field, option, message
):
    (page,) = page_errors(staff_client, query)[field]
    assert page.startswith(message)
    assert message in staff_client.get("/coverage/", query).content.decode().replace("&quot;", '"')
    for caller in (analyst, kenya):
        response = caller.get(COVERAGE, query)
        assert response.status_code == 400
        assert response.json() == {field: [page]}
    assert command_error(*options) == f"{option}: {page}"


def test_a_report_id_naming_no_report(seeds, staff_client, analyst):
    missing = str(Report.objects.order_by("pk").last().pk + 1)
    (page,) = page_errors(staff_client, {"report": missing})["report"]
    assert page == f'No report with id "{missing}" exists.'
    assert analyst.get(COVERAGE, {"report": missing}).json() == {"report": [page]}


def test_the_command_exits_non_zero_without_a_traceback(seeds, capsys):
    command = load_command_class("recommendations", "coverage_report")
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(
            ["manage.py", "coverage_report", "--from", "2030-01-02", "--to", "2030-01-01"]
        )
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == f"CommandError: --from: {START_AFTER_END}"
    assert "Traceback" not in captured.err


def test_every_error_of_a_scope_is_given_at_once(seeds, staff_client, analyst):
    query = {"body": "XYZ", "updated_from": "soon"}
    assert set(page_errors(staff_client, query)) == {"body", "updated_from"}
    assert set(analyst.get(COVERAGE, query).json()) == {"body", "updated_from"}
    message = command_error("--body", "XYZ", "--from", "soon")
    assert [line.split(":")[0] for line in message.splitlines()] == ["--body", "--from"]


def test_a_good_scope_gives_the_same_figures_through_the_three_doors(seeds, staff_client, analyst):
    make_follow_up(Recommendation.objects.get(label="93(a)"), "KEN", Status.IMPLEMENTED)
    report = Recommendation.objects.get(label="93(a)").report
    # Codes in any case, the report by id (page, API) or by symbol (API, command).
    query = {"report": report.pk, "body": "cnd", "member_state": "ken", "updated_to": "2100-01-01"}
    expected = coverage_by_theme(
        report=report, body="CND", member_state="KEN", updated_to=datetime.date(2100, 1, 1)
    )
    assert staff_client.get("/coverage/", query).context["result"] == expected
    assert analyst.get(COVERAGE, query).json() == expected
    by_symbol = {**query, "report_symbol": report.symbol}
    del by_symbol["report"]
    assert analyst.get(COVERAGE, by_symbol).json() == expected
    page = staff_client.get("/coverage/", by_symbol)
    assert page.context["result"] == expected
    assert f'type="hidden" name="report_symbol" value="{report.symbol}"' in page.content.decode()
    out = io.StringIO()
    call_command(
        "coverage_report",
        "--format=json",
        f"--report={report.symbol}",
        "--body=cnd",
        "--member-state=ken",
        "--to=2100-01-01",
        stdout=out,
    )
    assert json.loads(out.getvalue()) == expected


def test_a_report_by_id_and_another_by_symbol_is_refused(seeds, analyst):
    first, second = Report.objects.order_by("pk")[:2]
    response = analyst.get(COVERAGE, {"report": first.pk, "report_symbol": second.symbol})
    assert response.status_code == 400 and set(response.json()) == {"report_symbol"}
    same = analyst.get(COVERAGE, {"report": first.pk, "report_symbol": first.symbol})
    assert same.status_code == 200


def test_the_api_refuses_an_empty_parameter_the_page_ignores_it(seeds, staff_client, analyst):
    response = analyst.get(COVERAGE, {"body": ""})
    assert response.status_code == 400 and set(response.json()) == {"body"}
    assert not page_errors(staff_client, {"body": "", "report": "", "updated_from": ""})


def test_a_liaison_is_held_to_their_own_member_state(seeds, kenya, bolivia):
    make_follow_up(Recommendation.objects.get(label="93(b)"), "KEN")
    make_follow_up(Recommendation.objects.get(label="94(a)"), "BOL")
    assert kenya.get(COVERAGE, {"member_state": "BOL"}).status_code == 403
    assert kenya.get(COVERAGE, {"member_state": "bol"}).status_code == 403
    mine = kenya.get(COVERAGE, {"member_state": "ken"}).json()
    assert mine["scope"]["member_state"] == "KEN" and mine["total"]["covered"] == 1
    assert [state["iso3"] for state in kenya.get(COVERAGE).json()["states"]] == ["KEN"]


# The figures' definitions, each in one place -------------------------------------------


def test_the_page_and_the_command_head_the_table_with_the_same_labels(seeds, staff_client):
    assert set(COVERAGE_LABELS) == {"code"} | {column.key for column in COVERAGE_FIGURES}
    assert [c.key for c in COVERAGE_COLUMNS] == ["code", "name_zh", "name_en"] + [
        c.key for c in COVERAGE_FIGURES
    ]
    response = staff_client.get("/coverage/")
    html = response.content.decode()
    headings = [str(label) for label in COVERAGE_HEADINGS]
    assert "coverage %" in headings and "Not started" in headings
    assert "".join(f'<th scope="col">{label}</th>' for label in headings) in html
    out = io.StringIO()
    call_command("coverage_report", stdout=out)
    assert out.getvalue().splitlines()[2].split("  ")[0] == "theme"
    for label in headings:
        assert label in out.getvalue().splitlines()[2]
    chinese = staff_client.get("/coverage/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<th scope="col">覆盖率 %</th>' in chinese


def test_a_neglected_row_holds_recommendations_none_reported_on():
    assert is_neglected({"recommendations": 3, "covered": 0})
    assert not is_neglected({"recommendations": 0, "covered": 0})
    # Covered, even when the share rounds to 0.0 %.
    assert not is_neglected({"recommendations": 2001, "covered": 1, "coverage_pct": 0.0})


def test_an_unverified_claim_is_one_definition(seeds, staff):
    rows = [
        make_follow_up(Recommendation.objects.get(label="93(a)"), "KEN", Status.IMPLEMENTED),
        make_follow_up(
            Recommendation.objects.get(label="93(b)"), "KEN", Status.IMPLEMENTED, verified_by=staff
        ),
        make_follow_up(Recommendation.objects.get(label="93(c)"), "KEN", Status.IN_PROGRESS),
    ]
    claim = rows[0].pk
    assert list(FollowUp.objects.filter(unverified_claim_q()).values_list("pk", flat=True)) == [
        claim
    ]
    assert [f.pk for f in unverified_claims(FollowUp.objects.all())] == [claim]
    assert [f.pk for f in claims_awaiting()] == [claim]
    on_recommendation = Recommendation.objects.filter(unverified_claim_q("follow_ups__"))
    assert list(on_recommendation.values_list("label", flat=True)) == ["93(a)"]
