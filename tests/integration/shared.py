"""Helpers the tests share (tests/conftest.py makes fixtures of them): users in a role, a
liaison, a seed recommendation by label, a follow-up written through the service, and a
snapshot of everything an import may write."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from recommendations.choices import Status
from recommendations.models import (
    Action,
    FollowUp,
    MemberState,
    Recommendation,
    RecommendationText,
    RecommendationTheme,
    Report,
    ReportVersion,
)
from recommendations.services import follow_ups as follow_up_services
from recommendations.services.tokens import liaison_bind

PASSWORD = "a-long-test-password"
SEED_2017 = "001_11a12d27b9d2d054.txt"  # Executive Director, activities in 2016


def make_user(username, *, staff=True, group=None, superuser=False, perms=()):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=staff, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def make_liaison(username="nairobi", iso3="KEN"):
    """An account bound to a member state, as create_liaison binds it (no token issued)."""
    user = make_user(username, staff=False)
    liaison_bind(user=user, member_state=state(iso3), by=None, via="test")
    return user


def state(iso3):
    return MemberState.objects.get(iso3=iso3)


def rec(label, report=SEED_2017):
    """A recommendation of the imported seeds, by its label in a report."""
    return Recommendation.objects.get(report__symbol=report, label=label)


def make_follow_up(
    recommendation, iso3, status=Status.IN_PROGRESS, *, user=None, verified_by=None, response=""
):
    """A follow-up written through the service. An `implemented` one is verified when
    `verified_by` is given (as the admin's action does) and stays a claim otherwise, as long
    as `user` cannot verify (None or a liaison)."""
    created = follow_up_services.follow_up_create(
        recommendation=recommendation,
        member_state=state(iso3),
        status=status,
        response=response,
        user=user,
    )
    if verified_by is not None:
        assert follow_up_services.follow_up_verify(follow_up=created, user=verified_by)
        created.refresh_from_db()
    return created


def snapshot():
    """Everything an import may write, to compare before and after."""
    return (
        list(Report.objects.values().order_by("id")),
        list(ReportVersion.objects.values().order_by("id")),
        list(Recommendation.objects.values().order_by("id")),
        list(RecommendationTheme.objects.values().order_by("id")),
        list(RecommendationText.objects.values().order_by("id")),
        list(FollowUp.objects.values().order_by("id")),
        list(Action.objects.values().order_by("id")),
        Recommendation.history.count(),
        RecommendationTheme.history.count(),
        RecommendationText.history.count(),
        FollowUp.history.count(),
    )
