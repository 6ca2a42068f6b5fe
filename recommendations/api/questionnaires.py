"""The questionnaire through the API (issue 16): a member state's workbook out, the filled
workbook back.

- GET /api/v1/questionnaire.xlsx and .csv: the questionnaire of one member state (a
  liaison's own; staff name it), as the command `questionnaire_export` writes it.
- POST /api/v1/questionnaire/ (multipart, field `file`): the returned file, previewed
  with `?dry_run=1` (nothing written) or applied in one transaction; conflicts (rows whose
  follow-up changed since the export) stop the write unless `?skip_conflicts=1`.

The views check the request and call the questionnaire services
(recommendations/questionnaires/services.py), which read the file, run the follow-up
services and write the history ("questionnaire FILE"); the serializers below only give
the services' results their shape.
"""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from recommendations.api.numbers import IdField
from recommendations.api.permissions import TrackerPermissions, permission_name
from recommendations.api.schema import ErrorSerializer
from recommendations.api.serializers import QuerySerializer
from recommendations.choices import ActionKind, Status
from recommendations.choices import Response as Answer
from recommendations.models import Action, FollowUp, MemberState, Report, Theme
from recommendations.questionnaires.services import (
    FILE_FORMATS,
    WorkbookRefused,
    questionnaire_export,
    questionnaire_import,
)
from recommendations.scope import is_secretariat, member_state_of

LANGUAGES = [("en", "English"), ("zh", "Chinese")]

# ---------------------------------------------------------------- the request


class QuestionnaireQuerySerializer(QuerySerializer):
    """Whose questionnaire, over what, in which language (query parameters)."""

    member_state = IdField(
        queryset=MemberState.objects.all(),
        required=False,
        help_text="ISO3. Staff must name it; a liaison gets their own state's questionnaire "
        "(omit it, or name your own state: another state's is refused).",
    )
    report = serializers.SlugRelatedField(
        slug_field="symbol",
        queryset=Report.objects.all(),
        required=False,
        help_text="Only this report's recommendations (its symbol, e.g. `S/2025/303`).",
        error_messages={"does_not_exist": gettext_lazy("There is no report {value}.")},
    )
    theme = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Theme.objects.all(),
        required=False,
        help_text="Only this theme's recommendations (its code).",
        error_messages={"does_not_exist": gettext_lazy("There is no theme {value}.")},
    )
    language = serializers.ChoiceField(
        choices=LANGUAGES,
        required=False,
        help_text="The workbook's language (sheet titles, column titles, drop-down lists and, "
        "where the recommendation has it, its text). Without it: `zh` when the request's "
        "language (Accept-Language) is Chinese, else `en`.",
    )

    def validate(self, attrs):
        user = self.context["request"].user
        named = attrs.get("member_state")
        if is_secretariat(user):
            if named is None:
                raise ValidationError({"member_state": [_("Staff must name the member state.")]})
            return attrs
        own = member_state_of(user)
        if named is not None and named.pk != own:
            raise ValidationError(
                {
                    "member_state": [
                        _("A liaison gets the questionnaire of their own member state (%(state)s).")
                        % {"state": own}
                    ]
                }
            )
        attrs["member_state"] = named or MemberState.objects.get(pk=own)
        return attrs


class QuestionnaireUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The questionnaire as exported (XLSX or CSV), filled in. At most "
        "QUESTIONNAIRE_MAX_BYTES (10 MB unless configured otherwise)."
    )


class QuestionnaireUploadQuerySerializer(QuerySerializer):
    dry_run = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Preview only: check every row and say what would change; write nothing.",
    )
    skip_conflicts = serializers.BooleanField(
        required=False,
        default=False,
        help_text="When some rows conflict (their follow-up changed since the export), apply "
        "the other rows and leave the conflicting ones as they are. Without it, a conflict "
        "stops the whole write (409).",
    )


# ---------------------------------------------------------------- the answer
# Shapes of the service's ImportResult (questionnaires/services.py); read-only.


def _status(help_text: str, *, blank: bool = False) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=Status.choices, allow_blank=blank, help_text=help_text)


def _answer(help_text: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=Answer.choices, allow_blank=True, help_text=help_text)


class _PlaceSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="The sheet's title, in the workbook's language.")
    row = serializers.IntegerField(help_text="The row number in that sheet.")
    report = serializers.CharField(help_text="The report's symbol.")
    label = serializers.CharField(help_text="The recommendation's label, e.g. `93(b)`.")


class QuestionnaireChangeSerializer(_PlaceSerializer):
    """A row whose answer changes the state's follow-up."""

    status_from = _status("Empty when there was no follow-up.", blank=True)
    status_to = _status("The status written.")
    response_from = _answer("Empty: no response.")
    response_to = _answer("Empty: no response.")
    created = serializers.BooleanField(help_text="A first follow-up of this recommendation.")


class QuestionnaireUnchangedSerializer(_PlaceSerializer):
    """A row whose answer is the follow-up as it is."""


class QuestionnaireActionSerializer(_PlaceSerializer):
    """A row of the new actions sheet."""

    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    description = serializers.CharField(allow_blank=True)
    evidence_url = serializers.CharField(allow_blank=True)
    already_recorded = serializers.BooleanField(
        help_text="The same action (date, kind, description) is on record already: not added again."
    )


class QuestionnaireConflictSerializer(_PlaceSerializer):
    """A row whose follow-up changed since the export, with an answer that differs from
    the current value: their answer and the current value side by side, never applied."""

    recommendation_id = serializers.IntegerField()
    their_status = _status("The row's answer.", blank=True)
    their_response = _answer("The row's answer.")
    current_status = _status("Now; empty when the follow-up was deleted since.", blank=True)
    current_response = _answer("Now.")
    exported_version = serializers.IntegerField(
        allow_null=True, help_text="The follow-up's version in the workbook (null: none then)."
    )
    current_version = serializers.IntegerField(
        allow_null=True, help_text="The follow-up's version now (null: none now)."
    )
    changed_by = serializers.CharField(
        allow_blank=True, help_text="Who made the last change on record (username)."
    )
    changed_at = serializers.DateTimeField(allow_null=True)
    changed_via = serializers.CharField(
        allow_blank=True, help_text="Through what: `api`, `admin`, `questionnaire FILE`…"
    )


class QuestionnaireProblemSerializer(serializers.Serializer):
    """Something wrong in the workbook, and where."""

    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True, help_text="The column's title; may be empty.")
    message = serializers.CharField()


class QuestionnaireImportSerializer(serializers.Serializer):
    """What the workbook changes (or changed), row by row."""

    name = serializers.CharField(help_text="The uploaded file's name.")
    state = serializers.CharField(help_text="The member state of the workbook (ISO3).")
    language = serializers.ChoiceField(choices=LANGUAGES)
    file_format = serializers.ChoiceField(choices=list(FILE_FORMATS), help_text="As recognised.")
    exported_at = serializers.CharField(help_text="When the workbook was exported (ISO 8601).")
    applied = serializers.BooleanField(
        help_text="True when written; false for a preview, or when nothing was written."
    )
    changes = QuestionnaireChangeSerializer(many=True)
    unchanged = QuestionnaireUnchangedSerializer(many=True)
    actions = QuestionnaireActionSerializer(many=True)
    conflicts = QuestionnaireConflictSerializer(many=True)
    problems = QuestionnaireProblemSerializer(many=True)


# ---------------------------------------------------------------- the views


class QuestionnairePermissions(TrackerPermissions):
    """As for every view (TrackerPermissions), and staff uploading a questionnaire write
    follow-ups (new ones and changes) and actions: the upload needs each permission."""

    UPLOAD = (("change", FollowUp), ("add", Action))

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method == "POST" and is_secretariat(request.user):
            for action, model in self.UPLOAD:
                name = permission_name(action, model)
                if not request.user.has_perm(name):
                    return self._allow(name)
        return True


_REFUSED = OpenApiResponse(
    ErrorSerializer,
    description="Authenticated, but not allowed: staff without the permissions, or an "
    "account neither liaison nor staff.",
)


class QuestionnaireDownloadView(APIView):
    permission_model = FollowUp  # staff: view (or change) follow-ups
    file_format = "xlsx"  # a key of FILE_FORMATS

    # Whatever the client accepts, a refusal is JSON (the only other renderer): a client
    # asking for the spreadsheet alone gets its 400 rather than a 406.
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def get(self, request):
        query = QuestionnaireQuerySerializer(
            data=request.query_params, context={"request": request}
        )
        query.is_valid(raise_exception=True)
        scope = query.validated_data
        member_state = scope["member_state"]
        language = scope.get("language") or (
            "zh" if (get_language() or "").startswith("zh") else "en"
        )
        now = timezone.now()
        data = questionnaire_export(
            member_state=member_state,
            language=language,
            report=scope["report"].symbol if "report" in scope else None,
            theme=scope["theme"].code if "theme" in scope else None,
            now=now,
            file_format=self.file_format,
        )
        media_type, extension = FILE_FORMATS[self.file_format]
        response = HttpResponse(data, content_type=media_type)
        name = f"questionnaire-{member_state.iso3}-{timezone.localdate(now).isoformat()}"
        response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
        return response


def _download_schema(file_format: str, *, described: str, body: OpenApiTypes):
    media_type, extension = FILE_FORMATS[file_format]
    return extend_schema(
        operation_id=f"questionnaire_{file_format}",
        tags=["questionnaire"],
        summary=f"A member state's questionnaire ({file_format.upper()})",
        description="One row per active recommendation in scope with the state's current "
        "status, response and last action, for a ministry to fill offline and upload back "
        f"(POST /api/v1/questionnaire/). {described} A liaison gets their own state's; "
        "staff name the member state.",
        parameters=[
            QuestionnaireQuerySerializer,
            OpenApiParameter(
                "Content-Disposition",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                required=True,
                description=f'`attachment; filename="questionnaire-ISO3-YYYY-MM-DD.{extension}"`.',
            ),
        ],
        responses={
            (200, media_type.split(";")[0]): OpenApiResponse(body, description=described),
            400: OpenApiResponse(
                description="An unknown report, theme or language, staff not naming the "
                "member state, or a liaison naming another."
            ),
            403: _REFUSED,
        },
    )


@extend_schema_view(
    get=_download_schema(
        "xlsx",
        described="An Excel workbook: status and response chosen from drop-down lists, new "
        "actions on a sheet of their own, everything else locked.",
        body=OpenApiTypes.BINARY,
    )
)
class QuestionnaireXlsxView(QuestionnaireDownloadView):
    file_format = "xlsx"


@extend_schema_view(
    get=_download_schema(
        "csv",
        described="One CSV file (UTF-8 with a byte order mark): the workbook's columns with "
        "the state first and one new action per row (repeat a row for a second action).",
        body=OpenApiTypes.STR,
    )
)
class QuestionnaireCsvView(QuestionnaireDownloadView):
    file_format = "csv"


class QuestionnaireUploadView(APIView):
    permission_model = FollowUp  # staff: add follow-ups (and QuestionnairePermissions.UPLOAD)
    permission_classes = [QuestionnairePermissions]
    liaisons_write = True
    parser_classes = [MultiPartParser]

    @staticmethod
    def max_body_bytes() -> int:
        """The largest body taken (middleware.py): the largest workbook and room for the
        multipart envelope. A workbook over QUESTIONNAIRE_MAX_BYTES within it is refused by
        the service, with the limit in its message."""
        return settings.QUESTIONNAIRE_MAX_BYTES + settings.API_MAX_BODY_BYTES

    @extend_schema(
        operation_id="questionnaire_upload",
        tags=["questionnaire"],
        summary="Upload a filled questionnaire: preview or apply it",
        description="The file as exported by GET /api/v1/questionnaire.xlsx (or .csv), "
        "filled in; the format is recognised. "
        "With `dry_run`, a preview: what would change, row by row, the rows unchanged, the "
        "new actions, conflicts and problems; nothing is written. Without it, every row is "
        "written in one transaction, with the history `questionnaire FILE`, or nothing is: "
        "a problem anywhere is a 400 (each listed under `file`), a conflict a 409 unless "
        "`skip_conflicts`. A liaison uploads their own state's workbook; staff upload any "
        "state's (the state is read from the workbook) and need the permissions to add and "
        "change follow-ups and to add actions.",
        request={"multipart/form-data": QuestionnaireUploadSerializer},
        parameters=[QuestionnaireUploadQuerySerializer],
        responses={
            200: OpenApiResponse(
                QuestionnaireImportSerializer,
                description="The preview (`applied` false), or the workbook applied "
                "(`applied` true; with `skip_conflicts`, the conflicts listed were left out).",
            ),
            400: OpenApiResponse(
                description="The file was refused (`file`: not a questionnaire, too large, "
                "another state's, tampered with, a formula), or applying it found problems "
                "(`file`: each problem with its sheet, row and column; nothing was written), "
                "or a query parameter is invalid."
            ),
            403: _REFUSED,
            409: OpenApiResponse(
                QuestionnaireImportSerializer,
                description="Rows conflict (their follow-up changed since the export): "
                "nothing was written. Settle them, or apply the others with `skip_conflicts`.",
            ),
            415: OpenApiResponse(
                ErrorSerializer,
                description="The body is not a multipart form (or its parts cannot be "
                "told apart): send the file as `multipart/form-data` in the field `file`.",
            ),
        },
    )
    def post(self, request):
        query = QuestionnaireUploadQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        options = query.validated_data
        try:
            form = QuestionnaireUploadSerializer(data=request.data)
        except SuspiciousOperation:  # too many fields or files, a form field too large
            raise ValidationError(
                {"detail": [_("The upload is not one file in the field “file”.")]}
            ) from None
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        user = request.user
        own = None if is_secretariat(user) else MemberState.objects.get(pk=member_state_of(user))
        try:
            result = questionnaire_import(
                data=upload.read(),
                name=upload.name,
                user=user,
                dry_run=options["dry_run"],
                skip_conflicts=options["skip_conflicts"],
                member_state=own,
            )
        except WorkbookRefused as refused:
            raise ValidationError({"file": [str(refused.problem)]}) from None
        if options["dry_run"] or result.applied:
            return Response(QuestionnaireImportSerializer(result).data)
        if result.problems:
            raise ValidationError({"file": [str(problem) for problem in result.problems]})
        return Response(QuestionnaireImportSerializer(result).data, status=status.HTTP_409_CONFLICT)
