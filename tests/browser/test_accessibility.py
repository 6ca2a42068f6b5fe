"""axe-core (from the npm registry, node_modules/: `make browser-deps`) finds no serious
or critical accessibility violation on the pages the secretariat works in, in English and
in Chinese. The browser context bypasses the Content Security Policy so that the test can
inject axe; the pages themselves run under it."""

import pytest

from recommendations.models import MemberState
from recommendations.questionnaires.services import questionnaire_export
from tests.browser.test_layout import pages
from tests.conftest import ROOT, SEED_2019
from tests.questionnaire_helpers import fill

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = ROOT / "node_modules/axe-core/axe.min.js"

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help}: ` +
         v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_serious_accessibility_violations(language, seeded_work, live_server, staff_page):
    if not AXE.exists():
        pytest.fail("axe-core is not installed: `make browser-deps` installs it (npm ci)")
    page = staff_page(language, bypass_csp=True)
    found = []
    urls = pages(seeded_work)
    names = ["index", "recommendations", "follow-ups", "follow-up", "claim", "coverage"]
    for name in [*names, "questionnaire-upload"]:
        page.goto(live_server.url + urls[name])
        if name == "claim":
            assert page.locator("#verify-claim").count() == 1
        found += [f"{name}: {violation}" for violation in violations(page)]

    page.goto(live_server.url + urls["import"])
    page.set_input_files(
        "#id_files",
        [{"name": SEED_2019.name, "mimeType": "text/plain", "buffer": SEED_2019.read_bytes()}],
    )
    with page.expect_navigation():
        page.click("#import-upload-form input[type=submit]")
    assert page.locator(".import-file").count() == 1
    found += [f"import preview: {violation}" for violation in violations(page)]

    # The questionnaire's preview: Kenya's workbook with a status changed.
    page.goto(live_server.url + urls["questionnaire-upload"])
    filled = fill(
        questionnaire_export(member_state=MemberState.objects.get(iso3="KEN")),
        answers={"93(b)": ("Implemented", "Accepted")},
    )
    page.set_input_files(
        "#id_file",
        [{"name": "kenya.xlsx", "mimeType": "application/octet-stream", "buffer": filled}],
    )
    with page.expect_navigation():
        page.click("#questionnaire-upload-form input[type=submit]")
    assert page.locator("#questionnaire-changes").count() == 1
    found += [f"questionnaire preview: {violation}" for violation in violations(page)]
    assert found == [], "\n".join(found)
