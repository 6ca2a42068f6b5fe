"""The follow-up page (the recommendation's text, report, themes, status history, Verify and
Reject claim) and the work queues on the admin's index."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations import roles
from recommendations.choices import Status
from recommendations.models import AdminVisit, FollowUp, Recommendation, Report
from recommendations.selectors import admin_lists
from recommendations.services import follow_ups as services
from recommendations.services import visits
from tests.integration.shared import make_follow_up, make_user, rec

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def page_url(follow_up):
    return f"/admin/recommendations/followup/{follow_up.pk}/change/"


def verify_url(follow_up):
    return f"/admin/recommendations/followup/{follow_up.pk}/verify/"


def reject_url(follow_up):
    return f"/admin/recommendations/followup/{follow_up.pk}/reject-claim/"


def section(html, element_id):
    """The page's part from the element with this id to the change form."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index('id="followup_form"', start)]


def last_record(follow_up):
    return FollowUp.history.filter(id=follow_up.pk).order_by("-history_id").first()


@pytest.fixture
def claim(seeds, liaison):
    """Kenya's liaison moved 93(b) to in progress, then claimed it implemented."""
    follow_up = make_follow_up(rec("93(b)"), "KEN", Status.NOT_STARTED, user=liaison)
    follow_up = services.follow_up_update(
        follow_up=follow_up, data={"status": Status.IN_PROGRESS}, user=liaison, via="api"
    )
    return services.follow_up_update(
        follow_up=follow_up, data={"status": Status.IMPLEMENTED}, user=liaison, via="api"
    )


@pytest.fixture
def viewer(db, client):
    """Staff who may read follow-ups but not verify them."""
    user = make_user("reader", perms=["view_followup", "change_followup"])
    client.force_login(user)
    return user


# The services ------------------------------------------------------------------------


def test_verify_with_a_note_keeps_it_in_the_reason(claim, staff):
    assert services.follow_up_verify(follow_up=claim, user=staff, via="admin", note="law seen")
    record = last_record(claim)
    assert (record.history_user, record.history_change_reason) == (
        staff,
        "admin: verified — law seen",
    )
    assert record.verified_by == staff and record.status == Status.IMPLEMENTED


def test_reject_restores_the_status_before_the_claim(claim, staff):
    version = FollowUp.objects.get(pk=claim.pk).version
    assert services.follow_up_reject_claim(
        follow_up=claim, user=staff, note="no evidence", via="admin"
    )
    saved = FollowUp.objects.get(pk=claim.pk)
    assert (saved.status, saved.verified_at, saved.updated_by) == (Status.IN_PROGRESS, None, staff)
    assert saved.version == version + 1
    record = last_record(claim)
    assert (record.history_user, record.history_change_reason, record.status) == (
        staff,
        "admin: claim rejected — no evidence",
        Status.IN_PROGRESS,
    )
    # Nothing left to reject: no write, no record.
    count = FollowUp.history.filter(id=claim.pk).count()
    assert not services.follow_up_reject_claim(
        follow_up=saved, user=staff, note="again", via="admin"
    )
    assert FollowUp.history.filter(id=claim.pk).count() == count


def test_reject_falls_back_to_in_progress_when_the_history_does_not_say(seeds, liaison, staff):
    follow_up = make_follow_up(rec("93(a)"), "KEN", Status.IMPLEMENTED, user=liaison)
    services.follow_up_reject_claim(follow_up=follow_up, user=staff, note="why", via="admin")
    assert FollowUp.objects.get(pk=follow_up.pk).status == Status.IN_PROGRESS


def test_reject_needs_a_note_the_permission_and_the_version_read(claim, staff, liaison):
    with pytest.raises(ValidationError):
        services.follow_up_reject_claim(follow_up=claim, user=staff, note="  ", via="admin")
    with pytest.raises(ValidationError):
        services.follow_up_reject_claim(follow_up=claim, user=staff, note="x" * 200, via="admin")
    with pytest.raises(PermissionDenied):
        services.follow_up_reject_claim(follow_up=claim, user=liaison, note="no", via="api")
    stale = claim.version - 1
    with pytest.raises(services.VersionConflict):
        services.follow_up_reject_claim(
            follow_up=claim, user=staff, note="no", via="admin", expected_version=stale
        )
    assert FollowUp.objects.get(pk=claim.pk).status == Status.IMPLEMENTED


def test_the_longest_note_the_form_allows_fits(claim, staff):
    most = services.note_max_length(via="admin", decision=services.CLAIM_REJECTED)
    services.follow_up_reject_claim(follow_up=claim, user=staff, note="x" * most, via="admin")
    assert len(last_record(claim).history_change_reason) <= services.REASON_MAX_LENGTH


# The page ----------------------------------------------------------------------------


def test_the_page_shows_text_report_themes_and_history_in_the_readers_language(staff_client, claim):
    recommendation = Recommendation.objects.select_related("report").get(pk=claim.recommendation_id)
    english = staff_client.get(page_url(claim), **EN).content.decode()
    chinese = staff_client.get(page_url(claim), **ZH).content.decode()
    for html in (english, chinese):
        assert str(recommendation.report) in html  # its name people use
        assert recommendation.text[:40] in html  # the seed's only text, in Chinese
        for theme in recommendation.themes.all():
            assert theme.name_zh in chinese and theme.name_en in english
    assert "Status history" in english and "Not started → In progress" in english
    assert "In progress → Implemented" in english and "through the API by nairobi" in english
    for html in (english, chinese):  # labels, not codes
        history = section(html, "status-history")
        assert "in_progress" not in history and "not_started" not in history
    assert "In progress" not in section(chinese, "status-history")
    assert 'id="verify-claim"' in english and 'id="reject-claim"' in english


def test_verify_from_the_page(staff_client, staff, claim):
    response = staff_client.post(verify_url(claim), {"note": "law seen", "version": claim.version})
    assert response.status_code == 302 and response["Location"] == page_url(claim)
    saved = FollowUp.objects.get(pk=claim.pk)
    assert saved.verified_by == staff
    assert last_record(claim).history_change_reason == "admin: verified — law seen"
    page = staff_client.get(response["Location"], **EN).content.decode()
    assert "is verified" in page and 'id="verify-claim"' not in page
    assert "Implemented: verified" in page


def test_reject_from_the_page(staff_client, staff, claim):
    response = staff_client.post(reject_url(claim), {"note": "no law", "version": claim.version})
    assert response.status_code == 302
    saved = FollowUp.objects.get(pk=claim.pk)
    assert (saved.status, saved.updated_by) == (Status.IN_PROGRESS, staff)
    page = staff_client.get(page_url(claim), **EN).content.decode()
    assert "is rejected" in page and "claim rejected — no law" in page


def test_reject_without_a_note_changes_nothing_and_says_why(staff_client, claim):
    response = staff_client.post(reject_url(claim), {"note": ""}, follow=True)
    assert "Say why the claim is rejected." in response.content.decode()
    assert FollowUp.objects.get(pk=claim.pk).status == Status.IMPLEMENTED


def test_a_stale_page_cannot_reject(staff_client, claim):
    response = staff_client.post(
        reject_url(claim), {"note": "no", "version": claim.version - 1}, follow=True
    )
    assert "Someone changed this follow-up meanwhile" in response.content.decode()
    assert FollowUp.objects.get(pk=claim.pk).status == Status.IMPLEMENTED


def test_without_the_permission_no_buttons_and_a_forged_post_is_403(client, viewer, claim):
    page = client.get(page_url(claim)).content.decode()
    assert "Unverified claim" in page and 'id="verify-claim"' not in page
    assert 'id="reject-claim"' not in page
    before = FollowUp.history.filter(id=claim.pk).count()
    assert client.post(verify_url(claim), {"note": ""}).status_code == 403
    assert client.post(reject_url(claim), {"note": "forged"}).status_code == 403
    saved = FollowUp.objects.get(pk=claim.pk)
    assert (saved.status, saved.verified_at) == (Status.IMPLEMENTED, None)
    assert FollowUp.history.filter(id=claim.pk).count() == before


def test_the_decisions_need_post_and_csrf(claim, staff):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.get(verify_url(claim)).status_code == 405
    assert strict.post(verify_url(claim), {"note": ""}).status_code == 403
    assert FollowUp.objects.get(pk=claim.pk).verified_at is None


def test_a_withdrawn_recommendations_claim_has_no_buttons_and_refuses(staff_client, claim):
    Recommendation.objects.filter(pk=claim.recommendation_id).update(is_withdrawn=True)
    page = staff_client.get(page_url(claim)).content.decode()
    assert 'id="verify-claim"' not in page and 'id="reject-claim"' not in page
    assert staff_client.post(verify_url(claim), {"note": ""}).status_code == 403
    assert staff_client.post(reject_url(claim), {"note": "x"}).status_code == 403
    assert FollowUp.objects.get(pk=claim.pk).verified_at is None


def test_the_unknown_follow_up_is_404(staff_client, seeds):
    assert staff_client.post("/admin/recommendations/followup/999999/verify/").status_code == 404


# Work queues -------------------------------------------------------------------------


def queues_of(response):
    return {queue["id"]: queue for queue in response.context["work_queues"]}


def test_queue_counts_equal_direct_recomputation_and_link_to_their_lists(
    staff_client, staff, claim, liaison
):
    make_follow_up(rec("93(a)"), "UGA", Status.IMPLEMENTED, user=liaison)
    make_follow_up(rec("94(a)"), "KEN", Status.IMPLEMENTED, user=liaison, verified_by=staff)
    Report.objects.filter(pk=Report.objects.order_by("pk").first().pk).update(
        imported_at=timezone.now() - datetime.timedelta(days=90)
    )
    queues = queues_of(staff_client.get("/admin/"))
    claims = FollowUp.objects.filter(status=Status.IMPLEMENTED, verified_at__isnull=True)
    since = visits.last_visit(staff_client.session)
    expected = {
        "unverified-claims": claims.count(),
        "changed-since": FollowUp.objects.filter(updated_at__gte=since).count(),
        "without-follow-up": Recommendation.objects.filter(
            is_withdrawn=False, follow_ups__isnull=True
        ).count(),
        "recent-reports": Report.objects.filter(
            imported_at__gte=timezone.now() - datetime.timedelta(days=30)
        ).count(),
    }
    assert {key: queue["count"] for key, queue in queues.items()} == expected
    assert expected["unverified-claims"] == 2 and expected["recent-reports"] > 0
    # Each count is the length of the list it links to.
    for queue in queues.values():
        listed = staff_client.get(queue["url"])
        assert listed.status_code == 200, queue["url"]
        assert listed.context["cl"].result_count == queue["count"], queue["url"]
    oldest_first = staff_client.get(queues["unverified-claims"]["url"]).context["cl"].result_list
    assert [f.updated_at for f in oldest_first] == sorted(f.updated_at for f in claims)


def test_last_visit_is_the_previous_sessions(client, staff, claim):
    FollowUp.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    client.get("/admin/")
    first = AdminVisit.objects.get(user=staff).last_seen_at
    since = visits.last_visit(client.session)
    assert since <= first - datetime.timedelta(days=visits.FIRST_VISIT_DAYS - 1)
    client.get("/admin/")  # same session: the same last visit
    assert visits.last_visit(client.session) == since
    seen = AdminVisit.objects.get(user=staff).last_seen_at
    assert seen > first
    client.logout()
    client.force_login(staff)  # a new session: last visit is the index view before
    response = client.get("/admin/")
    assert visits.last_visit(client.session) == seen.replace(microsecond=0)
    assert queues_of(response)["changed-since"]["count"] == 0


def test_queues_follow_the_view_permissions(client, claim):
    user = make_user("follower", perms=["view_followup"])
    client.force_login(user)
    assert set(queues_of(client.get("/admin/"))) == {"unverified-claims", "changed-since"}
    html = client.get("/admin/").content.decode()
    assert "Recommendations with no follow-up" not in html


def test_a_liaison_has_no_queues(client, liaison):
    client.force_login(liaison)
    assert client.get("/admin/").status_code == 302


def test_queue_counts_take_a_fixed_number_of_queries(staff, claim, liaison):
    since = timezone.now() - datetime.timedelta(days=1)
    staff.has_perm("recommendations.view_followup")  # the permissions, read once per user
    with CaptureQueriesContext(connection) as small:
        admin_lists.work_queues(staff, since)
    for label in ("93(a)", "93(c)", "94(a)", "94(b)"):
        make_follow_up(rec(label), "UGA", Status.IMPLEMENTED, user=liaison)
    with CaptureQueriesContext(connection) as large:
        admin_lists.work_queues(staff, since)
    assert len(small) == len(large) == 3


def test_the_index_in_both_languages(staff_client, claim):
    english = staff_client.get("/admin/", **EN).content.decode()
    assert "Claims awaiting verification" in english and "Work queues" in english
    chinese = staff_client.get("/admin/", **ZH).content.decode()
    assert 'id="work-queues"' in chinese


def test_a_staff_member_without_the_secretariat_role_sees_no_queue(client, seeds):
    user = make_user("bare", perms=[])
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200 and response.context["work_queues"] == []


def test_the_secretariat_role_sees_every_queue(client, seeds):
    user = make_user("secretary", group=roles.SECRETARIAT)
    client.force_login(user)
    assert len(client.get("/admin/").context["work_queues"]) == 4


@pytest.mark.parametrize("value", ["2026-02-30T00:00:00Z", "yesterday", ""])
def test_a_moment_that_is_none_filters_nothing(staff_client, claim, value):
    response = staff_client.get("/admin/recommendations/followup/", {"updated_since": value})
    assert response.status_code == 200 and response.context["cl"].result_count == 1


def test_the_list_names_the_moment_asked_for(staff_client, claim):
    response = staff_client.get(
        "/admin/recommendations/followup/", {"updated_since": "2020-01-01T00:00:00Z"}, **EN
    )
    assert "since Jan. 1, 2020" in response.content.decode()
    assert response.context["cl"].result_count == 1
    later = staff_client.get(
        "/admin/recommendations/followup/", {"updated_since": "2999-01-01T00:00:00Z"}
    )
    assert later.context["cl"].result_count == 0


def test_reports_imported_within_a_choice_of_days(staff_client, seeds):
    Report.objects.update(imported_at=timezone.now() - datetime.timedelta(days=10))
    listed = {
        days: staff_client.get("/admin/recommendations/report/", {"imported_within": days})
        .context["cl"]
        .result_count
        for days in ("1", "7", "30", "bad")
    }
    assert listed == {"1": 0, "7": 0, "30": 4, "bad": 4}
