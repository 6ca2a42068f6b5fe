"""The questionnaire round trip: export a state's workbook, preview and apply it back.

`questionnaire_export` returns XLSX bytes; `questionnaire_import` checks a returned
workbook and returns an ImportResult (changes, unchanged rows, new actions, conflicts,
problems). The import always runs the real follow-up services (follow_up_create,
follow_up_update with the version the row was exported from, action_create) inside one
transaction, so the preview meets exactly the rules the write would; the transaction is
rolled back unless the import is confirmed (dry_run=False), has no problem, and has no
conflict or is told to leave conflicts out (skip_conflicts=True). Nothing is ever half
written: a problem anywhere writes nothing.

A row is a conflict when its follow-up changed after the export (another version, or a
follow-up created since for a row exported without one) and the row's answer differs
from the current value: it is never applied; the conflicts can be exported again
(`conflicts_export`) with the current values and the state's earlier answer side by side.
"""

import copy
import datetime
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from recommendations.choices import ActionKind, Response, Status
from recommendations.models import Action, FollowUp, MemberState
from recommendations.questionnaires import csvfile, workbook
from recommendations.questionnaires.workbook import (
    ACTIONS,
    ANSWERS,
    AnswerRow,
    Problem,
    ReadAction,
    ReadWorkbook,
    WorkbookRefused,
)
from recommendations.selectors.questionnaires import (
    existing_actions,
    follow_ups_of,
    questionnaire_recommendations,
    recommendations_by_label,
    theme_names,
)
from recommendations.selectors.texts import text_in
from recommendations.services import follow_ups as follow_up_services

DJANGO_LANGUAGE = {"en": "en", "zh": "zh-hans"}
# The questionnaire's file formats: media type and file name extension.
FILE_FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}
# Limits of an uploaded workbook (settings override them; both also from the environment).
VIA_PREFIX = "questionnaire "

__all__ = [
    "FILE_FORMATS",
    "Conflict",
    "ImportResult",
    "WorkbookRefused",
    "conflicts_export",
    "max_bytes",
    "max_uncompressed",
    "questionnaire_export",
    "questionnaire_import",
]


def max_bytes() -> int:
    return settings.QUESTIONNAIRE_MAX_BYTES


def max_uncompressed() -> int:
    return settings.QUESTIONNAIRE_MAX_UNCOMPRESSED_BYTES


def _labels(choices, language: str) -> list[str]:
    with translation.override(DJANGO_LANGUAGE[language]):
        return [str(label) for label in choices.labels]


def _code_finder(choices):
    """The code a text stands for: a code, or a label in English or Chinese."""
    known = {code.casefold(): code for code in choices.values}
    for language in DJANGO_LANGUAGE.values():
        with translation.override(language):
            known.update({str(label).casefold(): code for code, label in choices.choices})
    return lambda text: known.get(text.strip().casefold())


def _label(choices, code: str, language: str) -> str:
    if not code:
        return ""
    with translation.override(DJANGO_LANGUAGE[language]):
        return str(choices(code).label)


# ---------------------------------------------------------------- export


def questionnaire_export(
    *,
    member_state: MemberState,
    language: str = "en",
    report: str | None = None,
    theme: str | None = None,
    recommendation_ids=None,
    earlier_answers: dict[int, str] | None = None,
    now: datetime.datetime | None = None,
    file_format: str = "xlsx",
) -> bytes:
    """The state's questionnaire as bytes of `file_format` ("xlsx" or "csv"): one row per
    active recommendation in scope (a report symbol, a theme code, or these ids), in
    `language` ("en" or "zh")."""
    if language not in workbook.LANGUAGES:
        raise ValueError(f"language must be one of {workbook.LANGUAGES}")
    if file_format not in FILE_FORMATS:
        raise ValueError(f"file_format must be one of {tuple(FILE_FORMATS)}")
    recommendations = list(
        questionnaire_recommendations(
            language=language, report=report, theme=theme, ids=recommendation_ids
        )
    )
    ids = [row.pk for row in recommendations]
    follow_ups = follow_ups_of(member_state, ids, last_action=True)
    themes = theme_names(ids, language)
    earlier_answers = earlier_answers or {}
    rows = []
    for recommendation in recommendations:
        follow_up = follow_ups.get(recommendation.pk)
        shown = text_in(recommendation, language)
        last_action = ""
        if follow_up is not None and follow_up.last_action_date:
            kind = _label(ActionKind, follow_up.last_action_kind, language)
            last_action = f"{follow_up.last_action_date.isoformat()} {kind}"
        rows.append(
            AnswerRow(
                report=recommendation.report.symbol,
                label=recommendation.label,
                text=shown.text,
                themes=themes.get(recommendation.pk, ""),
                last_action=last_action,
                version=follow_up.version if follow_up else None,
                status=_label(Status, follow_up.status, language) if follow_up else "",
                response=_label(Response, follow_up.response, language) if follow_up else "",
                earlier_answer=earlier_answers.get(recommendation.pk, ""),
            )
        )
    if file_format == "csv":
        return csvfile.write_csv(state=member_state.iso3, language=language, rows=rows)
    return workbook.write_workbook(
        state=member_state.iso3,
        state_name=member_state.name_zh if language == "zh" else member_state.name_en,
        language=language,
        exported_at=now or timezone.now(),
        rows=rows,
        status_labels=_labels(Status, language),
        response_labels=_labels(Response, language),
        kind_labels=_labels(ActionKind, language),
    )


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class Change:
    sheet: str
    row: int
    report: str
    label: str
    status_from: str  # codes; "" when there was no follow-up
    status_to: str
    response_from: str
    response_to: str
    created: bool  # a first follow-up of this recommendation


@dataclass(frozen=True)
class Unchanged:
    sheet: str
    row: int
    report: str
    label: str


@dataclass(frozen=True)
class NewAction:
    sheet: str
    row: int
    report: str
    label: str
    date: datetime.date
    kind: str
    description: str
    evidence_url: str
    already_recorded: bool = False


@dataclass(frozen=True)
class Conflict:
    """Their answer and the current value side by side, and who changed it since."""

    sheet: str
    row: int
    recommendation_id: int
    report: str
    label: str
    exported_version: int | None
    current_version: int | None
    their_status: str
    their_response: str
    current_status: str
    current_response: str
    changed_by: str
    changed_at: datetime.datetime | None
    changed_via: str


@dataclass
class ImportResult:
    name: str
    state: str
    language: str
    exported_at: str
    changes: list[Change] = field(default_factory=list)
    unchanged: list[Unchanged] = field(default_factory=list)
    actions: list[NewAction] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False
    file_format: str = "xlsx"

    @property
    def can_apply(self) -> bool:
        return not self.problems


def _via(name: str) -> str:
    via = VIA_PREFIX + PurePath(name).name
    return via[: follow_up_services.REASON_MAX_LENGTH]


def questionnaire_import(
    *,
    data: bytes,
    name: str,
    user,
    dry_run: bool = True,
    skip_conflicts: bool = False,
    member_state: MemberState | None = None,
) -> ImportResult:
    """Check a returned questionnaire and, when confirmed, apply it in one transaction.

    Raises WorkbookRefused when the file cannot be read as a questionnaire (not XLSX, too
    big, a zip bomb, a formula, a changed identity, or — with `member_state`, the
    caller's own state for a liaison — another state's workbook). Otherwise returns the
    preview; `applied` says whether it was written: only when not dry_run, no problem,
    and no conflict unless skip_conflicts (the conflicting rows are then left out)."""
    file_name = PurePath(name).name
    codes = {
        "status_codes": _code_finder(Status),
        "response_codes": _code_finder(Response),
        "kind_codes": _code_finder(ActionKind),
    }
    file_format = "csv" if csvfile.looks_like_csv(data, file_name) else "xlsx"
    if file_format == "csv":
        read = csvfile.read_csv(data, name=file_name, max_bytes=max_bytes(), **codes)
    else:
        read = workbook.read_workbook(
            data,
            name=file_name,
            max_bytes=max_bytes(),
            max_uncompressed=max_uncompressed(),
            **codes,
        )
    state = MemberState.objects.filter(iso3=read.state).first()
    if state is None or (member_state is not None and member_state.iso3 != read.state):
        raise WorkbookRefused(
            Problem(
                file_name,
                None,
                "",
                _("This file is the questionnaire of another member state (%(state)s).")
                % {"state": read.state},
            )
        )
    result = ImportResult(
        name=file_name,
        state=read.state,
        language=read.language,
        exported_at=read.exported_at,
        problems=list(read.problems),
        file_format=file_format,
    )
    with transaction.atomic():
        _apply(read, state, result, user=user, via=_via(name))
        write = not dry_run and not result.problems and (skip_conflicts or not result.conflicts)
        if not write:
            transaction.set_rollback(True)
    result.applied = write
    return result


def _problem(read: ReadWorkbook, sheet_key: str, row: int, column_key: str, message) -> Problem:
    column = read.column(column_key, actions=sheet_key == ACTIONS) if column_key else ""
    return Problem(read.sheet(sheet_key), row, column, str(message))


def _validation_problems(read, sheet_key, row, error: ValidationError, columns) -> list[Problem]:
    problems = []
    for name, messages in error.message_dict.items():
        column = name if name in columns else ""
        for message in messages:
            problems.append(_problem(read, sheet_key, row, column, message))
    return problems


def _apply(read: ReadWorkbook, state: MemberState, result: ImportResult, *, user, via) -> None:
    keys = {(row.report, row.label) for row in [*read.answers, *read.actions]}
    recommendations = recommendations_by_label(keys)
    follow_ups = follow_ups_of(state, [row.pk for row in recommendations.values()])
    seen: set[tuple[str, str]] = set()
    new: dict[int, tuple] = {}  # first follow-ups and their rows, written after the loop
    updates: list[tuple] = []  # changed follow-ups and their rows, written after the loop

    for answer in read.answers:
        key = (answer.report, answer.label)
        recommendation = recommendations.get(key)
        if recommendation is None:
            result.problems.append(
                _problem(read, ANSWERS, answer.row, "label", _unknown(answer.report, answer.label))
            )
            continue
        if key in seen:
            result.problems.append(
                _problem(
                    read, ANSWERS, answer.row, "label", _("This recommendation is listed twice.")
                )
            )
            continue
        seen.add(key)
        if not follow_up_services.is_open(recommendation):
            result.problems.append(
                _problem(
                    read, ANSWERS, answer.row, "label", _withdrawn(answer.report, answer.label)
                )
            )
            continue
        follow_up = follow_ups.get(recommendation.pk)
        current_status = follow_up.status if follow_up else ""
        current_response = follow_up.response if follow_up else ""
        status = answer.status or current_status
        response = answer.response
        if follow_up is None and not answer.status and not answer.response:
            result.unchanged.append(Unchanged(read.sheet(ANSWERS), answer.row, *key))
            continue
        if (status, response) == (current_status, current_response):
            result.unchanged.append(Unchanged(read.sheet(ANSWERS), answer.row, *key))
            continue
        current_version = follow_up.version if follow_up else None
        if answer.version != current_version:
            result.conflicts.append(
                _conflict(read, answer, recommendation.pk, state, status, response)
            )
            continue
        try:
            if follow_up is None:
                built = follow_up_services.follow_up_build(
                    recommendation=recommendation,
                    member_state=state,
                    user=user,
                    status=status or Status.NOT_STARTED,
                    response=response,
                )
                new[recommendation.pk] = (built, answer)
            else:
                changed = copy.copy(follow_up)
                data = {"status": status, "response": response}
                if follow_up_services.follow_up_prepare(changed, data, user=user):
                    updates.append((changed, answer))
        except ValidationError as error:
            result.problems.extend(
                _validation_problems(read, ANSWERS, answer.row, error, {"status", "response"})
            )
            continue
        result.changes.append(
            Change(
                read.sheet(ANSWERS),
                answer.row,
                *key,
                status_from=current_status,
                status_to=status or Status.NOT_STARTED,
                response_from=current_response,
                response_to=response,
                created=follow_up is None,
            )
        )

    # Written together; a row changed since this import read it is a conflict.
    written, stale = follow_up_services.follow_ups_write(
        [changed for changed, _answer in updates], user=user, via=via
    )
    follow_ups.update({row.recommendation_id: row for row in written})
    for changed, answer in updates:
        if changed in stale:
            result.changes[:] = [c for c in result.changes if c.row != answer.row]
            result.conflicts.append(
                _conflict(
                    read, answer, changed.recommendation_id, state, changed.status, changed.response
                )
            )

    # Actions, built on the follow-ups found or about to be created; an action on a
    # recommendation the state has no follow-up of gets a first one (not started).
    recommendation_of = {row.pk: pk for pk, row in follow_ups.items()}
    recorded = {
        (recommendation_of[follow_up_id], *rest)
        for follow_up_id, *rest in existing_actions(list(recommendation_of))
    }
    built_actions: list[tuple[ReadAction, Action]] = []
    for action in read.actions:
        key = (action.report, action.label)
        recommendation = recommendations.get(key)
        if recommendation is None:
            result.problems.append(_problem(read, ACTIONS, action.row, "label", _unknown(*key)))
            continue
        if not follow_up_services.is_open(recommendation):
            result.problems.append(_problem(read, ACTIONS, action.row, "label", _withdrawn(*key)))
            continue
        fingerprint = (recommendation.pk, action.date, action.kind, action.description)
        if fingerprint in recorded:
            result.actions.append(_new_action(read, action, already_recorded=True))
            continue
        try:
            target = follow_ups.get(recommendation.pk)
            if target is None and recommendation.pk in new:
                target = new[recommendation.pk][0]
            if target is None:
                target = follow_up_services.follow_up_build(
                    recommendation=recommendation, member_state=state, user=user
                )
                new[recommendation.pk] = (target, None)
            built = follow_up_services.action_build(
                follow_up=target,
                user=user,
                date=action.date,
                kind=action.kind,
                description=action.description,
                evidence_url=action.evidence_url,
            )
        except ValidationError as error:
            columns = {"date", "kind", "description", "evidence_url"}
            result.problems.extend(_validation_problems(read, ACTIONS, action.row, error, columns))
            continue
        recorded.add(fingerprint)
        built_actions.append((action, built))
        result.actions.append(_new_action(read, action))

    created = _insert(new, read, state, result, user=user, via=via)
    for _action, built in built_actions:
        recommendation_id = built.follow_up.recommendation_id
        built.follow_up = created.get(recommendation_id) or built.follow_up
    follow_up_services.actions_insert([built for _a, built in built_actions], user=user, via=via)


def _insert(new: dict[int, tuple], read, state, result: ImportResult, *, user, via) -> dict:
    """The first follow-ups of the rows (and of the actions' recommendations), in one
    INSERT, by recommendation id. Should another writer create one of them meanwhile,
    one by one instead: that one is taken as it is now, and its row becomes a conflict."""
    try:
        with transaction.atomic():
            follow_up_services.follow_ups_insert(
                [follow_up for follow_up, _answer in new.values()], user=user, via=via
            )
        return {pk: follow_up for pk, (follow_up, _answer) in new.items()}
    except IntegrityError:
        pass
    created = {}
    for pk, (follow_up, answer) in new.items():
        try:
            with transaction.atomic():
                created[pk] = follow_up_services.follow_up_create(
                    recommendation=follow_up.recommendation,
                    member_state=state,
                    user=user,
                    status=follow_up.status,
                    response=follow_up.response,
                    via=via,
                )
        except (ValidationError, IntegrityError):
            # Created meanwhile: its actions go to that follow-up; its answer conflicts.
            created[pk] = FollowUp.objects.get(recommendation_id=pk, member_state=state)
            if answer is not None:
                result.changes[:] = [c for c in result.changes if c.row != answer.row]
                result.conflicts.append(
                    _conflict(read, answer, pk, state, follow_up.status, follow_up.response)
                )
    return created


def _new_action(read, action, *, already_recorded=False) -> NewAction:
    return NewAction(
        read.sheet(ACTIONS),
        action.row,
        action.report,
        action.label,
        action.date,
        action.kind,
        action.description,
        action.evidence_url,
        already_recorded,
    )


def _unknown(report: str, label: str) -> str:
    return _("There is no recommendation %(label)s in report %(report)s.") % {
        "label": label,
        "report": report,
    }


def _withdrawn(report: str, label: str) -> str:
    return _(
        "Recommendation %(label)s of %(report)s has been withdrawn from its report since "
        "the export: its follow-up is closed."
    ) % {"label": label, "report": report}


def _conflict(read, answer, recommendation_id, state, status, response) -> Conflict:
    """The row's answer beside the follow-up as it is now (none when deleted since), with
    the last change on record: who, when, through what."""
    current = FollowUp.objects.filter(
        recommendation_id=recommendation_id, member_state=state
    ).first()
    last = (
        FollowUp.history.filter(recommendation_id=recommendation_id, member_state=state)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    user = last.history_user if last is not None else None
    return Conflict(
        sheet=read.sheet(ANSWERS),
        row=answer.row,
        recommendation_id=recommendation_id,
        report=answer.report,
        label=answer.label,
        exported_version=answer.version,
        current_version=current.version if current else None,
        their_status=status,
        their_response=response,
        current_status=current.status if current else "",
        current_response=current.response if current else "",
        changed_by=user.get_username() if user is not None else "",
        changed_at=last.history_date if last is not None else None,
        changed_via=(last.history_change_reason or "") if last is not None else "",
    )


def conflicts_export(result: ImportResult, *, member_state: MemberState) -> bytes:
    """A new questionnaire (in the returned file's format) of the conflicting rows only,
    to settle them: the current values and versions, with the state's earlier answer
    beside them."""
    language = result.language
    earlier = {}
    for conflict in result.conflicts:
        parts = [_label(Status, conflict.their_status, language)]
        if conflict.their_response:
            parts.append(_label(Response, conflict.their_response, language))
        earlier[conflict.recommendation_id] = " / ".join(parts)
    return questionnaire_export(
        member_state=member_state,
        language=language,
        recommendation_ids=list(earlier),
        earlier_answers=earlier,
        file_format=result.file_format,
    )
