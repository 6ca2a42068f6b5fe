"""Staff edits of recommendations: text fields and themes."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from recommendations.choices import ThemeSource
from recommendations.models import Recommendation, RecommendationTheme, Theme
from recommendations.services import coverage_figures
from recommendations.services.audit import audit, audited_update

EDITABLE_FIELDS = ("text", "addressee", "heading")


def recommendation_update(
    *, recommendation: Recommendation, data: dict, user, via: str = ""
) -> Recommendation:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    current, _changed = audited_update(
        recommendation, data, user=user, via=via, also=["updated_at"]
    )
    return current


def recommendation_set_themes(
    *, recommendation: Recommendation, themes: Iterable[Theme], user, via: str = ""
) -> bool:
    """Staff choose the themes: they become `manual` and survive re-import."""
    wanted = {theme.pk for theme in themes}
    if not wanted:
        raise ValidationError({"themes": _("A recommendation needs at least one theme.")})
    with transaction.atomic():
        links = list(RecommendationTheme.objects.filter(recommendation=recommendation))
        current = {(link.theme_id, link.source) for link in links}
        if current == {(pk, ThemeSource.MANUAL) for pk in wanted}:
            return False
        with coverage_figures.recommendations_changing([recommendation.pk]):
            for link in links:
                audit(link, user=user, via=via)
                link.delete()
            for pk in sorted(wanted):
                link = RecommendationTheme(
                    recommendation=recommendation, theme_id=pk, source=ThemeSource.MANUAL
                )
                audit(link, user=user, via=via)
                link.save()
        if not recommendation.themes_overridden:
            recommendation.themes_overridden = True
            audit(recommendation, user=user, via=via)
            recommendation.save(update_fields=["themes_overridden", "updated_at"])
    return True
