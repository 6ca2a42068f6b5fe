"""Every write service leaves the row it says and a history record naming who and through
what (the `via` passed), whichever path it takes (a locked read-modify-save, or one
conditional UPDATE on the version the caller read)."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from recommendations.choices import ActionKind, Response, Status, ThemeSource
from recommendations.models import Action, ApiToken, FollowUp, Liaison, Recommendation, Theme
from recommendations.services import follow_ups as services
from recommendations.services import recommendations as recommendation_services
from recommendations.services import tokens as token_services
from tests.integration.shared import make_follow_up, make_liaison, rec, state

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 15)


def recorded(record, history_type, user, via):
    """The history record is of this type, by this user, through this channel."""
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        history_type,
        user,
        via,
    )
    return record


def last_record(model, pk):
    return model.history.filter(id=pk).order_by("-history_id").first()


@pytest.fixture
def claim(seeds, liaison):
    """Kenya's liaison says 93(b) is implemented: a claim, not verified."""
    return services.follow_up_create(
        recommendation=rec("93(b)"),
        member_state=state("KEN"),
        status=Status.IMPLEMENTED,
        user=liaison,
        via="api",
    )


def an_action(follow_up, user, via="api"):
    return services.action_create(
        follow_up=follow_up,
        user=user,
        date=DAY,
        kind=ActionKind.LEGISLATION,
        description="已通过相关立法",
        via=via,
    )


# Follow-ups ---------------------------------------------------------------------------


def test_create_by_a_verifier_is_verified_and_recorded(seeds, staff):
    follow_up = services.follow_up_create(
        recommendation=rec("93(a)"),
        member_state=state("BOL"),
        status=Status.IMPLEMENTED,
        response=Response.ACCEPTED,
        user=staff,
        via="admin",
    )
    saved = FollowUp.objects.get(pk=follow_up.pk)
    assert (saved.status, saved.response, saved.member_state_id) == (
        Status.IMPLEMENTED,
        Response.ACCEPTED,
        "BOL",
    )
    assert saved.verified_at is not None and saved.verified_by == staff
    assert (saved.created_by, saved.updated_by, saved.version) == (staff, staff, 1)
    record = recorded(last_record(FollowUp, saved.pk), "+", staff, "admin")
    assert record.verified_by_id == staff.pk and record.status == Status.IMPLEMENTED


def test_create_by_a_liaison_is_a_claim_and_recorded(claim, liaison):
    saved = FollowUp.objects.get(pk=claim.pk)
    assert saved.status == Status.IMPLEMENTED and saved.member_state_id == "KEN"
    assert saved.verified_at is None and saved.verified_by is None
    record = recorded(last_record(FollowUp, saved.pk), "+", liaison, "api")
    assert record.verified_at is None


def test_create_by_a_command_has_no_user_but_its_channel(seeds):
    follow_up = services.follow_up_create(
        recommendation=rec("93(a)"), member_state=state("CHN"), user=None, via="command demo"
    )
    assert FollowUp.objects.get(pk=follow_up.pk).created_by is None
    recorded(last_record(FollowUp, follow_up.pk), "+", None, "command demo")


@pytest.mark.parametrize("conditional", [False, True], ids=["locked", "conditional"])
def test_update_by_a_verifier_verifies_and_is_recorded(seeds, staff, liaison, conditional):
    follow_up = make_follow_up(rec("93(a)"), "KEN", user=liaison)
    version = follow_up.version if conditional else None
    services.follow_up_update(
        follow_up=follow_up,
        data={"status": Status.IMPLEMENTED, "response": Response.NOTED},
        user=staff,
        expected_version=version,
        via="admin",
    )
    saved = FollowUp.objects.get(pk=follow_up.pk)
    assert (saved.status, saved.response, saved.version) == (Status.IMPLEMENTED, "noted", 2)
    assert saved.verified_by == staff and saved.verified_at is not None
    assert saved.updated_by == staff
    record = recorded(last_record(FollowUp, saved.pk), "~", staff, "admin")
    assert (record.status, record.verified_by_id, record.version) == (
        Status.IMPLEMENTED,
        staff.pk,
        2,
    )


@pytest.mark.parametrize("conditional", [False, True], ids=["locked", "conditional"])
def test_update_by_a_liaison_is_a_claim_and_recorded(seeds, liaison, conditional):
    follow_up = make_follow_up(rec("93(a)"), "KEN", user=liaison)
    services.follow_up_update(
        follow_up=follow_up,
        data={"status": Status.IMPLEMENTED},
        user=liaison,
        expected_version=follow_up.version if conditional else None,
        via="api",
    )
    saved = FollowUp.objects.get(pk=follow_up.pk)
    assert saved.status == Status.IMPLEMENTED and saved.verified_at is None
    record = recorded(last_record(FollowUp, saved.pk), "~", liaison, "api")
    assert record.verified_at is None


def test_an_update_that_changes_nothing_writes_no_record(claim, liaison):
    before = FollowUp.history.count()
    services.follow_up_update(
        follow_up=claim, data={"status": Status.IMPLEMENTED}, user=liaison, via="api"
    )
    assert FollowUp.history.count() == before
    assert FollowUp.objects.get(pk=claim.pk).version == 1


def test_delete_records_the_follow_up_and_its_actions(claim, staff, liaison):
    action = an_action(claim, liaison)
    services.follow_up_delete(follow_up=claim, user=staff, via="admin")
    assert not FollowUp.objects.filter(pk=claim.pk).exists()
    assert not Action.objects.filter(pk=action.pk).exists()
    recorded(last_record(FollowUp, claim.pk), "-", staff, "admin")
    recorded(last_record(Action, action.pk), "-", staff, "admin")


def test_verify_a_claim_is_recorded(claim, staff):
    assert services.follow_up_verify(follow_up=claim, user=staff, via="admin")
    saved = FollowUp.objects.get(pk=claim.pk)
    assert saved.verified_by == staff and saved.verified_at is not None
    assert (saved.updated_by, saved.version) == (staff, 2)
    record = recorded(last_record(FollowUp, claim.pk), "~", staff, "admin")
    assert record.verified_by_id == staff.pk
    assert not services.follow_up_verify(follow_up=saved, user=staff, via="admin")
    assert FollowUp.history.filter(id=claim.pk).count() == 2  # nothing more to verify


def test_bulk_verify_passes_its_channel_to_every_record(seeds, staff, liaison):
    claims = [
        make_follow_up(rec(label), "KEN", Status.IMPLEMENTED, user=liaison)
        for label in ("93(a)", "93(b)", "93(c)")
    ]
    ongoing = make_follow_up(rec("94(a)"), "KEN", user=liaison)
    count = services.follow_ups_verify(
        follow_ups=FollowUp.objects.filter(pk__in=[c.pk for c in [*claims, ongoing]]),
        user=staff,
        via="admin: mark verified",
    )
    assert count == 3
    for claim in claims:
        saved = FollowUp.objects.get(pk=claim.pk)
        assert saved.verified_by == staff and saved.verified_at is not None
        recorded(last_record(FollowUp, claim.pk), "~", staff, "admin: mark verified")
    assert FollowUp.history.filter(id=ongoing.pk).count() == 1


def test_only_a_verifier_verifies(claim, liaison):
    from django.core.exceptions import PermissionDenied

    before = FollowUp.history.count()
    with pytest.raises(PermissionDenied):
        services.follow_up_verify(follow_up=claim, user=liaison, via="api")
    assert FollowUp.objects.get(pk=claim.pk).verified_at is None
    assert FollowUp.history.count() == before


# Actions --------------------------------------------------------------------------------


def test_action_create_is_recorded(claim, liaison):
    action = an_action(claim, liaison, via="api")
    saved = Action.objects.get(pk=action.pk)
    assert (saved.follow_up_id, saved.date, saved.kind, saved.created_by) == (
        claim.pk,
        DAY,
        ActionKind.LEGISLATION,
        liaison,
    )
    recorded(last_record(Action, action.pk), "+", liaison, "api")


@pytest.mark.parametrize("conditional", [False, True], ids=["locked", "conditional"])
def test_action_update_is_recorded(claim, staff, liaison, conditional):
    action = an_action(claim, liaison)
    services.action_update(
        action=action,
        data={"description": "修订了法律", "kind": ActionKind.POLICY},
        user=staff,
        expected_version=action.version if conditional else None,
        via="admin",
    )
    saved = Action.objects.get(pk=action.pk)
    assert (saved.description, saved.kind, saved.version) == ("修订了法律", ActionKind.POLICY, 2)
    record = recorded(last_record(Action, action.pk), "~", staff, "admin")
    assert record.description == "修订了法律"


def test_action_delete_is_recorded(claim, staff, liaison):
    action = an_action(claim, liaison)
    services.action_delete(action=action, user=staff, via="admin")
    assert not Action.objects.filter(pk=action.pk).exists()
    recorded(last_record(Action, action.pk), "-", staff, "admin")


# Recommendations ------------------------------------------------------------------------


def test_recommendation_update_is_recorded(seeds, staff):
    target = rec("93(b)")
    recommendation_services.recommendation_update(
        recommendation=target, data={"heading": "Drugs and health"}, user=staff, via="admin"
    )
    assert Recommendation.objects.get(pk=target.pk).heading == "Drugs and health"
    record = recorded(last_record(Recommendation, target.pk), "~", staff, "admin")
    assert record.heading == "Drugs and health"


def test_setting_themes_is_recorded_link_by_link(seeds, staff):
    target = rec("93(b)")
    old_links = list(target.theme_links.values_list("pk", flat=True))
    corruption = Theme.objects.get(code="corruption")
    assert recommendation_services.recommendation_set_themes(
        recommendation=target, themes=[corruption], user=staff, via="admin"
    )
    target.refresh_from_db()
    assert target.themes_overridden
    (link,) = target.theme_links.all()
    assert (link.theme, link.source) == (corruption, ThemeSource.MANUAL)
    recorded(link.history.get(), "+", staff, "admin")
    for pk in old_links:
        recorded(last_record(type(link), pk), "-", staff, "admin")
    recorded(last_record(Recommendation, target.pk), "~", staff, "admin")


# Liaisons and tokens ----------------------------------------------------------------------


def test_liaison_bind_records_the_binding_and_each_move(staff):
    user = make_liaison("lima", "PER")
    token_services.liaison_bind(user=user, member_state=state("ECU"), by=staff, via="admin")
    token_services.liaison_bind(user=user, member_state=state("ECU"), by=staff, via="admin")
    binding = Liaison.objects.get(user=user)
    assert binding.member_state_id == "ECU"
    first, move = binding.history.order_by("history_id")
    recorded(first, "+", None, "test")
    recorded(move, "~", staff, "admin")
    assert (first.member_state_id, move.member_state_id) == ("PER", "ECU")


def test_liaison_create_records_its_channel_and_issues_a_live_token():
    user, created, token, key = token_services.liaison_create(
        username="geneva", member_state=state("CHE"), days=30, via="command create_liaison"
    )
    assert created and not user.has_usable_password()
    recorded(Liaison.objects.get(user=user).history.get(), "+", None, "command create_liaison")
    assert token_services.token_authenticate(key) == token
    assert list(token_services.tokens_live(user)) == [token]
    assert ApiToken.objects.get(pk=token.pk).name == "liaison CHE"


def test_liaison_bind_refuses_an_account_with_a_permission(staff):
    user = make_liaison("lima", "PER")
    user.user_permissions.add(Permission.objects.get(codename="view_report"))
    with pytest.raises(token_services.LiaisonRefused, match="lima holds permissions"):
        token_services.liaison_bind(user=user, member_state=state("ECU"), by=staff, via="admin")
    assert Liaison.objects.get(user=user).member_state_id == "PER"
    assert Liaison.history.filter(user_id=user.pk).count() == 1


def test_token_revoke_records_who(staff, liaison):
    token, key = token_services.token_issue(user=liaison, days=1)
    assert token_services.token_revoke(token=token, user=staff)
    saved = ApiToken.objects.get(pk=token.pk)
    assert saved.revoked_by == staff and saved.revoked_at is not None
    assert token_services.token_authenticate(key) is None
    assert not token_services.token_revoke(token=saved, user=staff)  # once


def test_liaison_unbind_records_the_end_and_revokes_the_live_tokens(staff):
    user = make_liaison("lima", "PER")
    live, _ = token_services.token_issue(user=user)
    old, _ = token_services.token_issue(user=user)
    token_services.token_revoke(token=old, user=None)
    binding = Liaison.objects.get(user=user)
    pk = binding.pk
    assert token_services.liaison_unbind(liaison=binding, by=staff, via="admin") == 1
    assert not Liaison.objects.filter(user=user).exists()
    recorded(last_record(Liaison, pk), "-", staff, "admin")
    assert ApiToken.objects.get(pk=live.pk).revoked_by == staff
    assert ApiToken.objects.get(pk=old.pk).revoked_by is None  # revoked before, left as is
