from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from recommendations import roles
from recommendations.models import MemberState, Recommendation
from recommendations.services.tokens import liaison_create, token_issue


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeds(db):
    call_command("import_seeds", stdout=StringIO())


class Caller:
    """An API client bound to one token."""

    def __init__(self, user, key):
        self.user = user
        self.key = key
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(path, data=None, *, if_match=None, **kwargs):
            if if_match is not None:
                kwargs["HTTP_IF_MATCH"] = if_match
            if data is not None:
                kwargs.setdefault("format", "json")
                return method(path, data, **kwargs)
            return method(path, **kwargs)

        return call


def make_liaison(username, iso3):
    user, _, _, key = liaison_create(
        username=username, member_state=MemberState.objects.get(iso3=iso3)
    )
    return Caller(user, key)


@pytest.fixture
def kenya(db):
    return make_liaison("nairobi", "KEN")


@pytest.fixture
def bolivia(db):
    return make_liaison("la-paz", "BOL")


def make_staff(username, *, role=True):
    """A staff account with a token; in the Secretariat role unless role=False (staff with
    no permissions at all: the admin shows them nothing, and neither may the API)."""
    user = get_user_model().objects.create_user(username, password="x" * 20, is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    _, key = token_issue(user=user)
    return Caller(user, key)


@pytest.fixture
def staff_caller(db):
    return make_staff("officer")


@pytest.fixture
def idle_staff(db):
    """is_staff, but no permission at all."""
    return make_staff("idle", role=False)


@pytest.fixture
def outsider(db):
    """Authenticated, but neither a liaison nor staff."""
    user = get_user_model().objects.create_user("visitor")
    _, key = token_issue(user=user)
    return Caller(user, key)


@pytest.fixture
def anonymous():
    return APIClient()


def recommendation(label, report="001_11a12d27b9d2d054.txt"):
    return Recommendation.objects.get(report__symbol=report, label=label)
