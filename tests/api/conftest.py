import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from recommendations import roles
from recommendations.models import MemberState
from recommendations.services.tokens import liaison_create, token_issue
from tests.integration.shared import make_user


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


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
    user = make_user(username, staff=True, group=roles.SECRETARIAT if role else None)
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
