"""The session report downloaded from the coverage page in a real browser (issue 18):
staff choose the body, the date and the language, and get a Word document."""

from io import StringIO

import docx
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


def test_staff_download_the_session_report(live_server, reference_data, page, screenshot):
    call_command("import_seeds", stdout=StringIO())
    user = get_user_model().objects.create_user("officer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    make_follow_up(Recommendation.objects.get(label="93(a)"), "KEN", "implemented")

    page.goto(f"{live_server.url}/admin/login/?next=/coverage/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.select_option("#session_body", "CND")
    page.fill("#session_as_of", "2026-01-31")
    page.select_option("#session_language", "zh")
    screenshot("coverage-session-report-form")
    with page.expect_download() as info:
        page.click("#download-session-report")
    download = info.value
    assert download.suggested_filename == "session-report-CND-2026-01-31-zh.docx"
    doc = docx.Document(str(download.path()))
    assert doc.paragraphs[0].text == "麻醉药品委员会"
    expected = coverage_by_theme(body="CND")["total"]
    assert doc.tables[0].rows[-1].cells[1].text == str(expected["recommendations"])
