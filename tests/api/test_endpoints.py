"""One contract, every endpoint: list, detail, create, update, delete, permission denied,
another country's rows out of reach, and a constant number of queries from 1 to 50 rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations.choices import ActionKind, Status
from recommendations.models import (
    Action,
    FollowUp,
    MemberState,
    Recommendation,
    Report,
    Theme,
)
from recommendations.services import follow_ups as services

pytestmark = pytest.mark.django_db


def make_report(symbol="TEST/REPORT/1"):
    return Report.objects.create(
        symbol=symbol, source_file=f"{symbol}.txt", sha256="0" * 64, imported_at=timezone.now()
    )


def make_recommendations(n, symbol="TEST/REPORT/1"):
    report = make_report(symbol)
    recs = Recommendation.objects.bulk_create(
        Recommendation(
            report=report,
            paragraph=str(i),
            label=str(i),
            text=f"第{i}项建议：请会员国加强合作。",
            position=i,
        )
        for i in range(1, n + 1)
    )
    drugs = Theme.objects.get(code="drugs")
    for rec in recs:
        rec.theme_links.create(theme=drugs, source="rule")
    return recs


def make_follow_ups(n, iso3="KEN", user=None):
    state = MemberState.objects.get(iso3=iso3)
    return [
        services.follow_up_create(
            recommendation=rec, member_state=state, status=Status.IN_PROGRESS, user=user
        )
        for rec in make_recommendations(n, symbol=f"TEST/{iso3}/{Report.objects.count()}")
    ]


def make_actions(n, iso3="KEN"):
    follow_up = make_follow_ups(1, iso3)[0]
    return [
        services.action_create(
            follow_up=follow_up,
            user=None,
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
            kind=ActionKind.POLICY,
            description=f"措施 {i}",
        )
        for i in range(n)
    ]


class EndpointContract:
    path: str
    writable = False
    scoped = False

    def make_rows(self, n: int) -> list:
        raise NotImplementedError

    def detail_path(self, obj) -> str:
        return f"{self.path}{obj.pk}/"

    # Reading ------------------------------------------------------------------------

    def test_list(self, kenya):
        rows = self.make_rows(3)
        response = kenya.get(self.path, {"limit": 200})
        assert response.status_code == 200
        data = response.json()
        results = data["results"] if isinstance(data, dict) else data
        ids = {str(item.get("id", item.get("iso3"))) for item in results}
        assert {str(row.pk) for row in rows} <= ids

    def test_detail(self, kenya):
        row = self.make_rows(1)[0]
        response = kenya.get(self.detail_path(row))
        assert response.status_code == 200
        assert str(response.json().get("id", response.json().get("iso3"))) == str(row.pk)

    def test_permission_denied(self, anonymous, outsider):
        row = self.make_rows(1)[0]
        for path in (self.path, self.detail_path(row)):
            response = anonymous.get(path)
            assert response.status_code == 401
            assert response["WWW-Authenticate"] == "Token"
            assert outsider.get(path).status_code == 403
        bad = anonymous.get(self.path, HTTP_AUTHORIZATION="Token not-a-real-token")
        assert bad.status_code == 401 and bad.json()["detail"]

    def test_query_count_is_constant_from_1_to_50_rows(self, kenya):
        self.make_rows(1)
        kenya.get(self.path)  # warm up: the token's first use records last_used_at
        with CaptureQueriesContext(connection) as one:
            assert kenya.get(self.path, {"limit": 50}).status_code == 200
        self.make_rows(49)
        with CaptureQueriesContext(connection) as fifty:
            response = kenya.get(self.path, {"limit": 50})
        assert response.status_code == 200
        assert len(one) == len(fifty), [q["sql"] for q in fifty.captured_queries]

    # Writing ------------------------------------------------------------------------

    def test_create(self, kenya):
        if not self.writable:
            assert kenya.post(self.path, {}).status_code == 405
            return
        response = kenya.post(self.path, self.create_payload())
        assert response.status_code == 201, response.json()
        assert response["ETag"]

    def test_update(self, kenya):
        row = self.make_rows(1)[0]
        if not self.writable:
            assert kenya.patch(self.detail_path(row), {}).status_code == 405
            return
        etag = kenya.get(self.detail_path(row))["ETag"]
        response = kenya.patch(self.detail_path(row), self.update_payload(), if_match=etag)
        assert response.status_code == 200, response.json()
        assert response["ETag"] != etag

    def test_delete(self, kenya):
        row = self.make_rows(1)[0]
        if not self.writable:
            assert kenya.delete(self.detail_path(row)).status_code == 405
            return
        etag = kenya.get(self.detail_path(row))["ETag"]
        assert kenya.delete(self.detail_path(row), if_match=etag).status_code == 204
        assert kenya.get(self.detail_path(row)).status_code == 404

    def test_other_country_is_out_of_reach(self, kenya, bolivia):
        if not self.scoped:
            # Reference data: every liaison reads all of it, the same.
            row = self.make_rows(1)[0]
            assert (
                kenya.get(self.detail_path(row)).json() == bolivia.get(self.detail_path(row)).json()
            )
            return
        theirs = self.make_rows(1, iso3="BOL")[0]
        path = self.detail_path(theirs)
        etag = bolivia.get(path)["ETag"]
        assert kenya.get(path).status_code == 404
        assert kenya.patch(path, self.update_payload(), if_match=etag).status_code == 404
        assert kenya.put(path, self.update_payload(), if_match=etag).status_code == 404
        assert kenya.delete(path, if_match=etag).status_code == 404
        for params in ({}, {"member_state": "BOL"}, {"limit": 200}, {"q": "建议"}):
            results = kenya.get(self.path, params).json()["results"]
            assert theirs.pk not in {item["id"] for item in results}
        assert bolivia.get(path).status_code == 200


class TestReports(EndpointContract):
    path = "/api/v1/reports/"

    def make_rows(self, n, **_):
        return [make_report(f"TEST/R/{Report.objects.count()}/{i}") for i in range(n)]


class TestRecommendations(EndpointContract):
    path = "/api/v1/recommendations/"

    def make_rows(self, n, **_):
        return make_recommendations(n, symbol=f"TEST/REC/{Report.objects.count()}")


class TestThemes(EndpointContract):
    path = "/api/v1/themes/"

    def make_rows(self, n, **_):
        start = Theme.objects.count()
        return [
            Theme.objects.create(code=f"t{start + i}", name_zh="主题", name_en="Theme")
            for i in range(n)
        ]


class TestMemberStates(EndpointContract):
    path = "/api/v1/member-states/"

    def make_rows(self, n, **_):
        start = MemberState.objects.filter(iso3__startswith="Q").count()
        return [
            MemberState.objects.create(
                iso3=f"Q{start + i:02d}", name_en=f"Test {start + i}", name_zh=f"测试{start + i}"
            )
            for i in range(n)
        ]


class TestFollowUps(EndpointContract):
    path = "/api/v1/follow-ups/"
    writable = True
    scoped = True

    def make_rows(self, n, iso3="KEN"):
        return make_follow_ups(n, iso3)

    def create_payload(self):
        return {
            "recommendation": make_recommendations(1, "TEST/NEW")[0].pk,
            "status": "in_progress",
        }

    def update_payload(self):
        return {"status": "implemented", "response": "accepted"}


class TestActions(EndpointContract):
    path = "/api/v1/actions/"
    writable = True
    scoped = True

    def make_rows(self, n, iso3="KEN"):
        return make_actions(n, iso3)

    def create_payload(self):
        follow_up = FollowUp.objects.filter(member_state_id="KEN").first() or make_follow_ups(1)[0]
        return {
            "follow_up": follow_up.pk,
            "date": "2026-01-31",
            "kind": "legislation",
            "description": "议会通过了新的法律",
            "evidence_url": "https://example.org/law",
        }

    def update_payload(self):
        return {"description": "已修订的说明", "date": "2026-02-01", "kind": "policy"}


def test_every_api_endpoint_has_a_contract_test():
    from recommendations.api.urls import router

    tested = {cls.path for cls in EndpointContract.__subclasses__()}
    registered = {f"/api/v1/{prefix}/" for prefix, _, _ in router.registry}
    assert registered == tested


def test_action_rows_belong_to_the_follow_up_created():
    # make_actions really builds actions in one follow-up (guards the contract's data)
    actions = make_actions(2)
    assert Action.objects.filter(follow_up=actions[0].follow_up).count() == 2
