"""The coverage page in a real browser, in English and Chinese, with a screenshot."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from recommendations import roles
from recommendations.models import Recommendation
from recommendations.selectors.coverage import coverage_by_theme
from tests.integration.shared import make_follow_up

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"


def test_coverage_page_renders_tables_and_charts(live_server, reference_data, page, screenshot):
    call_command("import_seeds", stdout=StringIO())
    user = get_user_model().objects.create_user("officer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    for label, iso3, status in [
        ("93(a)", "KEN", "implemented"),
        ("93(b)", "KEN", "in_progress"),
        ("94(a)", "BOL", "not_started"),
        ("95(a)", "CHN", "implemented"),
        ("99(a)", "KEN", "not_implemented"),
    ]:
        make_follow_up(
            Recommendation.objects.get(label=label),
            iso3,
            status,
            verified_by=user if iso3 == "KEN" and status == "implemented" else None,
        )

    page.goto(f"{live_server.url}/admin/login/?next=/coverage/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.url.endswith("/coverage/")
    expected = coverage_by_theme()
    total = page.locator("#coverage-table tr.total td")
    assert total.nth(0).inner_text() == str(expected["total"]["recommendations"])
    assert total.nth(1).inner_text() == str(expected["total"]["covered"])
    assert page.locator("svg.bar-chart").count() == 2
    assert page.locator("#heat-table tbody tr").count() == 3
    # terrorism, criminal justice, research, programming: recommendations, no follow-up
    assert page.locator("#coverage-table tr.neglected").count() == 4
    screenshot("coverage-english")

    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert "有效处理和应对世界毒品问题" in page.inner_text("#coverage-table")
    assert "肯尼亚" in page.inner_text("#heat-table")
    screenshot("coverage-chinese")
    page.emulate_media(media="print")
    screenshot("coverage-print")
