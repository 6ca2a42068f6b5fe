"""Admin login limits (django-axes), over real POSTs of the admin's login form."""

from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from rest_framework.test import APIClient

from recommendations import roles
from recommendations.services.tokens import token_issue
from tests.integration.shared import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
ADDRESS = "198.51.100.7"


def make_staff(username):
    """A secretariat officer: the API holds staff to their permissions."""
    return make_user(username, group=roles.SECRETARIAT)


def post_login(client, username, password, address=ADDRESS, **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **extra,
    )


def logged_in(client):
    return SESSION_KEY in client.session


def fail(client, username, times, address=ADDRESS):
    responses = [post_login(client, username, "wrong-password", address) for _ in range(times)]
    return responses[-1]


def test_the_limit_is_five_failures_and_an_hour_by_default():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 3600
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_wrong_passwords_below_the_limit_show_the_login_form_again():
    make_staff("officer")
    client = Client()
    response = fail(client, "officer", settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.text
    response = post_login(client, "officer", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_five_failures_lock_the_account_and_the_right_password_is_refused():
    make_staff("officer")
    client = Client()
    response = fail(client, "officer", 5)
    assert response.status_code == 429  # the 5th failure already answers with the lockout
    response = post_login(client, "officer", PASSWORD)
    assert response.status_code == 429
    assert "Login locked" in response.text
    assert "locked for 60 minutes" in response.text
    assert "ask an administrator" in response.text
    assert not logged_in(client)
    assert Client().get("/admin/").status_code == 302  # still anonymous


def test_the_lockout_page_is_in_chinese():
    make_staff("officer")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = fail(client, "officer", 5)
    assert response.status_code == 429
    assert "登录已锁定 60 分钟" in response.text
    assert "请联系管理员解锁该账户" in response.text


def test_another_account_from_the_same_address_is_locked_too():
    make_staff("officer")
    make_staff("colleague")
    fail(Client(), "officer", 5)
    client = Client()
    response = post_login(client, "colleague", PASSWORD)
    assert response.status_code == 429 and not logged_in(client)
    # The same account from another address is not locked by the address's failures
    # (it is by its own: the limit counts per account and address, and per address).
    other = Client()
    response = post_login(other, "colleague", PASSWORD, address="203.0.113.9")
    assert response.status_code == 302 and logged_in(other)


def test_failures_spread_over_accounts_from_one_address_add_up():
    for name in ("a1", "a2", "a3"):
        make_staff(name)
    client = Client()
    fail(client, "a1", 2)
    fail(client, "a2", 2)
    response = post_login(client, "a3", "wrong-password")
    assert response.status_code == 429
    assert post_login(client, "a3", PASSWORD).status_code == 429


def test_a_success_before_the_limit_resets_the_count():
    make_staff("officer")
    client = Client()
    fail(client, "officer", 4)
    assert post_login(client, "officer", PASSWORD).status_code == 302
    client.logout()
    response = fail(client, "officer", 4)
    assert response.status_code == 200  # 4 more failures: still below the limit
    assert post_login(client, "officer", PASSWORD).status_code == 302 and logged_in(client)


def test_axes_reset_username_unlocks_the_account():
    make_staff("officer")
    client = Client()
    fail(client, "officer", 5)
    assert post_login(client, "officer", PASSWORD).status_code == 429
    out = StringIO()
    call_command("axes_reset_username", "officer", stdout=out)
    assert "attempts removed" in out.getvalue()
    response = post_login(client, "officer", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_axes_reset_ip_unlocks_the_address():
    make_staff("officer")
    client = Client()
    fail(client, "someone-else", 5)
    assert post_login(client, "officer", PASSWORD).status_code == 429
    call_command("axes_reset_ip", ADDRESS, stdout=StringIO())
    assert post_login(client, "officer", PASSWORD).status_code == 302


def test_api_tokens_work_while_the_account_is_locked():
    user = make_staff("officer")
    _, key = token_issue(user=user)
    fail(Client(), "officer", 5)
    assert post_login(Client(), "officer", PASSWORD).status_code == 429
    api = APIClient(REMOTE_ADDR=ADDRESS)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        assert api.get("/api/v1/recommendations/").status_code == 200
    # A wrong token is a 401 and never counts as a login failure.
    bad = APIClient(REMOTE_ADDR="203.0.113.9")
    bad.credentials(HTTP_AUTHORIZATION="Token rt_wrong")
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        assert bad.get("/api/v1/recommendations/").status_code == 401
    other = Client()
    assert post_login(other, "officer", PASSWORD, address="203.0.113.9").status_code == 302


def test_test_client_logins():
    user = make_staff("officer")
    client = Client()
    client.force_login(user)  # bypasses authentication, and so axes
    assert client.get("/admin/").status_code == 200
    # client.login() goes through authenticate(), which axes requires a request for.
    client = Client()
    assert client.login(request=HttpRequest(), username="officer", password=PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_behind_the_proxy_clients_are_told_apart_by_the_address_it_forwards(settings):
    """All connections come from the proxy: one client's failures must not lock the
    others out; a forged first X-Forwarded-For entry does not help the attacker."""
    settings.BEHIND_TLS_PROXY = True
    make_staff("officer")
    make_staff("clerk")
    proxy = "10.0.0.2"
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(
            attacker,
            "officer",
            "wrong-password",
            address=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{_}, 203.0.113.9",
        )
    assert (
        post_login(
            attacker, "clerk", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9"
        ).status_code
        == 429
    )
    colleague = Client()
    response = post_login(
        colleague, "clerk", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20"
    )
    assert response.status_code == 302 and logged_in(colleague)
