"""create_staff: a staff account in the Secretariat role, its password shown once or taken
from STAFF_PASSWORD; taken usernames (a liaison's above all) refused with nothing changed."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, ManagementUtility, call_command

from recommendations import roles
from recommendations.services.accounts import StaffRefused, staff_create
from tests.integration.shared import make_liaison, make_user

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = StringIO()
    call_command("create_staff", *args, stdout=out, **options)
    return out.getvalue()


def test_creates_a_secretariat_officer_and_prints_the_password_once(client, monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    output = run("amina", "--email", "amina@un.org")
    user = get_user_model().objects.get(username="amina")
    assert user.is_staff and not user.is_superuser and user.email == "amina@un.org"
    assert list(user.groups.values_list("name", flat=True)) == [roles.SECRETARIAT]
    line = next(line for line in output.splitlines() if "shown only this once" in line)
    password = line.rsplit(" ", 1)[1]
    assert len(password) >= 16 and output.count(password) == 1
    assert user.check_password(password)
    # The account works: it logs in and reaches the admin's follow-ups.
    login = {"username": "amina", "password": password, "next": "/admin/"}
    assert client.post("/admin/login/", login).status_code == 302
    assert client.get("/admin/recommendations/followup/").status_code == 200


def test_password_from_the_environment_is_not_printed(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "correct-horse-battery-staple")
    output = run("chen", "--superuser")
    user = get_user_model().objects.get(username="chen")
    assert user.is_superuser and user.is_staff
    assert user.groups.filter(name=roles.SECRETARIAT).exists()
    assert user.check_password("correct-horse-battery-staple")
    assert "correct-horse-battery-staple" not in output and "STAFF_PASSWORD" in output


def test_a_weak_password_from_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "12345")
    with pytest.raises(CommandError, match="too short"):
        run("weak")
    assert not get_user_model().objects.filter(username="weak").exists()


def test_an_existing_username_is_refused_and_left_alone(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    user = make_user("officer", staff=False)
    before = user.password
    with pytest.raises(CommandError, match="exists already"):
        run("officer")
    user.refresh_from_db()
    assert user.password == before and not user.is_staff and not user.groups.exists()


def test_a_liaison_username_is_refused_with_the_reason(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    liaison = make_liaison("nairobi", "KEN")
    with pytest.raises(CommandError, match="liaison of KEN"):
        run("nairobi")
    liaison.refresh_from_db()
    assert not liaison.is_staff
    assert list(liaison.groups.values_list("name", flat=True)) == [roles.LIAISON]


def test_the_command_exits_non_zero_on_refusal(monkeypatch, capsys):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    make_user("taken")
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "create_staff", "taken"]).execute()
    assert exit_.value.code == 1
    assert "exists already" in capsys.readouterr().err


def test_bad_username_and_email_are_refused():
    with pytest.raises(Exception, match="username"):
        staff_create(username="no spaces allowed", password="correct-horse-battery-staple")
    with pytest.raises(Exception, match="email"):
        staff_create(username="ok", email="not-an-email", password="correct-horse-battery-staple")
    assert not get_user_model().objects.filter(username__in=["ok", "no spaces allowed"]).exists()


def test_service_refusal_is_a_staff_refused():
    make_user("dup")
    with pytest.raises(StaffRefused):
        staff_create(username="dup")
