"""The floor of the framework: bare Django views that answer the same API lists.

Same URL prefix (so the same middleware), same authentication (the project's
HashedTokenAuthentication, i.e. token_authenticate), same scope rule, the same rows and
the same JSON shape (count, next, previous, results) -- but no DRF view, filter set,
serializer, paginator, throttle or content negotiation: rows come from .values() and go
out through JsonResponse. Mounted by bench/urls.py under /api/v1/floor/ for the bench only.
"""

import datetime
from collections import defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.utils import timezone

from recommendations.api.authentication import HashedTokenAuthentication
from recommendations.models import (
    FollowUp,
    Recommendation,
    RecommendationText,
    RecommendationTheme,
)
from recommendations.scope import is_secretariat, member_state_of
from recommendations.selectors.deadlines import days_overdue, due_date_of

RECOMMENDATION_FIELDS = {
    "id": "id",
    "report": "report_id",
    "report_symbol": "report__symbol",
    "paragraph": "paragraph",
    "item": "item",
    "label": "label",
    "text": "text",
    "addressee": "addressee",
    "heading": "heading",
    "sdg_targets": "sdg_targets",
    "position": "position",
    "is_withdrawn": "is_withdrawn",
    "updated_at": "updated_at",
    "due_date": "due",
}

FOLLOW_UP_FIELDS = {
    "id": "id",
    "recommendation": "recommendation_id",
    "member_state": "member_state_id",
    "status": "status",
    "response": "response",
    "verified_at": "verified_at",
    "verified_by": "verified_by__username",
    "version": "version",
    "created_at": "created_at",
    "created_by": "created_by__username",
    "updated_at": "updated_at",
    "updated_by": "updated_by__username",
    "due_date": "due",
}


def _caller(request):
    """The token's user, or None (401). Same class the API uses."""
    result = HashedTokenAuthentication().authenticate(request)
    return None if result is None else result[0]


def _page(request) -> tuple[int, int]:
    limit = min(int(request.GET.get("limit", 50)), 200)
    offset = int(request.GET.get("offset", 0))
    return limit, offset


class _Encoder(DjangoJSONEncoder):
    """Times to the microsecond, as DRF writes them (DjangoJSONEncoder keeps
    milliseconds; a follow-up PATCHed through the API has microseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _json(count: int, results: list) -> JsonResponse:
    body = {"count": count, "next": None, "previous": None, "results": results}
    return JsonResponse(body, encoder=_Encoder, json_dumps_params={"ensure_ascii": False})


def _rename(row: dict, fields: dict[str, str]) -> dict:
    return {key: row[source] for key, source in fields.items()}


def recommendations(request):
    user = _caller(request)
    if user is None or not (is_secretariat(user) or member_state_of(user)):
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    limit, offset = _page(request)
    queryset = Recommendation.objects.annotate(due=due_date_of()).order_by(
        "report_id", "position", "id"
    )
    if "theme" in request.GET:
        queryset = queryset.filter(themes__code=request.GET["theme"])
    if "body" in request.GET:
        queryset = queryset.filter(bodies__code=request.GET["body"])
    count = queryset.count()
    fields = [*RECOMMENDATION_FIELDS.values(), "report__language"]
    rows = list(queryset.values(*fields)[offset : offset + limit])
    ids = [row["id"] for row in rows]
    translated = defaultdict(list)  # the language versions' languages, besides the original
    for rec_id, language in (
        RecommendationText.objects.filter(recommendation_id__in=ids)
        .order_by("language")
        .values_list("recommendation_id", "language")
    ):
        translated[rec_id].append(language)
    themes, bodies = defaultdict(list), defaultdict(list)
    for rec_id, code in (
        RecommendationTheme.objects.filter(recommendation_id__in=ids)
        .order_by("theme__position", "theme_id")
        .values_list("recommendation_id", "theme__code")
    ):
        themes[rec_id].append(code)
    for rec_id, code in (
        Recommendation.bodies.through.objects.filter(recommendation_id__in=ids)
        .order_by("body__code")
        .values_list("recommendation_id", "body__code")
    ):
        bodies[rec_id].append(code)
    results = []
    for row in rows:
        item = _rename(row, RECOMMENDATION_FIELDS)
        item["themes"] = themes[row["id"]]
        item["bodies"] = bodies[row["id"]]
        item["days_overdue"] = days_overdue(
            row["due"], timezone.localdate(), withdrawn=row["is_withdrawn"]
        )
        original = row["report__language"]  # no Accept-Language: the original's text
        item["text_language"] = original
        item["languages"] = [original, *(x for x in translated[row["id"]] if x != original)]
        results.append(item)
    return _json(count, results)


def follow_ups(request):
    user = _caller(request)
    if user is None:
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    queryset = FollowUp.objects.annotate(due=due_date_of("recommendation__")).order_by("id")
    if not is_secretariat(user):
        state = member_state_of(user)
        queryset = queryset.filter(member_state_id=state) if state else queryset.none()
    limit, offset = _page(request)
    count = queryset.count()
    results = []
    fields = [*FOLLOW_UP_FIELDS.values(), "recommendation__is_withdrawn"]
    for row in queryset.values(*fields)[offset : offset + limit]:
        item = _rename(row, FOLLOW_UP_FIELDS)
        item["verified"] = row["verified_at"] is not None
        item["days_overdue"] = days_overdue(
            row["due"],
            timezone.localdate(),
            status=row["status"],
            withdrawn=row["recommendation__is_withdrawn"],
        )
        results.append(item)
    return _json(count, results)
