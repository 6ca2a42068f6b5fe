"""Staff and superuser edits of the reference data: themes, governing bodies, member
states. Every write is on record (history with the user and the channel).

The rules live here and in the models: a theme's code is reserved for the coverage table
("total", "unthemed": Theme.clean), a keyword needs a letter or a digit, and a code (ISO3
for a member state) never changes once created (the API, exports and filters use it).
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from recommendations.models import Body, MemberState, Theme
from recommendations.parsing.themes import clean_keywords, keyword_usable
from recommendations.services.audit import audit, audited_update
from recommendations.services.coverage_figures import recommendations_changing
from recommendations.services.deadlines import report_due_dates_refresh, reports_of_body

# The fields each service accepts; the first one is the code, fixed once created.
THEME_FIELDS = ("code", "name_zh", "name_en", "position", "keywords")
BODY_FIELDS = ("code", "name_zh", "name_en")
MEMBER_STATE_FIELDS = ("iso3", "name_en", "name_zh")
# The change reason of the record that starts the history of a row loaded by `migrate`.
HISTORY_BEGINS = "history began"


def theme_keywords(language: str, words: Iterable[str]) -> list[str]:
    """The keywords of one language, cleaned (white space collapsed, blanks and repeats
    dropped); ValidationError naming those with no letter or digit."""
    keywords = clean_keywords({language: list(words)}).get(language, [])
    bad = [keyword for keyword in keywords if not keyword_usable(keyword)]
    if bad:
        raise ValidationError(
            _("Not usable as a keyword (no letter or digit): %(keywords)s")
            % {"keywords": ", ".join(bad)}
        )
    return keywords


def _clean_keywords(keywords: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    try:
        cleaned = {
            language: theme_keywords(language, words) for language, words in keywords.items()
        }
    except ValidationError as error:
        raise ValidationError({"keywords": error.messages}) from None
    return {language: words for language, words in cleaned.items() if words}


def _check_fields(data: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})


def _create(model: type[models.Model], data: dict, fields: tuple[str, ...], *, user, via):
    _check_fields(data, fields)
    instance = model(**data)
    with transaction.atomic():
        instance.full_clean()
        audit(instance, user=user, via=via)
        instance.save(force_insert=True)
    return instance


def _history_begins(stored: models.Model) -> None:
    """Rows loaded by `migrate` have no history: before their first change, record them as
    stored, so that the change shows what it changed (reason HISTORY_BEGINS)."""
    if not stored.history.exists():
        audit(stored, user=None, via=HISTORY_BEGINS)  # nobody's change: the state found
        type(stored).history.bulk_history_create([stored], update=True)


def _update(instance: models.Model, data: dict, fields: tuple[str, ...], *, user, via):
    """Save the values that differ from the stored row; none: no write, no history."""
    _check_fields(data, fields)
    return audited_update(
        instance, data, user=user, via=via, fixed=fields[:1], before=_history_begins
    )[0]


def reference_delete(*, instance: Theme | Body | MemberState, user, via: str = "") -> None:
    """Delete a theme, body or member state, on record. One still in use is protected
    (models.ProtectedError): recommendations, reports and follow-ups keep theirs. A body
    takes its sessions along, and the reports addressed to it get their due dates again
    from the sessions left."""
    reports = reports_of_body(instance) if isinstance(instance, Body) else []
    # The body's links leave its recommendations: the coverage figures follow.
    with recommendations_changing(report_ids=[report.pk for report in reports]):
        audit(instance, user=user, via=via)
        instance.delete()
        if reports:
            report_due_dates_refresh(reports)


def theme_create(*, data: dict, user, via: str = "") -> Theme:
    if "keywords" in data:
        data = {**data, "keywords": _clean_keywords(data["keywords"])}
    return _create(Theme, data, THEME_FIELDS, user=user, via=via)


def theme_update(*, theme: Theme, data: dict, user, via: str = "") -> Theme:
    if "keywords" in data:
        data = {**data, "keywords": _clean_keywords(data["keywords"])}
    return _update(theme, data, THEME_FIELDS, user=user, via=via)


def body_create(*, data: dict, user, via: str = "") -> Body:
    return _create(Body, data, BODY_FIELDS, user=user, via=via)


def body_update(*, body: Body, data: dict, user, via: str = "") -> Body:
    return _update(body, data, BODY_FIELDS, user=user, via=via)


def member_state_create(*, data: dict, user, via: str = "") -> MemberState:
    return _create(MemberState, data, MEMBER_STATE_FIELDS, user=user, via=via)


def member_state_update(
    *, member_state: MemberState, data: dict, user, via: str = ""
) -> MemberState:
    return _update(member_state, data, MEMBER_STATE_FIELDS, user=user, via=via)
