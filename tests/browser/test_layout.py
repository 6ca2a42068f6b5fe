"""No page scrolls sideways and no chart label is cut: every page the secretariat works in,
at 1366×768 and 1920×1080, in English and Chinese, with screenshots in test-artifacts/."""

import datetime

import pytest

from recommendations.models import Body, FollowUp, Report
from recommendations.services import deadlines as deadline_services
from tests.integration.shared import rec

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SIZES = [(1366, 768), (1920, 1080)]

# Every <text> of every inline SVG: its box, in the SVG's own units, against the viewBox.
CUT_LABELS = """() => {
  const cut = [];
  for (const svg of document.querySelectorAll("svg")) {
    const view = svg.viewBox.baseVal;
    const [x0, y0] = view && view.width ? [view.x, view.y] : [0, 0];
    const [w, h] = view && view.width
      ? [view.width, view.height]
      : [svg.width.baseVal.value, svg.height.baseVal.value];
    for (const text of svg.querySelectorAll("text")) {
      const box = text.getBBox();
      if (box.x < x0 - 0.5 || box.y < y0 - 0.5 || box.x + box.width > x0 + w + 0.5
          || box.y + box.height > y0 + h + 0.5) {
        cut.push(`${text.textContent} (${Math.round(box.x)}..${Math.round(box.x + box.width)} of ${w})`);
      }
    }
  }
  return cut;
}"""


# Lists and inline tables (a follow-up's actions, a report's versions) against their box:
# the last columns are on screen, not scrolled away.
TABLES_OVERFLOWING = """() => [
  ...document.querySelectorAll("#result_list, .inline-related.tabular table"),
].filter(t => t.getBoundingClientRect().width > t.parentElement.clientWidth + 1)
 .map(t => `${t.id || t.closest(".inline-group").id}: ${Math.round(t.getBoundingClientRect().width)} px`
           + ` in ${t.parentElement.clientWidth} px`)"""


def body_with_sessions(code: str) -> Body:
    """A body with two sessions (the reports addressed to it then have a due date)."""
    body = Body.objects.get(code=code)
    for name, start, end in [
        ("第六十八届会议", datetime.date(2025, 3, 14), datetime.date(2025, 3, 18)),
        ("第六十九届会议", datetime.date(2026, 3, 9), None),
    ]:
        deadline_services.body_session_create(
            data={"body": body, "name": name, "start_date": start, "end_date": end},
            user=None,
            via="test",
        )
    return body


def pages(follow_up) -> dict[str, str]:
    report = Report.objects.order_by("id").first()
    body = body_with_sessions("CND")
    # Kenya's implemented 93(a) is an unverified claim: its page has Verify and Reject.
    claim = FollowUp.objects.get(recommendation=rec("93(a)"), member_state_id="KEN")
    admin = "/admin/recommendations"
    return {
        "index": "/admin/",
        "recommendations": f"{admin}/recommendation/",
        "recommendation": f"{admin}/recommendation/{follow_up.recommendation_id}/change/",
        "follow-ups": f"{admin}/followup/",
        "follow-up": f"{admin}/followup/{follow_up.pk}/change/",
        "claim": f"{admin}/followup/{claim.pk}/change/",
        "actions": f"{admin}/action/",
        "reports": f"{admin}/report/",
        "report": f"{admin}/report/{report.pk}/change/",
        "themes": f"{admin}/theme/",
        "body": f"{admin}/body/{body.pk}/change/",
        "import": f"{admin}/report/import/",
        "questionnaire-upload": f"{admin}/memberstate/questionnaire/",
        "coverage": "/coverage/",
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_page_scrolls_sideways_and_no_label_is_cut(
    language, seeded_work, live_server, staff_page, artifacts
):
    page = staff_page(language)
    problems = []
    for name, path in pages(seeded_work).items():
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(live_server.url + path)
            assert page.locator("#content").count() == 1, (name, page.url)
            page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            if scroll > inner:
                problems.append(f"{name} at {width}: the page is {scroll} px wide")
            for table in page.evaluate(TABLES_OVERFLOWING):
                problems.append(f"{name} at {width}: table wider than its box: {table}")
            text = page.locator("#result_list td.field-short_text").first
            if text.count() and text.bounding_box()["width"] < 200:
                problems.append(f"{name} at {width}: the text column is narrow")
            for label in page.evaluate(CUT_LABELS):
                problems.append(f"{name} at {width}: chart label cut: {label}")
    assert problems == [], "\n".join(problems)
