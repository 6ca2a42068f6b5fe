"""A recommendation's text in the reader's language.

Recommendation.text (with addressee and heading) is in the report's original language
(Report.language); each language version imported since adds a RecommendationText. The
readers (API, admin) prefetch the texts into a list with texts_prefetch() and pick with
text_in(), without a query per row.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch

from recommendations.models import Recommendation, RecommendationText

TEXTS_ATTR = "text_list"


def texts_prefetch() -> Prefetch:
    """Every language version's text of the recommendations, as `text_list`."""
    return Prefetch(
        "texts", queryset=RecommendationText.objects.order_by("language"), to_attr=TEXTS_ATTR
    )


def translation_contains(value: str, recommendation: str = "pk") -> Exists:
    """Whether a language version's text of the recommendation (the outer row's
    `recommendation` column) contains `value`, case-insensitively: for searches, beside
    the original's text."""
    return Exists(
        RecommendationText.objects.filter(
            recommendation=OuterRef(recommendation), text__icontains=value
        )
    )


@dataclass(frozen=True)
class ShownText:
    text: str
    addressee: str
    heading: str
    language: str  # the language of text, addressee and heading
    languages: tuple[str, ...]  # every language the recommendation has, original first
    is_original: bool


def language_code(language: str | None) -> str:
    """ "zh-hans" → "zh", "EN" → "en": the two letters the texts are stored under."""
    return (language or "")[:2].lower()


def text_in(rec: Recommendation, language: str | None) -> ShownText:
    """The recommendation's text in `language` ("zh", "zh-hans" …) when it has one, else
    in its report's original language. Needs `report` loaded (select_related) and reads
    the prefetched `text_list` when there is one (else one query)."""
    original = rec.report.language
    texts = getattr(rec, TEXTS_ATTR, None)
    if texts is None:
        texts = list(rec.texts.order_by("language"))
    languages = (original, *(row.language for row in texts if row.language != original))
    wanted = language_code(language)
    if wanted and wanted != original:
        for row in texts:
            if row.language == wanted:
                return ShownText(row.text, row.addressee, row.heading, wanted, languages, False)
    return ShownText(rec.text, rec.addressee, rec.heading, original, languages, True)
