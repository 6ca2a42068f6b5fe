"""Serializers: shapes only. Writes are done by the views through the services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from recommendations.models import (
    Action,
    Body,
    FollowUp,
    MemberState,
    Recommendation,
    Report,
    ReportSession,
    Theme,
)
from recommendations.scope import is_secretariat
from recommendations.selectors import api as selectors
from recommendations.services.follow_ups import check_action_date


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


class RecommendationSerializer(serializers.ModelSerializer):
    report_symbol = serializers.CharField(source="report.symbol", read_only=True)
    themes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    bodies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sdg_targets = serializers.ListField(child=serializers.CharField(), read_only=True)

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
            "themes",
            "bodies",
            "sdg_targets",
            "position",
            "is_withdrawn",
            "updated_at",
        ]


class FollowUpSerializer(serializers.ModelSerializer):
    recommendation = serializers.PrimaryKeyRelatedField(
        queryset=Recommendation.objects.filter(is_withdrawn=False)
    )
    member_state = serializers.PrimaryKeyRelatedField(
        queryset=MemberState.objects.all(),
        required=False,
        help_text="ISO3. Staff only: a liaison's follow-ups are always their own state's.",
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
        ]
        read_only_fields = ["verified_at", "version", "created_at", "updated_at"]
        validators = []  # uniqueness is checked by the service, with the server's state

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or not is_secretariat(request.user) or self.instance is not None:
            fields["member_state"].read_only = True
        if self.instance is not None:
            fields["recommendation"].read_only = True
        return fields

    def get_verified(self, obj) -> bool:
        return obj.verified_at is not None

    def validate(self, attrs):
        request = self.context.get("request")
        if (
            self.instance is None
            and request is not None
            and is_secretariat(request.user)
            and "member_state" not in attrs
        ):
            raise serializers.ValidationError({"member_state": "Staff must name the member state."})
        return attrs


class ActionSerializer(serializers.ModelSerializer):
    follow_up = serializers.PrimaryKeyRelatedField(queryset=FollowUp.objects.none())
    member_state = serializers.CharField(source="follow_up.member_state_id", read_only=True)
    recommendation = serializers.IntegerField(source="follow_up.recommendation_id", read_only=True)
    evidence_url = serializers.URLField(
        max_length=500, required=False, allow_blank=True, default=""
    )
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
        if self.instance is not None:
            fields["follow_up"].read_only = True
        return fields

    def validate_date(self, value):
        try:
            check_action_date(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return value


class CoverageQuerySerializer(serializers.Serializer):
    """The scope of a coverage request (query parameters)."""

    report = serializers.PrimaryKeyRelatedField(queryset=Report.objects.all(), required=False)
    body = serializers.SlugRelatedField(
        slug_field="code", queryset=Body.objects.all(), required=False
    )
    member_state = serializers.PrimaryKeyRelatedField(
        queryset=MemberState.objects.all(), required=False
    )
    updated_from = serializers.DateField(required=False)
    updated_to = serializers.DateField(required=False)

    def to_internal_value(self, data):
        empty = {
            name: ["Must not be empty: leave it out instead."]
            for name in self.fields
            if name in data and not data.get(name)
        }
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)

    def validate(self, attrs):
        start, end = attrs.get("updated_from"), attrs.get("updated_to")
        if start and end and start > end:
            raise serializers.ValidationError({"updated_from": "Must not be after updated_to."})
        return attrs
