"""The admin's forms: what staff may type, checked by the services' rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import (
    Action,
    ApiToken,
    FollowUp,
    Liaison,
    Recommendation,
    Theme,
)
from ..parsing.themes import KEYWORD_LANGUAGES
from ..services import follow_ups as follow_up_services
from ..services import reference as reference_services
from ..services import tokens as token_services
from .common import language_name


def service_rule(check, value):
    """A service's rule checked in a form field: its messages become the field's (without
    the service's field name), the value comes back unchanged."""
    try:
        check(value)
    except ValidationError as error:
        raise ValidationError(error.messages) from None
    return value


class RecommendationForm(forms.ModelForm):
    chosen_themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label=_("themes"),
        help_text=_("Changing the themes marks them as set by staff: re-imports keep them."),
    )

    class Meta:
        model = Recommendation
        fields = ["text", "addressee", "heading"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["chosen_themes"].initial = list(self.instance.themes.all())
            self.fields["text"].help_text = _(
                "In the report's original language (%(language)s)."
            ) % {"language": language_name(self.instance.report.language)}


class ActionInlineForm(forms.ModelForm):
    evidence_url = forms.URLField(
        label=_("evidence link"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Action
        fields = list(follow_up_services.ACTION_FIELDS)

    def clean_date(self):
        return service_rule(follow_up_services.check_action_date, self.cleaned_data["date"])


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["recommendation", "member_state", "status", "response"]

    def clean_recommendation(self):
        recommendation = self.cleaned_data["recommendation"]
        if self.instance.pk is None:
            service_rule(follow_up_services.check_recommendation_open, recommendation)
        return recommendation


class ActionForm(ActionInlineForm):
    class Meta:
        model = Action
        fields = ["follow_up", *follow_up_services.ACTION_FIELDS]

    def clean_follow_up(self):
        return service_rule(follow_up_services.check_follow_up_open, self.cleaned_data["follow_up"])


def _keyword_lines(value: str, language: str) -> list[str]:
    """The keywords of a textarea (one per line), checked by the service's rule."""
    return reference_services.theme_keywords(language, value.splitlines())


class ThemeForm(forms.ModelForm):
    """Keywords as one textarea per language, one keyword per line."""

    keywords_zh = forms.CharField(
        label=_("Chinese keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 40}),
        help_text=_(
            "One per line. Found anywhere in the text of a recommendation in Chinese, "
            "spaces ignored."
        ),
    )
    keywords_en = forms.CharField(
        label=_("English keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 40}),
        help_text=_(
            "One per line. Found as whole words in the text of a recommendation in English, "
            "upper or lower case, also in the plural (firearm: firearms) and with a hyphen, "
            "a space or nothing between words (money laundering: money-laundering)."
        ),
    )

    class Meta:
        model = Theme
        fields = ["code", "name_zh", "name_en", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for language in KEYWORD_LANGUAGES:
            self.fields[f"keywords_{language}"].initial = "\n".join(
                self.instance.keywords_in(language)
            )

    def clean_keywords_zh(self):
        return _keyword_lines(self.cleaned_data["keywords_zh"], "zh")

    def clean_keywords_en(self):
        return _keyword_lines(self.cleaned_data["keywords_en"], "en")

    def clean(self):
        data = super().clean()
        # Languages without a textarea here (none yet) keep their keywords.
        keywords = {
            language: words
            for language, words in (self.instance.keywords or {}).items()
            if language not in KEYWORD_LANGUAGES
        }
        for language in KEYWORD_LANGUAGES:
            words = data.get(f"keywords_{language}")
            if words:
                keywords[language] = words
        self.instance.keywords = keywords
        return data


class LiaisonForm(forms.ModelForm):
    class Meta:
        model = Liaison
        fields = ["user", "member_state"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        try:
            token_services.liaison_check(user)
        except token_services.LiaisonRefused as refusal:
            raise ValidationError(str(refusal)) from None
        return user


class ApiTokenForm(forms.ModelForm):
    days = forms.IntegerField(
        label=_("valid for (days)"), min_value=1, max_value=3650, initial=365, required=True
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]
