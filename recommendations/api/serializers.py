"""Serializers: shapes only. Writes are done by the views through the services."""

from operator import attrgetter

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import ManyRelatedField, PKOnlyObject, RelatedField

from recommendations.api.numbers import IdField
from recommendations.models import (
    Action,
    FollowUp,
    MemberState,
    Recommendation,
    Report,
    ReportSession,
    Theme,
)
from recommendations.scope import is_secretariat, member_state_of
from recommendations.selectors import api as selectors
from recommendations.selectors.deadlines import FINAL_STATUSES, days_overdue
from recommendations.selectors.texts import ShownText, language_code, text_in


# Reads (lists above all) without DRF's per-row, per-field dispatch. DRF's
# to_representation walks every field of every row through get_attribute, which on a page
# of 50 costs as much as the query. Here the way to read each field is worked out once per
# serializer: a field naming one model field is read with attrgetter (a foreign key shown
# by id straight from its `_id` column, as DRF's PKOnlyObject does) and converted by the
# field's own to_representation; any other field (dotted source, method, many-to-many)
# goes through DRF's get_attribute unchanged. The output is the same dict as DRF's:
# tests/integration/test_query_budgets.py compares the two for every serializer using it.
# (A comment, not a docstring: drf-spectacular would publish a docstring in the schema.)
class ReadPlanMixin:
    @cached_property
    def _read_plan(self) -> list[tuple[str, object, object, bool]]:
        model = self.Meta.model
        plan = []
        for field in self._readable_fields:
            try:
                model_field = model._meta.get_field(field.source)
            except FieldDoesNotExist:
                model_field = None
            direct = model_field is not None and model_field.concrete and "." not in field.source
            if direct and isinstance(field, RelatedField) and field.use_pk_only_optimization():
                if field.pk_field is None:
                    plan.append((field.field_name, attrgetter(model_field.attname), None, False))
                    continue
            elif direct and not isinstance(field, ManyRelatedField):
                getter = attrgetter(field.source)
                plan.append((field.field_name, getter, field.to_representation, False))
                continue
            plan.append((field.field_name, field.get_attribute, field.to_representation, True))
        return plan

    def to_representation(self, instance):
        ret = {}
        for name, read, convert, may_skip in self._read_plan:
            if may_skip:
                try:
                    value = read(instance)
                except SkipField:
                    continue
                if isinstance(value, PKOnlyObject) and value.pk is None:
                    value = None
            else:
                value = read(instance)
            ret[name] = None if value is None else (convert(value) if convert else value)
        return ret


@extend_schema_field(OpenApiTypes.STR)
class CodeField(serializers.SlugRelatedField):
    """The code of a related object read from a prefetched list (to_attr), which the
    schema generator cannot trace back to the model: declared a string here."""


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "code", "name_zh", "name_en"]


class MemberStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemberState
        fields = ["iso3", "name_en", "name_zh"]


class ReportSessionSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ReportSession
        fields = [
            "body",
            "body_name",
            "session",
            "dates",
            "start_date",
            "end_date",
            "place",
            "agenda_item",
            "agenda_symbol",
            "agenda_title",
        ]


class ReportSerializer(serializers.ModelSerializer):
    sessions = ReportSessionSerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "symbol",
            "symbol_from_text",
            "title",
            "author",
            "document_date",
            "language",
            "source_file",
            "sha256",
            "recommendations_section",
            "imported_at",
            "sessions",
        ]


def reader_language(request) -> str:
    """The language a reader asks for, as two letters ("" for none): `?lang=zh` first,
    else the request's language (LocaleMiddleware: Accept-Language, or the language
    cookie) when the request states one."""
    if request is None:
        return ""
    params = getattr(request, "query_params", request.GET)
    asked = params.get("lang", "").strip()
    if asked:
        return language_code(asked)
    if "HTTP_ACCEPT_LANGUAGE" in request.META or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return language_code(getattr(request, "LANGUAGE_CODE", "") or get_language())
    return ""


# The deadline of a recommendation or follow-up, read from the selectors' annotation
# (`effective_due_date`: selectors/deadlines.py), so no query per row. (A comment, not a
# docstring: drf-spectacular would publish a docstring in the schema.)
class DeadlineFieldsMixin:
    @cached_property
    def _today(self):
        return timezone.localdate()

    def overdue_days(self, due_date, *, withdrawn: bool, status: str | None = None):
        return days_overdue(due_date, self._today, status=status, withdrawn=withdrawn)


DUE_DATE_HELP = (
    "The date follow-up is due: the recommendation's own due date when staff set one, "
    "else its report's (by default the next session of a body the report is addressed "
    "to); null when none is known."
)


class RecommendationSerializer(DeadlineFieldsMixin, ReadPlanMixin, serializers.ModelSerializer):
    report_symbol = serializers.CharField(source="report.symbol", read_only=True)
    # Lists prefetched by selectors.api.recommendations().
    themes = CodeField(source="theme_list", slug_field="code", many=True, read_only=True)
    bodies = CodeField(source="body_list", slug_field="code", many=True, read_only=True)
    sdg_targets = serializers.ListField(child=serializers.CharField(), read_only=True)
    # In the reader's language (reader_language), else in the report's original language.
    text = serializers.SerializerMethodField(
        help_text="In the language asked for (`lang`, else Accept-Language) when the "
        "recommendation has it, else in the report's original language: see text_language."
    )
    addressee = serializers.SerializerMethodField(help_text="In the language of `text`.")
    heading = serializers.SerializerMethodField(help_text="In the language of `text`.")
    text_language = serializers.SerializerMethodField(
        help_text="The language of text, addressee and heading (two letters, e.g. `zh`)."
    )
    languages = serializers.SerializerMethodField(
        help_text="Every language the recommendation's text is available in, the report's "
        "original language first."
    )
    due_date = serializers.DateField(
        source="effective_due_date", read_only=True, allow_null=True, help_text=DUE_DATE_HELP
    )
    days_overdue = serializers.SerializerMethodField(
        help_text="Days since `due_date` when it has passed (1 the day after), for the "
        "recommendation as such: whether a member state has answered it does not count "
        "(a follow-up's own `days_overdue` does). Null when there is no due date, it has "
        "not passed (0 is never given: on the day it is due, not overdue), or the "
        "recommendation is withdrawn."
    )

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "report",
            "report_symbol",
            "paragraph",
            "item",
            "label",
            "text",
            "addressee",
            "heading",
            "text_language",
            "languages",
            "themes",
            "bodies",
            "sdg_targets",
            "position",
            "is_withdrawn",
            "updated_at",
            "due_date",
            "days_overdue",
        ]

    @cached_property
    def _language(self) -> str:
        return reader_language(self.context.get("request"))

    def _shown(self, obj) -> ShownText:
        # Five fields read the same choice: made once per row.
        cached = getattr(obj, "_shown_text", None)
        if cached is None or cached[0] != self._language:
            cached = obj._shown_text = (self._language, text_in(obj, self._language))
        return cached[1]

    def get_text(self, obj) -> str:
        return self._shown(obj).text

    def get_addressee(self, obj) -> str:
        return self._shown(obj).addressee

    def get_heading(self, obj) -> str:
        return self._shown(obj).heading

    def get_text_language(self, obj) -> str:
        return self._shown(obj).language

    def get_languages(self, obj) -> list[str]:
        return list(self._shown(obj).languages)

    def get_days_overdue(self, obj) -> int | None:
        return self.overdue_days(obj.effective_due_date, withdrawn=obj.is_withdrawn)


class StrictStringMixin:
    """Text takes JSON strings only: DRF's CharField would store 0 or true as "0", "True"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictStringMixin, serializers.CharField):
    pass


class StrictURLField(StrictStringMixin, serializers.URLField):
    pass


class WritableModelSerializer(ReadPlanMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.URLField: StrictURLField,
    }


class FollowUpSerializer(DeadlineFieldsMixin, WritableModelSerializer):
    recommendation = IdField(queryset=Recommendation.objects.all())
    member_state = IdField(
        queryset=MemberState.objects.all(),
        required=False,
        help_text="ISO3. Staff must name it; a liaison's follow-ups are their own state's "
        "(omit it, or name your own state: another state's is refused).",
    )
    verified = serializers.SerializerMethodField()
    verified_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    due_date = serializers.DateField(
        source="effective_due_date",
        read_only=True,
        allow_null=True,
        help_text=f"Of the recommendation. {DUE_DATE_HELP}",
    )
    days_overdue = serializers.SerializerMethodField(
        help_text="Days since `due_date` when it has passed (1 the day after) and this "
        f"follow-up is still open (its status none of {', '.join(FINAL_STATUSES)}). Null "
        "when there is no due date, it has not passed, the follow-up is closed, or the "
        "recommendation is withdrawn."
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "recommendation",
            "member_state",
            "status",
            "response",
            "verified",
            "verified_at",
            "verified_by",
            "version",
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
            "due_date",
            "days_overdue",
        ]
        read_only_fields = ["verified_at", "version", "created_at", "updated_at"]
        validators = []  # uniqueness is checked by the service, with the server's state

    def get_verified(self, obj) -> bool:
        return obj.verified_at is not None

    def get_days_overdue(self, obj) -> int | None:
        return self.overdue_days(
            obj.effective_due_date, withdrawn=obj.recommendation_withdrawn, status=obj.status
        )

    def validate(self, attrs):
        # The same fields whoever asks (the schema is one); who may name which state is
        # checked here: staff must name one, a liaison may name only their own.
        request = self.context.get("request")
        if request is None:
            return attrs
        named = attrs.get("member_state")
        if is_secretariat(request.user):
            if named is None:
                raise serializers.ValidationError(
                    {"member_state": "Staff must name the member state."}
                )
        else:
            own = member_state_of(request.user)
            if named is not None and named.pk != own:
                raise serializers.ValidationError(
                    {"member_state": f"A liaison reports for their own member state ({own})."}
                )
        return attrs


class FollowUpUpdateSerializer(FollowUpSerializer):
    """PUT and PATCH: the recommendation and member state of a follow-up never change."""

    class Meta(FollowUpSerializer.Meta):
        read_only_fields = [*FollowUpSerializer.Meta.read_only_fields, "recommendation"]

    def get_fields(self):
        fields = super().get_fields()
        fields["recommendation"].read_only = True
        fields["member_state"].read_only = True
        return fields

    def validate(self, attrs):
        return attrs


class ActionSerializer(WritableModelSerializer):
    follow_up = IdField(queryset=FollowUp.objects.none())
    member_state = serializers.CharField(source="follow_up.member_state_id", read_only=True)
    recommendation = serializers.IntegerField(source="follow_up.recommendation_id", read_only=True)
    evidence_url = StrictURLField(max_length=500, required=False, allow_blank=True, default="")
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "follow_up",
            "member_state",
            "recommendation",
            "date",
            "kind",
            "description",
            "evidence_url",
            "version",
            "created_at",
            "created_by",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Only follow-ups in the caller's scope can be named: others do not exist.
            fields["follow_up"].queryset = selectors.follow_ups_for(request.user)
        return fields


class ActionUpdateSerializer(ActionSerializer):
    """PUT and PATCH: an action stays with its follow-up."""

    def get_fields(self):
        fields = super().get_fields()
        fields["follow_up"].read_only = True
        return fields


class QuerySerializer(serializers.Serializer):
    """Query parameters: one given empty is refused (DRF would take it as left out), as
    the filters refuse it."""

    def to_internal_value(self, data):
        empty = {
            name: ["Must not be empty: leave it out instead."]
            for name in self.fields
            if name in data and not data.get(name)
        }
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)
