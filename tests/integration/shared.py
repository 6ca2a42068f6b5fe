"""Helpers the integration tests share: users in a role, and a snapshot of everything an
import may write."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from recommendations.models import (
    Action,
    FollowUp,
    Recommendation,
    RecommendationText,
    RecommendationTheme,
    Report,
    ReportVersion,
)

PASSWORD = "a-long-test-password"


def make_user(username, *, staff=True, group=None, superuser=False, perms=()):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=staff, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


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
