"""Reminders by e-mail, through a real SMTP server (aiosmtpd on 127.0.0.1): digests to
liaisons in their language and to verifiers; each reminder once, across repeated,
failed and killed runs; out-of-date reminders dropped; the one-click opt-out; the lock;
the dry run; the admin."""

import datetime
import os
import re
import signal
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from recommendations.choices import Status
from recommendations.models import Email, FollowUp, Recommendation, Reminder, Report
from recommendations.selectors.deadlines import outstanding_for
from recommendations.services import deadlines
from recommendations.services import follow_ups as follow_up_services
from recommendations.services import reminders as services
from recommendations.services.locks import exclusive_lock
from tests.integration.mail_server import MailServer, parts
from tests.integration.shared import SEED_2017, make_follow_up, make_liaison, make_user

ROOT = Path(__file__).resolve().parents[2]
D = datetime.date
DUE = D(2026, 6, 1)
TODAY = DUE + datetime.timedelta(days=5)  # thresholds -30 and 0 crossed, +30 not yet
SITE = "https://tracker.example.org"
KENYA, CHINA, OFFICER = "nairobi@example.org", "beijing@example.cn", "officer@example.org"


@pytest.fixture
def mail_server(settings, tmp_path):
    """The SMTP server, with the settings pointing at it (Django's SMTP backend)."""
    server = MailServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "tracker@example.org"
    settings.SITE_URL = SITE
    settings.REMINDER_THRESHOLDS = [-30, 0, 30]
    settings.REMINDER_LOCK_FILE = tmp_path / "send_reminders.lock"
    yield server.inbox
    server.stop()


def with_email(user, address, language=None):
    user.email = address
    user.save(update_fields=["email"])
    if language:
        services.user_preference_set(user=user, language=language)
    return user


@pytest.fixture
def world(seeds):
    """The 2017 seed due on DUE; the liaisons of Kenya (English) and China (Chinese);
    Kenya answered one recommendation for good and is working on another."""
    report = Report.objects.get(symbol=SEED_2017)
    deadlines.report_due_date_set(report=report, due_date=DUE)
    kenya = with_email(make_liaison("nairobi", "KEN"), KENYA)
    china = with_email(make_liaison("beijing", "CHN"), CHINA, language="zh")
    first, second = Recommendation.objects.filter(report=report).order_by("position")[:2]
    make_follow_up(first, "KEN", Status.NOT_APPLICABLE, user=kenya)
    make_follow_up(second, "KEN", Status.IN_PROGRESS, user=kenya)
    return {"kenya": kenya, "china": china, "answered": first, "open": second}


def send(*args, today=TODAY):
    out = StringIO()
    call_command("send_reminders", "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()


def send_failing(*args, today=TODAY):
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("send_reminders", "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue(), raised.value


def expected(iso3, today=TODAY):
    """The hand count: what the state owes, due by today + 30 days (threshold -30)."""
    return list(outstanding_for(iso3, due_by=today + datetime.timedelta(days=30)))


def listed(text):
    """The recommendations a digest's text part lists, by their API links."""
    return [int(pk) for pk in re.findall(rf"{SITE}/api/v1/recommendations/(\d+)/", text)]


# Liaisons' digests ---------------------------------------------------------------------


def test_each_liaison_gets_one_digest_in_their_language(mail_server, world):
    output = send()
    assert sorted(message["To"] for message in mail_server.messages) == [CHINA, KENYA]

    kenya = expected("KEN")
    assert world["answered"] not in kenya and world["open"] in kenya
    assert len(kenya) == Recommendation.objects.filter(report__symbol=SEED_2017).count() - 1
    (message,) = mail_server.to(KENYA)
    text, html = parts(message)
    assert listed(text) == [r.pk for r in kenya]  # every one, once, in order
    assert message["Subject"] == (
        f"Follow-up reminder for Kenya: {len(kenya)} recommendations due or overdue"
    )
    assert message["From"] == "tracker@example.org"
    assert message["Content-Language"] == "en"
    assert "Dear nairobi," in text and "Kenya" in text
    assert f"* {world['open'].label} — {world['open'].report}" in text.splitlines()
    assert "Follow-up due: 2026-06-01 (5 days overdue)" in text
    assert (
        f"{SITE}/api/v1/questionnaire.xlsx" in text and f"{SITE}/api/v1/questionnaire.xlsx" in html
    )
    for pk in listed(text):
        assert f'href="{SITE}/api/v1/recommendations/{pk}/"' in html
    assert '<html lang="en">' in html
    assert "<img" not in html and "src=" not in html and "@import" not in html
    assert "url(" not in html  # nothing loaded from anywhere: no pixel, no font, no CSS

    (chinese,) = mail_server.to(CHINA)
    text, html = parts(chinese)
    assert listed(text) == [r.pk for r in expected("CHN")]
    assert len(listed(text)) == len(kenya) + 1  # China answered nothing
    assert "中国" in chinese["Subject"] and "中国" in text
    assert chinese["Content-Language"] == "zh-Hans" and '<html lang="zh-Hans">' in html
    assert "建议" in html and "案文" in html  # column headings from the catalogue
    assert world["open"].text.split()[0][:10] in text  # the seed's own (Chinese) text

    assert Email.objects.filter(outcome=Email.Outcome.SENT).count() == 2
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert f"Sent to nairobi <{KENYA}> (en): liaison digest for KEN, {len(kenya)} items" in output
    assert "2026-06-06: 2 digests sent." in output


def test_the_links_and_the_unsubscribe_headers(mail_server, world):
    send()
    (message,) = mail_server.to(KENYA)
    text, html = parts(message)
    token = services.opt_out_token(world["kenya"])
    url = f"{SITE}/mail/opt-out/{token}/"
    assert message["List-Unsubscribe"].strip() == f"<{url}>"  # folded: a long line
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert url in text and f'href="{url}"' in html
    assert Client().get(url.removeprefix(SITE)).status_code == 200
    detail = Client()
    detail.force_login(world["kenya"])
    pk = listed(text)[0]
    assert detail.get(f"/api/v1/recommendations/{pk}/").status_code == 200


def test_a_second_run_sends_nothing_new_and_the_next_threshold_sends_again(mail_server, world):
    send()
    first = len(mail_server.messages)
    reminders = Reminder.objects.count()
    output = send()
    assert len(mail_server.messages) == first and Reminder.objects.count() == reminders
    assert "0 digests sent" in output
    send(today=TODAY + datetime.timedelta(days=1))
    assert len(mail_server.messages) == first  # no threshold crossed since

    send(today=DUE + datetime.timedelta(days=30))  # +30: each pair once more
    assert len(mail_server.messages) == first + 2
    (_, later) = mail_server.to(KENYA)
    assert listed(parts(later)[0]) == [r.pk for r in expected("KEN")]
    assert "30 days overdue" in parts(later)[0]
    send(today=DUE + datetime.timedelta(days=31))
    assert len(mail_server.messages) == first + 2
    keys = Reminder.objects.filter(user=world["kenya"]).values_list("key", flat=True)
    assert len(keys) == len(set(keys)) == 3 * len(expected("KEN"))


def test_on_old_data_only_the_latest_threshold_is_sent(mail_server, world):
    """The first run long after the due date: one item per recommendation, and the
    earlier thresholds recorded as covered by the same e-mail (no three e-mails)."""
    send(today=DUE + datetime.timedelta(days=100))
    (message,) = mail_server.to(KENYA)
    pairs = expected("KEN")
    assert listed(parts(message)[0]) == [r.pk for r in pairs]
    assert "100 days overdue" in parts(message)[0]
    email = Email.objects.get(to=KENYA)
    carried = Reminder.objects.filter(user=world["kenya"])
    assert carried.count() == 3 * len(pairs)
    assert set(carried.values_list("email", flat=True)) == {email.pk}
    assert set(carried.values_list("threshold", flat=True)) == {-30, 0, 30}
    send(today=DUE + datetime.timedelta(days=101))
    assert len(mail_server.to(KENYA)) == 1


def test_a_month_before_the_due_date(mail_server, world):
    send(today=DUE - datetime.timedelta(days=31))
    assert mail_server.messages == []
    send(today=DUE - datetime.timedelta(days=30))
    (message,) = mail_server.to(KENYA)
    assert "2026-06-01 (30 days left)" in parts(message)[0]
    send(today=DUE)
    (_, on_the_day) = mail_server.to(KENYA)
    assert "(due today)" in parts(on_the_day)[0]


def test_who_gets_no_digest(mail_server, world):
    """No e-mail address, an inactive account, digests turned off: no digest; a liaison
    of a state that owes nothing: none either."""
    with_email(make_liaison("paris", "FRA"), "")
    inactive = with_email(make_liaison("lima", "PER"), "lima@example.org")
    inactive.is_active = False
    inactive.save()
    services.digests_opt_out(user=with_email(make_liaison("bern", "CHE"), "bern@example.org"))
    owes_nothing = with_email(make_liaison("oslo", "NOR"), "oslo@example.org")
    verifier = make_verifier()  # without an e-mail address
    for recommendation in Recommendation.objects.filter(report__symbol=SEED_2017):
        make_follow_up(recommendation, "NOR", Status.IMPLEMENTED, verified_by=verifier)
    send()
    assert sorted(message["To"] for message in mail_server.messages) == [CHINA, KENYA]
    assert not Reminder.objects.filter(user=owes_nothing).exists()


# Failures ------------------------------------------------------------------------------


def test_a_refusing_server_leaves_the_reminders_pending_and_the_next_run_sends(mail_server, world):
    mail_server.refuse = "550 5.7.1 Relaying denied"
    output, error = send_failing()
    assert error.returncode == 75
    assert "2 of 2 digests could not be sent" in str(error)
    assert "their reminders stay pending and the next run sends them" in str(error)
    assert f"FAILED to send to nairobi <{KENYA}> (en)" in output
    assert "550 5.7.1 Relaying denied" in output
    assert mail_server.messages == []
    failed = Email.objects.get(to=KENYA)
    assert failed.outcome == Email.Outcome.FAILED
    assert failed.error == f"SMTPRecipientsRefused: {KENYA}: 550 5.7.1 Relaying denied"
    assert (
        failed.subject.startswith("Follow-up reminder for Kenya") and "Dear nairobi" in failed.body
    )
    pending = Reminder.objects.filter(sent_at__isnull=True)
    assert pending.count() == Reminder.objects.count() > 0
    assert not pending.filter(email__isnull=False).exists()

    mail_server.refuse = None
    send()
    assert sorted(message["To"] for message in mail_server.messages) == [CHINA, KENYA]
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert Email.objects.filter(outcome=Email.Outcome.SENT).count() == 2
    send()
    assert len(mail_server.messages) == 2


def test_one_refused_recipient_does_not_stop_the_others(mail_server, world):
    mail_server.refused[KENYA] = "550 5.1.1 No such user"
    output, error = send_failing()
    assert f"FAILED to send to nairobi <{KENYA}>" in output
    assert error.returncode == 75 and "1 of 2 digests could not be sent" in str(error)
    assert [message["To"] for message in mail_server.messages] == [CHINA]
    assert Reminder.objects.filter(user=world["kenya"], sent_at__isnull=True).exists()
    assert not Reminder.objects.filter(user=world["china"], sent_at__isnull=True).exists()


def test_no_server_at_all_is_reported_not_a_traceback(mail_server, world, settings):
    from tests.integration.mail_server import free_port

    settings.EMAIL_PORT = free_port()  # nobody listens there
    output, error = send_failing()
    assert error.returncode == 75 and "2 of 2 digests could not be sent" in str(error)
    assert "Traceback" not in output and "ConnectionRefusedError" in output
    assert "ConnectionRefusedError" in Email.objects.get(to=KENYA).error
    assert Email.objects.filter(outcome=Email.Outcome.FAILED).count() == 2


def test_pending_reminders_are_checked_again_before_sending(mail_server, world):
    mail_server.refuse = "451 4.3.0 Try again later"
    send_failing()
    kenya = world["kenya"]
    withdrawn, answered = expected("KEN")[-2:]
    Recommendation.objects.filter(pk=withdrawn.pk).update(is_withdrawn=True)
    make_follow_up(answered, "KEN", Status.NOT_IMPLEMENTED, user=kenya)
    mail_server.refuse = None
    output = send()
    (message,) = mail_server.to(KENYA)
    shown = listed(parts(message)[0])
    assert withdrawn.pk not in shown and answered.pk not in shown
    assert shown == [r.pk for r in expected("KEN")]
    assert not Reminder.objects.filter(
        recommendation__in=[withdrawn, answered], user=kenya
    ).exists()
    assert "reminders dropped (out of date)" in output


# Killed half-way -----------------------------------------------------------------------


def database_url() -> str:
    """The test database, for a command run in another process (PostgreSQL's host may
    be a socket directory: percent-encoded, as dj-database-url reads it)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    host = quote(settings["HOST"] or "localhost", safe="")
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}:{password}@{host}{port}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_half_way_and_restarted_sends_each_reminder_once(
    reference_data, mail_server, world, settings
):
    """The real command in its own process, killed (SIGKILL) while it hands the second
    digest to the server; the next run sends what the first did not, nothing twice."""
    make_verifier_with_claims(world)
    process = None

    def kill_at_the_second_message(inbox):
        if len(inbox.messages) == 1:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            return "421 4.3.0 The client died"
        return None

    mail_server.on_data = kill_at_the_second_message
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings_test",
        "DATABASE_URL": database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "SITE_URL": SITE,
        "REMINDER_LOCK_FILE": str(settings.REMINDER_LOCK_FILE),
        "REMINDER_THRESHOLDS": "-30,0,30",
    }
    environment.pop("DEBUG", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "send_reminders", "--today", TODAY.isoformat()],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert len(mail_server.messages) == 1
    assert Email.objects.filter(outcome=Email.Outcome.SENT).count() == 1
    assert Reminder.objects.filter(sent_at__isnull=True).exists()  # the rest, pending

    mail_server.on_data = None
    send()
    recipients = sorted(message["To"] for message in mail_server.messages)
    assert recipients == sorted([CHINA, KENYA, OFFICER])  # each once
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert Email.objects.filter(outcome=Email.Outcome.SENT).count() == 3
    for email in Email.objects.all():
        assert email.reminders.exists()
    send()
    assert len(mail_server.messages) == 3


# Verifiers' digests --------------------------------------------------------------------


def make_verifier(username="verifier"):
    from recommendations import roles

    return make_user(username, group=roles.SECRETARIAT)


def unanswered(world, n=0):
    """The n-th recommendation Kenya has no follow-up of."""
    return [r for r in expected("KEN") if r != world["open"]][n]


def make_verifier_with_claims(world):
    """A verifier with an e-mail address, and two claims awaiting (Kenya's, China's)."""
    officer = with_email(make_verifier("officer"), OFFICER)
    make_follow_up(unanswered(world), "KEN", Status.IMPLEMENTED, user=world["kenya"])
    make_follow_up(expected("CHN")[0], "CHN", Status.IMPLEMENTED, user=world["china"])
    return officer


def test_verifiers_get_the_claims_new_since_their_last_digest(mail_server, world):
    officer = make_verifier_with_claims(world)
    make_user("no-permission", staff=True).__class__.objects.filter(
        username="no-permission"
    ).update(email="np@example.org")
    claims = list(
        FollowUp.objects.filter(status=Status.IMPLEMENTED, verified_at__isnull=True).order_by("pk")
    )
    assert len(claims) == 2
    send()
    (message,) = mail_server.to(OFFICER)
    text, html = parts(message)
    assert message["Subject"] == "2 new claims awaiting verification"
    assert mail_server.to("np@example.org") == []
    for claim in claims:
        url = f"{SITE}/admin/recommendations/followup/{claim.pk}/change/"
        assert url in text and f'href="{url}"' in html
        assert str(claim) in text
    assert "In all, 2 claims await verification" in text
    assert f"{SITE}/admin/recommendations/followup/?verification=unverified" in text

    send()
    assert len(mail_server.to(OFFICER)) == 1  # nothing new

    third = make_follow_up(unanswered(world, 1), "KEN", Status.IMPLEMENTED, user=world["kenya"])
    follow_up_services.follow_up_verify(follow_up=claims[0], user=officer)
    send()
    (_, later) = mail_server.to(OFFICER)
    text = parts(later)[0]
    assert later["Subject"] == "1 new claim awaiting verification"
    assert f"/followup/{third.pk}/change/" in text and f"/followup/{claims[0].pk}/" not in text
    assert "In all, 2 claims await verification" in text


def test_a_claim_verified_before_its_digest_goes_out_is_dropped(mail_server, world):
    officer = make_verifier_with_claims(world)
    mail_server.refuse = "451 4.3.0 Try again later"
    send_failing()
    for claim in FollowUp.objects.filter(status=Status.IMPLEMENTED, verified_at__isnull=True):
        follow_up_services.follow_up_verify(follow_up=claim, user=officer)
    mail_server.refuse = None
    send()
    assert mail_server.to(OFFICER) == []
    assert not Reminder.objects.filter(user=officer).exists()


# Opt-out -------------------------------------------------------------------------------


def test_the_opt_out_link_works_in_one_click(mail_server, world):
    china = world["china"]
    path = f"/mail/opt-out/{services.opt_out_token(china)}/"
    page = Client().get(path)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'lang="zh-hans"' in content and CHINA in content
    assert '<form method="post">' in content
    china.preference.refresh_from_db()
    assert china.preference.digests  # GET (a link checker, a preview) changes nothing

    # RFC 8058: the mail client POSTs, without a CSRF token or a session.
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and CHINA in response.content.decode()
    china.preference.refresh_from_db()
    assert not china.preference.digests

    send()
    assert [message["To"] for message in mail_server.messages] == [KENYA]


def test_the_opt_out_of_a_user_without_preferences(world):
    kenya = world["kenya"]
    path = f"/mail/opt-out/{services.opt_out_token(kenya)}/"
    page = Client().get(path)
    assert page.status_code == 200 and 'lang="en"' in page.content.decode()
    assert "Stop these digests" in page.content.decode()
    response = Client().post(path)
    assert "You will no longer receive digests at nairobi@example.org" in response.content.decode()
    kenya.refresh_from_db()
    assert kenya.preference.digests is False and kenya.preference.language == "en"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "1:forged-signature",
        "{pk}",  # no signature
        "{other}:{signature}",  # another user's id with this one's signature
        "{token}x",  # altered
        "{token_without_last}",  # cut short
    ],
)
def test_a_forged_or_altered_token_is_refused(world, token):
    kenya, china = world["kenya"], world["china"]
    good = services.opt_out_token(kenya)
    token = token.format(
        pk=kenya.pk,
        other=china.pk,
        signature=good.split(":", 1)[1],
        token=good,
        token_without_last=good[:-1],
    )
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/mail/opt-out/{token}/")
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    kenya.refresh_from_db()
    assert not hasattr(kenya, "preference") or kenya.preference.digests


def test_a_token_signed_for_another_purpose_is_refused(world):
    from django.core import signing

    token = signing.Signer().sign(str(world["kenya"].pk))  # the default salt
    assert Client().post(f"/mail/opt-out/{token}/").status_code == 400


# Dry run, lock, queries ----------------------------------------------------------------


def test_dry_run_prints_and_writes_nothing(mail_server, world):
    mail_server.refuse = "451 4.3.0 Try again later"
    send_failing()  # some pending reminders from a failed run
    before = (
        list(Reminder.objects.values().order_by("pk")),
        list(Email.objects.values().order_by("pk")),
    )
    mail_server.refuse = None
    output = send("--dry-run")
    assert mail_server.messages == []
    assert before == (
        list(Reminder.objects.values().order_by("pk")),
        list(Email.objects.values().order_by("pk")),
    )
    kenya = expected("KEN")
    assert (
        f"Would send to nairobi <{KENYA}> (en): liaison digest for KEN, {len(kenya)} items."
        in output
    )
    assert f"Would send to beijing <{CHINA}> (zh)" in output
    assert f"  {kenya[0]}" in output
    assert "2 digests would be sent; nothing was sent or written." in output


def test_dry_run_on_a_fresh_database_writes_nothing(mail_server, world):
    output = send("--dry-run")
    assert not Reminder.objects.exists() and not Email.objects.exists()
    assert "2 digests would be sent" in output


def test_the_lock_refuses_an_overlapping_run(mail_server, world, settings):
    def refuse(by):
        return RuntimeError(by)

    with exclusive_lock(Path(settings.REMINDER_LOCK_FILE), refuse=refuse):
        _, error = send_failing()
    assert error.returncode == 75
    assert "another send_reminders run is sending" in str(error)
    assert f"held by process {os.getpid()}" in str(error)
    assert mail_server.messages == [] and not Reminder.objects.exists()
    send()
    assert len(mail_server.messages) == 2  # released: the next run goes ahead


def test_a_bad_date_names_the_option(mail_server, world):
    with pytest.raises(CommandError, match=r"--today: expected a date YYYY-MM-DD, got '6/6/26'"):
        call_command("send_reminders", "--today", "6/6/26")


def test_a_run_takes_a_constant_number_of_queries_per_recipient(mail_server, world):
    make_verifier_with_claims(world)
    with CaptureQueriesContext(connection) as first:
        send()
    assert len(mail_server.messages) == 3
    with CaptureQueriesContext(connection) as again:
        send()
    # Recipients, preferences, keys, outstanding (and texts) per state, claims; then per
    # digest: insert the new reminders, read them back (and texts), check the answers,
    # and in a transaction record the e-mail and mark its reminders sent.
    assert len(first) == QUERIES_FIRST_RUN, [q["sql"] for q in first]
    assert len(again) == QUERIES_NOTHING_NEW, [q["sql"] for q in again]


QUERIES_FIRST_RUN = 30
QUERIES_NOTHING_NEW = 11


# The admin -----------------------------------------------------------------------------


def test_the_admin_shows_emails_and_reminders_read_only(mail_server, world, client):
    send()
    admin = make_user("root", superuser=True)
    client.force_login(admin)
    email = Email.objects.get(to=CHINA)
    page = client.get(f"/admin/recommendations/email/{email.pk}/change/").content.decode()
    assert CHINA in page and "中国" in page and "Sent" in page
    assert 'name="_save"' not in page
    listing = client.get("/admin/recommendations/email/").content.decode()
    assert KENYA in listing and CHINA in listing
    reminders = client.get("/admin/recommendations/reminder/?sent=no")
    assert reminders.status_code == 200
    reminder = Reminder.objects.filter(user=world["kenya"]).first()
    page = client.get(f"/admin/recommendations/reminder/{reminder.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/recommendations/email/{email.pk}/delete/").status_code == 403


def test_digests_back_on_in_the_user_admin(mail_server, world, client):
    china = world["china"]
    services.digests_opt_out(user=china)
    admin = make_user("root", superuser=True)
    client.force_login(admin)
    url = f"/admin/auth/user/{china.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"groups", "user_permissions", "password"}
    }
    data.update(
        {
            "date_joined_0": china.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": china.date_joined.strftime("%H:%M:%S"),
            "preference-TOTAL_FORMS": "1",
            "preference-INITIAL_FORMS": "1",
            "preference-MIN_NUM_FORMS": "0",
            "preference-MAX_NUM_FORMS": "1",
            "preference-0-user": str(china.pk),
            "preference-0-language": "zh",
            "preference-0-digests": "on",
        }
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    china.preference.refresh_from_db()
    assert china.preference.digests
    send()
    assert len(mail_server.to(CHINA)) == 1


# Configuration -------------------------------------------------------------------------

DOCUMENTED_COMMAND = "/srv/tracker/.venv/bin/python /srv/tracker/manage.py send_reminders"


def test_the_documented_command_line_is_accepted():
    import shlex

    from recommendations.management.commands.send_reminders import Command

    words = shlex.split(DOCUMENTED_COMMAND)
    assert words[1].endswith("manage.py") and words[2] == "send_reminders"
    options = vars(Command().create_parser("manage.py", "send_reminders").parse_args(words[3:]))
    assert options["dry_run"] is False and options["today"] is None
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if "## Reminders by e-mail" in readme:  # once the operator's section is merged
        assert readme.count(DOCUMENTED_COMMAND) >= 2  # the cron line and ExecStart=


def settings_in_a_process(**env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMAIL_", "REMINDER_", "SITE_URL", "DEFAULT_FROM_EMAIL"))
        and key != "DJANGO_SETTINGS_MODULE"
    }
    environment.update(SECRET_KEY="x" * 50, **env)
    script = (
        "import django, json; from django.conf import settings; django.setup(); "
        "print(json.dumps({name: str(getattr(settings, name)) for name in ("
        "'EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_USE_TLS', "
        "'EMAIL_USE_SSL', 'EMAIL_TIMEOUT', 'DEFAULT_FROM_EMAIL', 'SITE_URL', "
        "'REMINDER_THRESHOLDS', 'REMINDER_LOCK_FILE')}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "tracker.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_mail_settings_come_from_the_environment():
    import json

    defaults = json.loads(settings_in_a_process().stdout)
    assert defaults == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "localhost",
        "EMAIL_PORT": "25",
        "EMAIL_HOST_USER": "",
        "EMAIL_USE_TLS": "False",
        "EMAIL_USE_SSL": "False",
        "EMAIL_TIMEOUT": "30.0",
        "DEFAULT_FROM_EMAIL": "tracker@localhost",
        "SITE_URL": "http://127.0.0.1:8000",
        "REMINDER_THRESHOLDS": "[-30, 0, 30]",
        "REMINDER_LOCK_FILE": str(ROOT / "var" / "send_reminders.lock"),
    }
    result = settings_in_a_process(
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="tracker",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="1",
        EMAIL_TIMEOUT="12.5",
        DEFAULT_FROM_EMAIL="Tracker <tracker@example.org>",
        SITE_URL="https://tracker.example.org/",
        REMINDER_THRESHOLDS=" 14, -7,0 ",
    )
    configured = json.loads(result.stdout)
    assert configured["EMAIL_HOST"] == "smtp.example.org" and configured["EMAIL_PORT"] == "587"
    assert configured["EMAIL_USE_TLS"] == "True" and configured["EMAIL_TIMEOUT"] == "12.5"
    assert configured["SITE_URL"] == "https://tracker.example.org"
    assert configured["REMINDER_THRESHOLDS"] == "[-7, 0, 14]"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REMINDER_THRESHOLDS": "a month"}, "REMINDER_THRESHOLDS: expected comma-separated"),
        ({"REMINDER_THRESHOLDS": ","}, "REMINDER_THRESHOLDS: expected comma-separated"),
        ({"REMINDER_THRESHOLDS": "0,9999"}, "between -3650 and 3650"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_TLS and EMAIL_USE_SSL"),
    ],
)
def test_bad_mail_settings_are_named(env, message):
    result = settings_in_a_process(**env)
    assert result.returncode != 0 and message in result.stderr
