from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        from recommendations.api import schema  # noqa: F401  (registers the token scheme)
