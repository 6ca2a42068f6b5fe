"""Coverage for liaisons: small numbers are withheld (COVERAGE_MIN_OTHER_STATES).

A liaison knows their own state's follow-ups; a coverage figure that also counts few other
states' gives those away by subtraction. These tests read GET /api/v1/coverage/ as the
liaison and as staff, and check what is shown against the follow-ups in the database.
"""

import itertools
import json
import random

import pytest
from django.utils import timezone

from recommendations.api.coverage import CoverageSerializer
from recommendations.models import FollowUp, Recommendation
from recommendations.selectors.coverage import (
    FOLLOW_UP_FIGURES,
    coverage_by_theme,
    coverage_for_liaison,
    coverage_rows,
    suppress_small_numbers,
)
from recommendations.services.coverage_figures import figures_rebuild
from tests.api.conftest import make_liaison
from tests.integration.shared import rec as recommendation

pytestmark = pytest.mark.django_db

COVERAGE = "/api/v1/coverage/"
OTHERS = ["BOL", "PER", "FRA", "IND"]
DRUGS = ["93(a)", "93(b)", "93(c)", "93(d)", "93(e)", "93(f)"]


def report(caller, label, status="implemented"):
    """The caller's state reports on a recommendation, through the API."""
    response = caller.post(
        "/api/v1/follow-ups/", {"recommendation": recommendation(label).pk, "status": status}
    )
    assert response.status_code == 201, response.json()


def others_report(states, labels, status="implemented", verified=True):
    """Other states' follow-ups, straight into the database (setup only; a bulk load, so
    the coverage figures are recomputed). The seeds' labels are unique across their
    reports."""
    for iso3, label in itertools.product(states, labels):
        FollowUp.objects.create(
            recommendation=Recommendation.objects.get(label=label),
            member_state_id=iso3,
            status=status,
            verified_at=timezone.now() if verified else None,
        )
    figures_rebuild()


def row(data, code):
    return next(r for r in coverage_rows(data) if r["code"] == code)


def withheld(data, code):
    shown = row(data, code)
    return shown["suppressed"] and all(shown[key] is None for key in FOLLOW_UP_FIGURES)


# Thresholds ---------------------------------------------------------------------------


@pytest.mark.parametrize("n_others", [1, 2])
def test_fewer_than_three_other_states_are_withheld(seeds, kenya, n_others):
    report(kenya, "93(b)")
    others_report(OTHERS[:n_others], ["93(c)"])
    data = kenya.get(COVERAGE).json()
    drugs = row(data, "drugs")
    assert withheld(data, "drugs") and withheld(data, "total")
    assert set(drugs["status_counts"].values()) == {None}
    # What depends only on the published recommendations stays.
    assert (drugs["recommendations"], data["total"]["recommendations"]) == (6, 39)
    assert data["suppression"]["min_other_states"] == 3
    assert "fewer than 3 other member states" in data["suppression"]["reason"]
    # The liaison's own per-state row is theirs alone, and stays.
    assert [state["iso3"] for state in data["states"]] == ["KEN"]
    assert data["states"][0]["themes"]["drugs"] == 16.7


def test_three_other_states_are_shown(seeds, kenya):
    report(kenya, "93(b)")
    others_report(OTHERS[:3], DRUGS[2:4])
    data = kenya.get(COVERAGE).json()
    drugs = row(data, "drugs")
    assert not drugs["suppressed"]
    assert (drugs["covered"], drugs["states_reporting"], drugs["coverage_pct"]) == (3, 4, 50.0)
    assert drugs["status_counts"]["implemented"] == 7
    assert (drugs["verified_implemented"], drugs["unverified_implemented"]) == (6, 1)
    assert drugs["implemented_pct"] == 100.0
    # No one else reported on any other theme: those rows, and the total (which minus
    # drugs would give them), are withheld.
    assert withheld(data, "organized-crime") and withheld(data, "total")


def test_every_row_is_shown_when_three_others_reported_everywhere(seeds, kenya, staff_caller):
    report(kenya, "93(b)")
    labels = Recommendation.objects.values_list("label", flat=True).filter(is_withdrawn=False)
    for iso3 in OTHERS[:3]:
        for pk in Recommendation.objects.filter(is_withdrawn=False).values_list("pk", flat=True):
            FollowUp.objects.create(
                recommendation_id=pk, member_state_id=iso3, status="in_progress"
            )
    figures_rebuild()  # a bulk load around the services
    assert len(labels) == 39
    data = kenya.get(COVERAGE).json()
    staff = staff_caller.get(COVERAGE).json()
    assert not any(r["suppressed"] for r in coverage_rows(data))
    for shown, real in zip(coverage_rows(data), coverage_rows(staff), strict=True):
        assert {key: shown[key] for key in real} == real
    assert data["total"]["states_reporting"] == 4


def test_staff_always_see_every_figure(seeds, kenya, staff_caller):
    report(kenya, "93(b)")
    others_report(["BOL"], ["93(c)"], verified=False)
    data = staff_caller.get(COVERAGE).json()
    assert "suppression" not in data
    assert not any("suppressed" in r for r in coverage_rows(data))
    drugs = row(data, "drugs")
    assert (drugs["covered"], drugs["states_reporting"]) == (2, 2)
    assert (drugs["verified_implemented"], drugs["unverified_implemented"]) == (0, 2)
    assert data["total"]["status_counts"]["implemented"] == 2
    assert [state["iso3"] for state in data["states"]] == ["BOL", "KEN"]


def test_the_setting_sets_the_threshold(seeds, kenya, settings):
    report(kenya, "93(b)")
    others_report(["BOL"], ["93(c)"])
    settings.COVERAGE_MIN_OTHER_STATES = 1
    data = kenya.get(COVERAGE).json()
    assert data["suppression"]["min_other_states"] == 1
    assert row(data, "drugs")["states_reporting"] == 2
    assert withheld(data, "organized-crime")  # no one else there
    settings.COVERAGE_MIN_OTHER_STATES = 2
    assert withheld(kenya.get(COVERAGE).json(), "drugs")


def test_a_liaisons_own_scope_is_never_withheld(seeds, kenya):
    report(kenya, "93(b)")
    others_report(["BOL"], ["93(c)"])
    data = kenya.get(COVERAGE, {"member_state": "KEN"}).json()
    assert not any(r["suppressed"] for r in coverage_rows(data))
    assert row(data, "drugs")["covered"] == 1 and data["total"]["states_reporting"] == 1
    assert kenya.get(COVERAGE, {"member_state": "BOL"}).status_code == 403


def test_the_scope_is_judged_as_asked(seeds, kenya):
    """Other states outside the scope (another report, another period) do not count."""
    report(kenya, "93(b)")
    others_report(OTHERS[:3], ["93(c)"])
    others_report(["IND"], ["58"], verified=False)
    first = recommendation("93(b)").report_id
    assert not row(kenya.get(COVERAGE, {"report": first}).json(), "drugs")["suppressed"]
    second = Recommendation.objects.get(label="58").report_id
    assert withheld(kenya.get(COVERAGE, {"report": second}).json(), "corruption")
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    later = kenya.get(COVERAGE, {"updated_from": tomorrow}).json()
    assert withheld(later, "drugs") and later["total"]["recommendations"] == 39


# Complementary disclosure ---------------------------------------------------------------


def test_the_total_minus_the_rows_shown_gives_nothing_away(seeds, kenya):
    # Three others reported on drugs, one (India) on organized crime only: its row is
    # withheld; the total counts four others, but total minus drugs would be India's.
    report(kenya, "93(b)")
    others_report(OTHERS[:3], ["93(c)"])
    others_report(["IND"], ["94(a)"])
    data = kenya.get(COVERAGE).json()
    assert not row(data, "drugs")["suppressed"]
    assert withheld(data, "organized-crime") and withheld(data, "total")


def test_a_row_minus_a_row_it_contains_gives_nothing_away(seeds):
    """Directly on the rule: rows X and Y each count three others, but Y holds X's
    recommendations and one more that only Bolivia reported on."""
    result = coverage_by_theme(report=recommendation("93(b)").report)
    themes_of = {1: frozenset({"drugs", "research"}), 2: frozenset({"research"})}
    three = {"PER", "FRA", "IND"}
    reporters = {1: three, 2: {"BOL"}}
    for theme in result["themes"]:
        theme["recommendations"] = {"drugs": 1, "research": 2}.get(theme["code"], 0)
    result["total"]["recommendations"] = 2
    shown = suppress_small_numbers(result, themes_of=themes_of, reporters=reporters, minimum=3)
    hidden = {r["code"] for r in coverage_rows(shown) if r["suppressed"]}
    # research - drugs (and total - drugs) would be Bolivia's: without drugs, the total
    # and research are the same two recommendations, and give nothing away.
    assert hidden == {"drugs"}
    reporters[2] = three | {"BOL"}
    shown = suppress_small_numbers(result, themes_of=themes_of, reporters=reporters, minimum=3)
    assert not any(r["suppressed"] for r in coverage_rows(shown))


# No combination of the figures shown isolates fewer than three other states -------------


def _check_no_disclosure(data, own, staff_data, minimum=3):
    """Recompute from the database: each figure shown is the real one; each row shown, and
    each sum or difference of rows shown, counts follow-ups of `minimum` or more other
    states (or none at all, when it covers no recommendation)."""
    themes_of = {
        pk: frozenset()
        for pk in Recommendation.objects.filter(is_withdrawn=False).values_list("pk", flat=True)
    }
    for pk, code in Recommendation.objects.filter(is_withdrawn=False).values_list(
        "pk", "themes__code"
    ):
        if code:
            themes_of[pk] |= {code}
    others: dict[int, set[str]] = {}
    for pk, iso3 in FollowUp.objects.exclude(member_state_id=own).values_list(
        "recommendation_id", "member_state_id"
    ):
        others.setdefault(pk, set()).add(iso3)

    def members(code):
        if code == "total":
            return set(themes_of)
        if code == "unthemed":
            return {pk for pk, codes in themes_of.items() if not codes}
        return {pk for pk, codes in themes_of.items() if code in codes}

    shown = [r for r in coverage_rows(data) if not r["suppressed"] and r["recommendations"]]
    for r in shown:
        real = row(staff_data, r["code"])
        assert {key: r[key] for key in real} == real  # real figures, not noise
        # The simple subtraction: the row minus the liaison's own figures.
        reporting = set().union(*(others.get(pk, set()) for pk in members(r["code"])))
        assert len(reporting) >= minimum, r["code"]
    for weights in itertools.product((-1, 0, 1), repeat=len(shown)):
        if not any(weights):
            continue
        total = dict.fromkeys(themes_of, 0)
        for weight, r in zip(weights, shown, strict=True):
            for pk in members(r["code"]):
                total[pk] += weight
        support = [pk for pk, weight in total.items() if weight]
        reporting = set().union(*(others.get(pk, set()) for pk in support))
        assert not support or len(reporting) >= minimum, weights


# With these seeds, rows shown by the first rule alone (fewer than three others) would
# still give a state away in 4, 5 and 9: the second rule is at work.
@pytest.mark.parametrize("seed", [0, 4, 5, 9])
def test_no_combination_of_the_rows_shown_gives_fewer_than_three_states_away(
    seeds, kenya, staff_caller, seed
):
    chance = random.Random(seed)
    report(kenya, "93(b)")
    active = Recommendation.objects.filter(is_withdrawn=False).order_by("pk")
    pks = list(active.values_list("pk", flat=True))
    for iso3 in [*OTHERS, "CHN"]:
        for pk in chance.sample(pks, chance.randint(3, 14)):
            FollowUp.objects.create(
                recommendation_id=pk,
                member_state_id=iso3,
                status=chance.choice(["implemented", "in_progress", "not_applicable"]),
            )
    figures_rebuild()  # a bulk load around the services
    data = kenya.get(COVERAGE).json()
    _check_no_disclosure(data, "KEN", staff_caller.get(COVERAGE).json())
    # The same as the selector gives, and some rows are shown (the check is not empty).
    assert data == json.loads(json.dumps(coverage_for_liaison("KEN", minimum=3)))
    assert any(not r["suppressed"] and r["recommendations"] for r in coverage_rows(data))


def test_liaisons_of_other_states_see_the_same_rule(seeds, kenya, bolivia):
    report(kenya, "93(b)")
    report(bolivia, "93(c)")
    for caller in (kenya, bolivia):
        assert withheld(caller.get(COVERAGE).json(), "drugs")
    peru = make_liaison("lima", "PER")
    report(peru, "93(d)")
    others_report(["FRA", "IND"], ["93(e)"])
    for caller in (kenya, bolivia, peru):
        assert row(caller.get(COVERAGE).json(), "drugs")["states_reporting"] == 5


def test_the_schema_serializer_has_the_shape_of_every_answer(seeds, kenya, staff_caller):
    """CoverageSerializer (the OpenAPI schema of the answer) neither misses nor adds a
    key, for staff and for a liaison, withheld or not."""
    report(kenya, "93(b)")
    others_report(OTHERS[:3], ["93(c)"])
    answers = [
        staff_caller.get(COVERAGE).json(),
        kenya.get(COVERAGE).json(),
        kenya.get(COVERAGE, {"member_state": "KEN"}).json(),
    ]
    assert withheld(answers[1], "total") and not row(answers[1], "drugs")["suppressed"]
    for data in answers:
        assert json.loads(json.dumps(CoverageSerializer(data).data)) == data
    schema = staff_caller.get("/api/v1/schema/", {"format": "json"}).json()
    ok = schema["paths"]["/api/v1/coverage/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Coverage"}


def test_too_many_small_groups_to_check_withholds_every_row(seeds):
    """Past the audit's limit (thousands of groups of states), every row with a
    recommendation is withheld rather than shown unchecked."""
    result = coverage_by_theme()
    codes = [theme["code"] for theme in result["themes"]]
    theme_sets = [
        frozenset(combination)
        for size in range(1, 4)
        for combination in itertools.combinations(codes, size)
    ][:80]
    themes_of = dict(enumerate(theme_sets))
    reporters = {pk: {f"S{pk:02}"} for pk in themes_of}  # 80 states, one each: 3240 pairs
    shown = suppress_small_numbers(result, themes_of=themes_of, reporters=reporters, minimum=3)
    assert all(r["suppressed"] for r in coverage_rows(shown) if r["code"] != "unthemed")
    reporters = {pk: {f"S{pk:02}", "BOL", "PER"} for pk in themes_of}
    shown = suppress_small_numbers(result, themes_of=themes_of, reporters=reporters, minimum=3)
    assert not any(r["suppressed"] for r in coverage_rows(shown))


# Known gaps: the rule judges one answer at a time ---------------------------------------
#
# Two answers to different scopes can be subtracted from each other. Each is safe alone;
# the difference is not. Closing these needs the scopes a liaison may ask for to be
# limited (or audited together), which is a decision on the API, not on this rule.


@pytest.mark.xfail(strict=True, reason="two nested periods differ by one state's update")
def test_known_gap_nested_periods(seeds, kenya):
    report(kenya, "93(b)")
    others_report(OTHERS[:3], ["93(c)"])
    last_week = timezone.now() - timezone.timedelta(days=7)
    FollowUp.objects.update(updated_at=last_week)
    others_report(["IND"], ["93(e)"])  # today
    yesterday = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    before = kenya.get(COVERAGE, {"updated_to": yesterday}).json()
    now = kenya.get(COVERAGE).json()
    # Both show drugs: now minus before is India's follow-up alone.
    assert withheld(before, "drugs") or withheld(now, "drugs")


@pytest.mark.xfail(strict=True, reason="all reports minus one report is the others' part")
def test_known_gap_report_scopes(seeds, kenya):
    report(kenya, "93(b)")
    first = recommendation("93(b)").report
    labels = first.recommendations.values_list("label", flat=True)
    others_report(OTHERS[:3], list(labels))
    others_report(["IND"], ["58"])  # another report
    everything = kenya.get(COVERAGE).json()
    one_report = kenya.get(COVERAGE, {"report": first.pk}).json()
    # Both show corruption: their difference is India's follow-up alone.
    assert withheld(everything, "corruption") or withheld(one_report, "corruption")
