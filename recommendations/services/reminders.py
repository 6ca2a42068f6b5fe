"""Reminders by e-mail: one digest per recipient and run, each reminder sent once.

What is sent (`reminders_send`, run daily by `send_reminders`):

- **Liaisons**: a recommendation their state owes a final answer on
  (selectors.deadlines.outstanding_for) crosses threshold t (settings
  REMINDER_THRESHOLDS, days from the due date: -30, 0, 30) when today >= due + t. Each
  crossing is a Reminder keyed `due:<recommendation id>:<ISO3>:<t>`, sent once per
  liaison. When several thresholds of a pair are crossed and were never reminded of (a
  first run on old data, a run missed for a month), they all ride on the one item of the
  digest, which shows the pair once: the latest is what the liaison reads, the earlier
  ones are recorded as covered by the same e-mail.
- **Verifiers**: each claim awaiting verification is a Reminder keyed
  `claim:<follow-up id>:<version>`, so a digest lists the claims new since the last one
  (a claim changed since counts again), with the total awaiting.

A run, holding a lock (services/locks.py: a second run stops at once with RemindersLocked):

1. reads the recipients (selectors/reminders.py), the outstanding recommendations of
   each of their states, the claims awaiting and the keys already used;
2. for each recipient in turn: records the new reminders (pending: `sent_at` empty),
   reads back all their pending reminders, a failed run's included, and checks each
   again against the data as it is now — a pair answered since, a recommendation
   withdrawn, a due date moved past the threshold, a claim verified or changed: that
   reminder is dropped (deleted, never sent); then, if any are left, renders one e-mail
   in the recipient's language and hands it to the SMTP server;
3. once the server has accepted the message, records the Email and marks its reminders
   sent (`sent_at`, `email`) in one transaction. A failure (refused, connection lost,
   timeout, a bad address) records a failed Email with the error and leaves the
   reminders pending: the next run retries them. The run goes on with the next recipient.

Exactly once, and the one window where it is not: a reminder is marked sent only in the
transaction that follows the server's acceptance. A run that dies before the server
accepts a digest (killed, server down) leaves its reminders pending and the next run
sends them. A run that dies after the server accepted a digest and before that
transaction committed (a few milliseconds per digest: the process killed, the machine
stopped, the database gone at that moment) leaves them pending too, so the next run sends
that digest a second time. SMTP gives no way to make delivery and the database commit
one step; a repeat is preferred to a reminder lost.

Dry run: the same reads and checks, nothing written, nothing sent.
"""

import datetime
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from recommendations.choices import Status
from recommendations.models import (
    Email,
    FollowUp,
    Liaison,
    Recommendation,
    Reminder,
    UserPreference,
)
from recommendations.selectors import reminders as selectors
from recommendations.selectors.deadlines import days_overdue, outstanding_for
from recommendations.selectors.texts import text_in, texts_prefetch
from recommendations.services.locks import exclusive_lock

OPT_OUT_SALT = "recommendations.reminders.opt-out"
# The languages of e-mail (UserPreference.language) as Django names them.
DJANGO_LANGUAGES = {"en": "en", "zh": "zh-hans"}
CONTENT_LANGUAGES = {"en": "en", "zh": "zh-Hans"}
SHORT_TEXT_CHARS = 200


class RemindersLocked(Exception):
    """Another send_reminders run holds the lock."""


# Keys and thresholds -------------------------------------------------------------------


def due_key(recommendation_id: int, iso3: str, threshold: int) -> str:
    return f"due:{recommendation_id}:{iso3}:{threshold}"


def claim_key(follow_up: FollowUp) -> str:
    return f"claim:{follow_up.pk}:{follow_up.version}"


def crossed_thresholds(
    due_date: datetime.date, today: datetime.date, thresholds: Iterable[int]
) -> list[int]:
    """The thresholds a due date has crossed by today (today >= due + t), in order."""
    return sorted(t for t in thresholds if due_date + datetime.timedelta(days=t) <= today)


# Opt-out ------------------------------------------------------------------------------


def opt_out_token(user) -> str:
    """The signed token of a user's opt-out link (no expiry: the link in an old digest
    still works). Only the server's SECRET_KEY can make one."""
    return signing.Signer(salt=OPT_OUT_SALT).sign(str(user.pk))


def opt_out_user(token: str):
    """The user a token was made for, or None when it is not a valid token (forged,
    altered, truncated) or the user is gone."""
    try:
        value = signing.Signer(salt=OPT_OUT_SALT).unsign(token)
    except signing.BadSignature:
        return None
    if not value.isdigit():
        return None
    return get_user_model().objects.filter(pk=int(value)).select_related("preference").first()


def user_preference(user) -> UserPreference:
    """The user's preference, or the defaults (not saved) when they never chose."""
    try:
        return user.preference
    except UserPreference.DoesNotExist:
        return UserPreference(user=user)


def user_preference_set(*, user, **changes) -> UserPreference:
    """Set a user's e-mail preferences (`language`, `digests`)."""
    preference = user_preference(user)
    for name, value in changes.items():
        setattr(preference, name, value)
    preference.full_clean()
    preference.save()
    user.preference = preference
    return preference


def digests_opt_out(*, user) -> UserPreference:
    """One click in a digest: no more digests (staff turn them back on in the admin)."""
    return user_preference_set(user=user, digests=False)


# What a digest shows -------------------------------------------------------------------


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class DueItem:
    """A recommendation the state owes an answer on, as a liaison's digest shows it."""

    recommendation_id: int
    name: str  # "A/80/75 106(c)"
    report: str
    label: str
    text: str
    due_date: datetime.date
    days_overdue: int | None
    days_left: int | None
    when: str  # "12 days overdue", "due today", "20 days left"
    url: str


@dataclass(frozen=True)
class ClaimItem:
    """A claim awaiting verification, as a verifier's digest shows it."""

    follow_up_id: int
    name: str  # "A/80/75 106(c) · Kenya"
    member_state: str
    claimed_on: datetime.date
    url: str


@dataclass
class Recipient:
    user: object
    kind: str  # Email.Kind
    member_state: object = None  # a liaison's
    new: list[Reminder] = field(default_factory=list)  # reminders this run adds
    total: int = 0  # due and overdue for the state, or claims awaiting

    @property
    def language(self) -> str:
        return user_preference(self.user).language

    @property
    def is_liaison(self) -> bool:
        return self.kind == Email.Kind.LIAISON_DIGEST


@dataclass(frozen=True)
class Digest:
    recipient: Recipient
    reminders: tuple[Reminder, ...]  # every pending reminder the e-mail covers
    items: tuple  # DueItem or ClaimItem, one per recommendation or claim
    dropped: int  # pending reminders found out of date


def _when(due: datetime.date, today: datetime.date) -> str:
    """How far the due date is, in the active language."""
    days = (today - due).days
    if days > 0:
        return ngettext("%(days)d day overdue", "%(days)d days overdue", days) % {"days": days}
    if days == 0:
        return gettext("due today")
    return ngettext("%(days)d day left", "%(days)d days left", -days) % {"days": -days}


def _due_items(reminders: list[Reminder], today: datetime.date) -> list[DueItem]:
    """One item per recommendation (its latest threshold covers the earlier ones), in
    the order of their due dates; in the active language."""
    latest: dict[int, Reminder] = {}
    for reminder in reminders:
        seen = latest.get(reminder.recommendation_id)
        if seen is None or reminder.threshold > seen.threshold:
            latest[reminder.recommendation_id] = reminder
    language = translation.get_language()
    items = []
    for reminder in latest.values():
        rec: Recommendation = reminder.recommendation
        due = reminder.effective_due_date
        text = " ".join(text_in(rec, language).text.split())
        items.append(
            DueItem(
                recommendation_id=rec.pk,
                name=str(rec),
                report=str(rec.report),
                label=rec.label,
                text=Truncator(text).chars(SHORT_TEXT_CHARS, truncate="…"),
                due_date=due,
                days_overdue=days_overdue(due, today),
                days_left=(due - today).days if due >= today else None,
                when=_when(due, today),
                url=site_url(reverse("api:recommendation-detail", args=[rec.pk])),
            )
        )
    items.sort(key=lambda item: (item.due_date, item.report, item.name))
    return items


def _claim_items(reminders: list[Reminder]) -> list[ClaimItem]:
    items = []
    for reminder in reminders:
        follow_up = reminder.follow_up
        items.append(
            ClaimItem(
                follow_up_id=follow_up.pk,
                name=str(follow_up),
                member_state=str(follow_up.member_state),
                claimed_on=timezone.localdate(follow_up.updated_at),
                url=site_url(reverse("admin:recommendations_followup_change", args=[follow_up.pk])),
            )
        )
    items.sort(key=lambda item: (item.claimed_on, item.follow_up_id))
    return items


def _still_valid(
    reminders: list[Reminder], recipient: Recipient, today: datetime.date
) -> tuple[list[Reminder], list[Reminder]]:
    """Check pending reminders against the data as it is now: (valid, out of date)."""
    answered = selectors.answered_pairs(
        {(r.recommendation_id, r.member_state_id) for r in reminders if r.recommendation_id}
    )
    valid, stale = [], []
    for reminder in reminders:
        if reminder.recommendation_id is not None:
            due = reminder.effective_due_date
            ok = (
                recipient.is_liaison
                and reminder.member_state_id == recipient.member_state.pk
                and not reminder.recommendation.is_withdrawn
                and due is not None
                and reminder.threshold is not None
                and due + datetime.timedelta(days=reminder.threshold) <= today
                and (reminder.recommendation_id, reminder.member_state_id) not in answered
            )
        else:
            follow_up = reminder.follow_up
            ok = (
                not recipient.is_liaison
                and follow_up is not None
                and follow_up.status == Status.IMPLEMENTED
                and follow_up.verified_at is None
                and not follow_up.recommendation.is_withdrawn
                and reminder.key == claim_key(follow_up)
            )
        (valid if ok else stale).append(reminder)
    return valid, stale


# Planning -----------------------------------------------------------------------------


def _plan(today: datetime.date, thresholds: tuple[int, ...]) -> list[Recipient]:
    """Who gets a digest and the reminders this run adds for each (not saved)."""
    liaisons: list[Liaison] = selectors.liaison_recipients()
    verifiers = selectors.verifier_recipients()
    user_ids = [*(liaison.user_id for liaison in liaisons), *(user.pk for user in verifiers)]
    used = selectors.reminder_keys(user_ids)
    due_by = today - datetime.timedelta(days=thresholds[0])
    outstanding: dict[str, list[Recommendation]] = {}
    recipients = []
    for liaison in liaisons:
        state = liaison.member_state
        if state.pk not in outstanding:
            outstanding[state.pk] = list(
                outstanding_for(state, due_by=due_by).prefetch_related(texts_prefetch())
            )
        recipient = Recipient(
            user=liaison.user,
            kind=Email.Kind.LIAISON_DIGEST,
            member_state=state,
            total=len(outstanding[state.pk]),
        )
        keys = used[liaison.user_id]
        for rec in outstanding[state.pk]:
            crossed = crossed_thresholds(rec.effective_due_date, today, thresholds)
            if not crossed or due_key(rec.pk, state.pk, crossed[-1]) in keys:
                continue  # the latest crossing is already on record: nothing new
            for threshold in crossed:
                key = due_key(rec.pk, state.pk, threshold)
                if key not in keys:
                    reminder = Reminder(
                        user=liaison.user,
                        key=key,
                        recommendation=rec,
                        member_state=state,
                        threshold=threshold,
                    )
                    reminder.effective_due_date = rec.effective_due_date
                    recipient.new.append(reminder)
        recipients.append(recipient)
    claims = list(selectors.claims_awaiting()) if verifiers else []
    for user in verifiers:
        keys = used[user.pk]
        recipient = Recipient(user=user, kind=Email.Kind.STAFF_DIGEST, total=len(claims))
        recipient.new = [
            Reminder(user=user, key=claim_key(claim), follow_up=claim)
            for claim in claims
            if claim_key(claim) not in keys
        ]
        recipients.append(recipient)
    return recipients


def _digest(recipient: Recipient, today: datetime.date, *, dry_run: bool) -> Digest:
    """The recipient's pending reminders, checked; those out of date are dropped (and,
    unless `dry_run`, deleted). The new reminders are recorded first (unless `dry_run`),
    so that a run dying from here on leaves them pending for the next."""
    if recipient.new and not dry_run:
        Reminder.objects.bulk_create(recipient.new, ignore_conflicts=True)
    pending = selectors.pending_reminders(recipient.user, claims=not recipient.is_liaison)
    if dry_run:
        pending += recipient.new
    valid, stale = _still_valid(pending, recipient, today)
    if stale and not dry_run:
        Reminder.objects.filter(pk__in=[r.pk for r in stale], sent_at__isnull=True).delete()
    with translation.override(DJANGO_LANGUAGES.get(recipient.language, "en")):
        items = _due_items(valid, today) if recipient.is_liaison else _claim_items(valid)
    return Digest(recipient, tuple(valid), tuple(items), len(stale))


# The e-mail ---------------------------------------------------------------------------


def digest_message(digest: Digest, *, today: datetime.date) -> EmailMultiAlternatives:
    """The digest as an e-mail in the recipient's language: plain text and HTML (no
    images, nothing loaded from elsewhere), with RFC 8058 one-click unsubscribe."""
    recipient = digest.recipient
    opt_out = site_url(reverse("mail-opt-out", args=[opt_out_token(recipient.user)]))
    count = len(digest.items)
    with translation.override(DJANGO_LANGUAGES.get(recipient.language, "en")):
        if recipient.is_liaison:
            subject = ngettext(
                "Follow-up reminder for %(state)s: %(count)d recommendation due or overdue",
                "Follow-up reminder for %(state)s: %(count)d recommendations due or overdue",
                count,
            ) % {"state": recipient.member_state.name, "count": count}
            template = "emails/liaison_digest"
        else:
            subject = ngettext(
                "%(count)d new claim awaiting verification",
                "%(count)d new claims awaiting verification",
                count,
            ) % {"count": count}
            template = "emails/staff_digest"
        context = {
            "subject": subject,
            "user": recipient.user,
            "name": recipient.user.get_full_name() or recipient.user.get_username(),
            "member_state": recipient.member_state,
            "items": digest.items,
            "total": recipient.total,
            "today": today,
            "opt_out_url": opt_out,
            "questionnaire_url": site_url(reverse("api:questionnaire-xlsx")),
            "claims_url": site_url(reverse("admin:recommendations_followup_changelist"))
            + "?verification=unverified",
            "language_code": CONTENT_LANGUAGES[recipient.language],
        }
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=Truncator(subject).chars(255),
        body=text,
        to=[recipient.user.email],
        headers={
            "List-Unsubscribe": f"<{opt_out}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Content-Language": CONTENT_LANGUAGES[recipient.language],
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def smtp_error(error: BaseException) -> str:
    """What went wrong, in one line for the Email record and the log."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(
            f"{address}: {code} {reply.decode('utf-8', 'replace')}"
            for address, (code, reply) in error.recipients.items()
        )
    elif isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        if isinstance(reply, bytes):
            reply = reply.decode("utf-8", "replace")
        detail = f"{error.smtp_code} {reply}"
    else:
        detail = str(error) or "no detail"
    return f"{type(error).__name__}: {detail}"


def _close_quietly(connection) -> None:
    """Drop a connection in an unknown state; the next message opens a new one."""
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        connection.connection = None


def _deliver(digest: Digest, message: EmailMultiAlternatives, connection, language: str):
    """Hand the message to the server; record the Email and, once accepted, mark the
    digest's reminders sent in the same transaction. Returns the Email."""
    record = {
        "user": digest.recipient.user,
        "to": digest.recipient.user.email,
        "kind": digest.recipient.kind,
        "language": language,
        "subject": message.subject,
        "body": message.body,
    }
    try:
        accepted = connection.send_messages([message])
        if accepted != 1:
            raise smtplib.SMTPException("the mail server took no message")
    except (smtplib.SMTPException, OSError, ValueError) as error:
        # ValueError: an address Django refuses to put in a header.
        _close_quietly(connection)
        return Email.objects.create(**record, outcome=Email.Outcome.FAILED, error=smtp_error(error))
    # The crash window (module docstring): accepted, not yet recorded.
    with transaction.atomic():
        email = Email.objects.create(**record, outcome=Email.Outcome.SENT)
        Reminder.objects.filter(
            pk__in=[reminder.pk for reminder in digest.reminders], sent_at__isnull=True
        ).update(sent_at=email.created_at, email=email)
    return email


# The run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestResult:
    username: str
    to: str
    kind: str
    language: str
    member_state: str  # ISO3, a liaison's
    items: tuple[str, ...]  # the names of the recommendations or claims listed
    reminders: int
    dropped: int
    email_id: int | None = None
    error: str = ""


@dataclass(frozen=True)
class RemindersRun:
    today: datetime.date
    dry_run: bool
    digests: tuple[DigestResult, ...]
    dropped: int  # pending reminders found out of date (recipients without a digest too)

    @property
    def failures(self) -> tuple[DigestResult, ...]:
        return tuple(digest for digest in self.digests if digest.error)


def _lock_path() -> Path:
    path = Path(settings.REMINDER_LOCK_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def reminders_send(
    *,
    today: datetime.date | None = None,
    dry_run: bool = False,
    connection=None,
) -> RemindersRun:
    """Send today's digests (module docstring). Raises RemindersLocked when another run
    holds the lock. SMTP failures do not raise: they are in the result's `failures`."""
    today = today or timezone.localdate()
    thresholds = tuple(sorted(settings.REMINDER_THRESHOLDS))
    path = _lock_path()

    def refuse(by: str) -> RemindersLocked:
        return RemindersLocked(
            f"another send_reminders run is sending (lock {path} is held{by}); this run "
            "stopped without sending or writing anything. The next run sends what is due."
        )

    results, dropped = [], 0
    with exclusive_lock(path, refuse=refuse):
        connection = connection or get_connection(fail_silently=False)
        try:
            for recipient in _plan(today, thresholds):
                digest = _digest(recipient, today, dry_run=dry_run)
                dropped += digest.dropped
                if not digest.items:
                    continue
                result = DigestResult(
                    username=recipient.user.get_username(),
                    to=recipient.user.email,
                    kind=recipient.kind,
                    language=recipient.language,
                    member_state=recipient.member_state.pk if recipient.member_state else "",
                    items=tuple(item.name for item in digest.items),
                    reminders=len(digest.reminders),
                    dropped=digest.dropped,
                )
                if not dry_run:
                    message = digest_message(digest, today=today)
                    email = _deliver(digest, message, connection, recipient.language)
                    result = replace(result, email_id=email.pk, error=email.error)
                results.append(result)
        finally:
            _close_quietly(connection)
    return RemindersRun(today, dry_run, tuple(results), dropped)
