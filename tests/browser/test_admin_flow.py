"""A staff member's day in the admin, in Chinese, in a real browser."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from recommendations import roles
from recommendations.models import Action, FollowUp, Report

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"


def test_staff_logs_a_follow_up_for_kenya_in_chinese(live_server, reference_data, page, screenshot):
    call_command("import_seeds", stdout=StringIO())
    user = get_user_model().objects.create_user("officer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.SECRETARIAT))

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#language-select")
    screenshot("logged-in-english")
    assert "Recommendation tracker" in page.inner_text("#site-name")

    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert "建议执行情况跟踪系统" in page.inner_text("#site-name")
    screenshot("switched-to-chinese")

    page.goto(f"{live_server.url}/admin/recommendations/recommendation/")
    page.fill("#searchbar", "艾滋病")
    with page.expect_navigation():
        page.press("#searchbar", "Enter")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    # The report by the name people use (its title and year: the seed states no symbol).
    report = Report.objects.get(source_file="001_11a12d27b9d2d054.txt")
    assert str(report) != report.source_file
    assert str(report) in rows.first.inner_text()
    screenshot("search-aids")
    with page.expect_navigation():
        rows.first.locator("th a").click()
    assert "快速跟踪吸毒人群和监狱人员中的艾滋病毒" in page.input_value("#id_text")

    page.click("#follow_ups-group .add-row a")
    row = page.locator("#follow_ups-0")
    row.locator(".select2-selection").click()
    page.fill(".select2-search__field", "肯尼亚")
    page.click(".select2-results__option:has-text('肯尼亚')")
    page.select_option("#id_follow_ups-0-status", "in_progress")
    page.select_option("#id_follow_ups-0-response", "accepted")
    screenshot("follow-up-for-kenya")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert page.locator(".messagelist .success").count() == 1
    follow_up = FollowUp.objects.get(member_state_id="KEN")
    assert follow_up.recommendation.label == "93(b)" and follow_up.created_by == user

    with page.expect_navigation():
        page.click("#follow_ups-0 a.inlinechangelink")
    page.fill("#id_actions-0-date", "2026-01-31")
    page.select_option("#id_actions-0-kind", "policy")
    page.fill("#id_actions-0-description", "肯尼亚将监狱艾滋病毒预防措施纳入国家战略")
    page.fill("#id_actions-0-evidence_url", "https://example.org/kenya-strategy")
    screenshot("action")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert page.locator(".messagelist .success").count() == 1
    assert Action.objects.get().description == "肯尼亚将监狱艾滋病毒预防措施纳入国家战略"

    with page.expect_navigation():
        page.click("a.historylink")
    history = page.inner_text("#content")
    assert "officer" in history
    assert "肯尼亚将监狱艾滋病毒预防措施纳入国家战略" in page.inner_text("#action-history")
    screenshot("history")


def test_api_docs_work_offline_under_the_content_security_policy(live_server, page, screenshot):
    page.route(
        "**/*",
        lambda route: (
            route.abort()
            if not route.request.url.startswith(live_server.url)
            else route.continue_()
        ),
    )
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .information-container")
    assert "Recommendation tracker API" in page.inner_text(".swagger-ui .info")
    page.wait_for_selector("text=/api/v1/follow-ups/")
    screenshot("api-docs")
