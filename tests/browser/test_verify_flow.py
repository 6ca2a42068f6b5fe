"""A staff member verifies a liaison's claim from the follow-up page, in English and in
Chinese, at 1366×768, with the keyboard alone (Tab to the note, type it, Tab to Verify,
Enter)."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from recommendations import roles
from recommendations.choices import Status
from recommendations.models import FollowUp
from tests.integration.shared import PASSWORD, make_follow_up, make_liaison, make_user, rec

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# What the page says in English; in Chinese the same places are checked by their ids (the
# strings' translations are the .po file's business, checked by test_admin_words).
WORDS = {"claim": "Unverified claim", "verified": "is verified"}
STATUS = {"en": "Implemented", "zh-hans": "已执行"}


def tab_to(page, element_id: str, most: int = 120) -> int:
    """Press Tab until the element has the focus; how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} never took the focus")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_staff_verifies_a_claim_with_the_keyboard(
    live_server, reference_data, page, screenshot, language
):
    call_command("import_seeds", stdout=StringIO())
    officer = make_user("officer", group=roles.SECRETARIAT)
    claim = make_follow_up(rec("93(b)"), "KEN", Status.IMPLEMENTED, user=make_liaison())
    text = claim.recommendation.text

    page.set_viewport_size({"width": 1366, "height": 768})
    host = live_server.url.split("//")[1].split(":")[0]
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"}]
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    assert page.get_attribute("html", "lang") == language
    assert page.locator("#work-queues").count() == 1
    screenshot(f"index-{language}")

    # The queue of claims leads to the claim, oldest first.
    with page.expect_navigation():
        page.click("#queue-unverified-claims th a")
    assert page.locator("#result_list tbody tr").count() == 1
    with page.expect_navigation():
        page.locator("#result_list tbody tr th a").first.click()
    assert f"/followup/{claim.pk}/change/" in page.url

    # The page shows the recommendation's text and the claim, the buttons beside it.
    assert text[:30] in page.inner_text("#recommendation-module")
    claim_box = page.inner_text("#claim-module")
    assert STATUS[language] in claim_box and "implemented" not in claim_box
    assert language != "en" or WORDS["claim"] in claim_box
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(f"claim-{language}")

    # Keyboard only: Tab to the note, type it, Tab to Verify, Enter.
    tab_to(page, "claim-note")
    page.keyboard.type("Law No. 12 of 2025 seen")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "verify-claim"
    screenshot(f"verify-focused-{language}")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    message = page.inner_text(".messagelist .success")
    assert language != "en" or WORDS["verified"] in message
    assert page.locator("#verify-claim").count() == 0
    saved = FollowUp.objects.get(pk=claim.pk)
    assert saved.verified_by == officer
    record = FollowUp.history.filter(id=claim.pk).order_by("-history_id").first()
    assert record.history_change_reason == "admin: verified — Law No. 12 of 2025 seen"
    assert "Law No. 12 of 2025 seen" in page.inner_text("#status-history")
    screenshot(f"verified-{language}")
