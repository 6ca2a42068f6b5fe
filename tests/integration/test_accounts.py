"""Accounts and tokens: a liaison's token carries a liaison's reach and nothing more.

create_liaison refuses accounts with staff power; bindings are on record; the token admin
says what each token reaches; the user admin warns when a liaison with live tokens gains
staff power; keys are stored hashed and never logged.
"""

import datetime
import hashlib
import logging
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from recommendations import roles
from recommendations.models import ApiToken, Liaison
from recommendations.services import tokens as token_services
from tests.forms import form_data
from tests.integration.shared import make_liaison, make_user, state

pytestmark = pytest.mark.django_db

TOKENS = "/admin/recommendations/apitoken/"
LIAISONS = "/admin/recommendations/liaison/"
FOLLOW_UPS = "/api/v1/follow-ups/"


@pytest.fixture
def root(client):
    user = make_user("root", superuser=True)
    client.force_login(user)
    return user


def with_group_permissions(username):
    user = make_user(username, staff=False)
    group = Group.objects.create(name="Readers")
    group.permissions.add(Permission.objects.get(codename="view_report"))
    user.groups.add(group)
    return user


ACCOUNTS_WITH_POWER = {
    "staff": (lambda: make_user("admin"), "admin is a staff account"),
    "superuser": (
        lambda: make_user("admin", staff=False, superuser=True),
        "admin is a superuser",
    ),
    "permission": (
        lambda: make_user("admin", staff=False, perms=["view_followup"]),
        "admin holds permissions",
    ),
    "group permission": (lambda: with_group_permissions("admin"), "admin holds permissions"),
    "secretariat role": (
        lambda: make_user("admin", staff=False, group=roles.SECRETARIAT),
        "admin holds permissions",
    ),
}


def account_state(user):
    user.refresh_from_db()
    return (
        sorted(user.groups.values_list("name", flat=True)),
        Liaison.objects.filter(user=user).exists(),
        ApiToken.objects.filter(user=user).count(),
        Liaison.history.count(),
        (user.is_staff, user.is_superuser, user.has_usable_password()),
    )


# create_liaison ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ACCOUNTS_WITH_POWER)
def test_create_liaison_refuses_an_account_with_staff_power_and_changes_nothing(kind):
    make, message = ACCOUNTS_WITH_POWER[kind]
    user = make()
    before = account_state(user)
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("create_liaison", "admin", "--state", "KEN", stdout=out)
    assert str(refused.value).startswith(message)
    assert "Create a separate account for the liaison." in str(refused.value)
    assert out.getvalue() == ""  # no key printed
    assert account_state(user) == before
    assert ApiToken.objects.count() == 0


def test_the_service_raises_its_own_refusal():
    make_user("admin")
    with pytest.raises(token_services.LiaisonRefused, match="admin is a staff account"):
        token_services.liaison_create(username="admin", member_state=state("KEN"))
    assert not Liaison.objects.exists() and not ApiToken.objects.exists()


def test_a_liaison_later_made_staff_gets_no_new_token_or_binding(liaison):
    liaison.is_staff = True
    liaison.save()
    before = account_state(liaison)
    with pytest.raises(CommandError, match="nairobi is a staff account"):
        call_command("create_liaison", "nairobi", "--state", "BOL", stdout=StringIO())
    assert account_state(liaison) == before
    assert Liaison.objects.get(user=liaison).member_state_id == "KEN"


def test_a_new_account_and_a_plain_existing_one_are_accepted():
    call_command("create_liaison", "geneva", "--state", "CHE", stdout=StringIO())
    plain = make_user("quito", staff=False)
    call_command("create_liaison", "quito", "--state", "ECU", stdout=StringIO())
    plain.refresh_from_db()
    assert plain.liaison.member_state_id == "ECU"
    assert list(plain.groups.values_list("name", flat=True)) == [roles.LIAISON]
    assert ApiToken.objects.filter(user__username__in=["geneva", "quito"]).count() == 2


def test_rebinding_by_the_command_is_on_record():
    call_command("create_liaison", "geneva", "--state", "CHE", stdout=StringIO())
    call_command("create_liaison", "geneva", "--state", "KEN", stdout=StringIO())
    call_command("create_liaison", "geneva", "--state", "KEN", stdout=StringIO())  # no move
    liaison = Liaison.objects.get(user__username="geneva")
    records = list(liaison.history.order_by("history_id"))
    assert [(r.history_type, r.member_state_id) for r in records] == [("+", "CHE"), ("~", "KEN")]
    assert {r.history_change_reason for r in records} == {"command create_liaison"}
    assert {r.history_user for r in records} == {None}


# The liaison admin -----------------------------------------------------------------------


def test_a_superuser_moving_a_liaison_in_the_admin_is_on_record(client, root, liaison):
    binding = liaison.liaison
    url = f"{LIAISONS}{binding.pk}/change/"
    data = form_data(client.get(url).content.decode(), "liaison_form")
    data["member_state"] = ["BOL"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    binding.refresh_from_db()
    assert binding.member_state_id == "BOL" and binding.user == liaison
    latest = binding.history.first()
    assert (latest.member_state_id, latest.history_user, latest.history_change_reason) == (
        "BOL",
        root,
        "admin",
    )
    history = client.get(f"{url.removesuffix('change/')}history/").content.decode()
    assert "root" in history and "admin" in history


def test_the_liaison_admin_refuses_to_bind_a_staff_account(client, root):
    officer = make_user("officer", group=roles.SECRETARIAT)
    response = client.post(f"{LIAISONS}add/", {"user": officer.pk, "member_state": "KEN"})
    assert response.status_code == 200
    assert "officer is a staff account" in response.content.decode()
    assert not Liaison.objects.exists() and not officer.groups.filter(name=roles.LIAISON).exists()


def test_binding_a_plain_account_in_the_admin_is_on_record(client, root):
    plain = make_user("lima", staff=False)
    response = client.post(f"{LIAISONS}add/", {"user": plain.pk, "member_state": "PER"})
    assert response.status_code == 302, response.content.decode()[:2000]
    record = Liaison.objects.get(user=plain).history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        root,
        "admin",
    )
    assert plain.groups.filter(name=roles.LIAISON).exists()


def test_ending_a_binding_in_the_admin_revokes_its_tokens_and_is_on_record(client, root):
    user = make_liaison("nairobi", "KEN")
    token, _ = token_services.token_issue(user=user)
    binding = user.liaison
    response = client.post(f"{LIAISONS}{binding.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Liaison.objects.filter(user=user).exists()
    assert not user.groups.filter(name=roles.LIAISON).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == root
    record = Liaison.history.filter(id=binding.pk).order_by("-history_id").first()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-",
        root,
        "admin",
    )


# The token admin: what each token reaches ---------------------------------------------

SCOPES = {  # as the HTML shows them
    "nairobi": "Liaison of Kenya (KEN)",
    "officer": escape("Staff: what the account's permissions allow"),
    "visitor": "No access (neither liaison nor staff)",
}


def tokens_of_three_kinds():
    token_services.token_issue(user=make_liaison("nairobi", "KEN"))
    token_services.token_issue(user=make_user("officer", group=roles.SECRETARIAT))
    token_services.token_issue(user=make_user("visitor", staff=False))


def test_the_token_list_and_detail_show_the_scope(client, root):
    tokens_of_three_kinds()
    listing = client.get(TOKENS)
    assert listing.status_code == 200
    rows = {token.user.username: token for token in listing.context["cl"].result_list}
    html = listing.content.decode()
    for username, scope in SCOPES.items():
        assert scope in html
        detail = client.get(f"{TOKENS}{rows[username].pk}/change/").content.decode()
        assert scope in detail
        assert [text for text in SCOPES.values() if text in detail] == [scope]


def test_the_scope_in_chinese(client, root):
    tokens_of_three_kinds()
    html = client.get(TOKENS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "肯尼亚（KEN）的联络人" in html
    assert not any(text in html for text in SCOPES.values())


def test_the_token_list_runs_a_constant_number_of_queries(client, root):
    tokens_of_three_kinds()
    client.get(TOKENS)
    with CaptureQueriesContext(connection) as few:
        client.get(TOKENS)
    for number in range(3):
        token_services.token_issue(user=make_liaison(f"liaison-{number}", "BOL"))
    with CaptureQueriesContext(connection) as more:
        client.get(TOKENS)
    assert len(few) == len(more)


# The user admin: a liaison who gains staff power ---------------------------------------


def liaison_with_tokens():
    """nairobi, liaison of KEN, with two live tokens, one revoked and one expired."""
    user = make_liaison("nairobi", "KEN")
    for _ in range(2):
        token_services.token_issue(user=user)
    revoked, _ = token_services.token_issue(user=user)
    token_services.token_revoke(token=revoked, user=None)
    expired, _ = token_services.token_issue(user=user)
    ApiToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    return user


def save_user(client, user, **changes):
    url = f"/admin/auth/user/{user.pk}/change/"
    data = form_data(client.get(url).content.decode(), "user_form")
    data.update(changes)
    return client.post(url, data, follow=True)


def warnings_of(response):
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


WARNING = (
    "nairobi is a liaison of KEN with 2 live API tokens: as staff, these tokens now carry "
    "staff permissions."
)


def test_making_a_liaison_staff_warns_about_its_live_tokens(client, root):
    user = liaison_with_tokens()
    response = save_user(client, user, is_staff=["on"])
    user.refresh_from_db()
    assert user.is_staff
    (warning,) = warnings_of(response)
    assert warning.startswith(WARNING)
    assert "Revoke them in API tokens." in warning
    assert f'href="{TOKENS}?user={user.pk}"' in warning
    listing = client.get(f"{TOKENS}?user={user.pk}")
    assert listing.status_code == 200 and listing.context["cl"].result_count == 4


@pytest.mark.parametrize("power", ["superuser", "group", "permission"])
def test_other_powers_warn_too(client, root, power):
    user = liaison_with_tokens()
    secretariat = Group.objects.get(name=roles.SECRETARIAT)
    changes = {
        "superuser": {"is_superuser": ["on"]},
        "group": {"groups": [str(group.pk) for group in (secretariat, *user.groups.all())]},
        "permission": {
            "user_permissions": [str(Permission.objects.get(codename="view_report").pk)]
        },
    }[power]
    (warning,) = warnings_of(save_user(client, user, **changes))
    assert warning.startswith(WARNING)


def test_no_warning_for_a_plain_liaison_or_a_staff_account_without_tokens(client, root):
    user = liaison_with_tokens()
    assert warnings_of(save_user(client, user, first_name=["Amina"])) == []
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    assert warnings_of(save_user(client, user, is_staff=["on"])) == []


# Keys: stored hashed, never logged ---------------------------------------------------


def test_the_stored_token_holds_only_the_prefix_and_the_sha256_of_the_key(liaison, seeds):
    token, key = token_services.token_issue(user=liaison)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["prefix"] == key[:10]
    secret = key[10:]  # what the prefix does not show
    windows = {secret[i : i + 6] for i in range(len(secret) - 5)}
    stored = [str(value) for value in row.values()]
    assert not [w for w in windows if any(w in value for value in stored)]
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {row['key_hash']}")
    assert client.get(FOLLOW_UPS).status_code == 401  # the stored value is no key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(FOLLOW_UPS).status_code == 200


def test_a_request_cycle_logged_at_debug_never_holds_the_key(liaison, seeds, caplog):
    token, key = token_services.token_issue(user=liaison)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection):  # turns SQL logging on (django.db.backends)
        assert client.get(FOLLOW_UPS).status_code == 200
        assert client.get("/api/v1/nothing/").status_code == 404
        client.credentials(HTTP_AUTHORIZATION=f"Token {key[:-1]}")
        assert client.get(FOLLOW_UPS).status_code == 401
    sql = [r for r in caplog.records if r.name == "django.db.backends"]
    # The SQL log holds the query parameters: the hash looked up is there, so a clear key
    # used in a query would be too.
    assert any(token.key_hash in r.getMessage() for r in sql)
    assert any(r.name == "django.request" for r in caplog.records)  # the 404 and the 401
    secret = key[10:]
    for record in caplog.records:
        text = f"{record.getMessage()} {record.args!r} {record.__dict__!r}"
        assert secret not in text and secret[:-1] not in text, record.name
