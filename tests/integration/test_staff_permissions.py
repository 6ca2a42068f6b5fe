"""Staff reach what their permissions say, on the pages outside the admin too."""

import pytest

from tests.integration.shared import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("perms", "expected"), [((), 403), (("view_followup",), 200)])
def test_the_coverage_page_needs_the_view_permission_on_follow_ups(client, perms, expected):
    client.force_login(make_user("clerk", staff=True, perms=perms))
    assert client.get("/coverage/").status_code == expected
    assert client.get("/coverage/", {"export": "csv"}).status_code == expected
