"""The secretariat's admin, with the seed reports imported."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations import roles
from recommendations.choices import ActionKind, Status
from recommendations.models import (
    Action,
    FollowUp,
    MemberState,
    Report,
)
from recommendations.services import follow_ups as services
from tests.forms import form_data
from tests.integration.shared import SEED_2017, make_follow_up, make_user, rec

pytestmark = pytest.mark.django_db


def changelist(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def labels_of(response):
    return [obj.label for obj in response.context["cl"].result_list]


# Permissions -------------------------------------------------------------------------


def test_liaison_user_cannot_reach_the_admin(client, seeds):
    user = make_user("liaison", staff=False, group=roles.LIAISON)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get("/admin/recommendations/followup/").status_code == 302


def test_staff_cannot_manage_users_but_superusers_can(client, staff, seeds):
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/recommendations/liaison/add/").status_code == 403
    assert client.get("/admin/recommendations/recommendation/").status_code == 200
    admin = make_user("root", superuser=True)
    client.force_login(admin)
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get("/admin/recommendations/liaison/add/").status_code == 200


def test_roles_exist_with_their_permissions():
    secretariat = Group.objects.get(name=roles.SECRETARIAT)
    codenames = set(secretariat.permissions.values_list("codename", flat=True))
    assert {"add_followup", "change_followup", "add_action", "change_recommendation"} <= codenames
    assert not any(code.endswith(("_user", "_group", "_permission")) for code in codenames)
    assert "add_liaison" not in codenames
    assert not Group.objects.get(name=roles.LIAISON).permissions.exists()


# Lists, filters, search ---------------------------------------------------------------


def test_report_list_counts(client, staff, seeds):
    make_follow_up(rec("93(b)"), "KEN")
    response = changelist(client, "/admin/recommendations/report/")
    reports = {r.symbol: r for r in response.context["cl"].result_list}
    first = reports[SEED_2017]
    assert (first.active_count, first.withdrawn_count, first.follow_up_count) == (31, 0, 1)
    assert reports["003_7ddf46dbc9508426.txt"].active_count == 0
    html = response.content.decode()
    assert "联合国毒品和犯罪问题办公室的活动" in html


def test_report_detail_shows_metadata_and_recommendations_in_order(client, staff, seeds):
    report = Report.objects.get(symbol=SEED_2017)
    response = client.get(f"/admin/recommendations/report/{report.pk}/change/")
    html = response.content.decode()
    assert "执行主任" in html and "E/CN.7/2017/1" in html and "第六十届会议" in html
    positions = [html.index(f"<p>{label}</p>") for label in ("93(a)", "93(f)", "94(a)", "99(c)")]
    assert positions == sorted(positions)


def test_recommendation_list_in_document_order(client, staff, seeds):
    response = changelist(
        client,
        "/admin/recommendations/recommendation/",
        report__id__exact=Report.objects.get(symbol=SEED_2017).pk,
    )
    assert labels_of(response)[:8] == [
        "93(a)",
        "93(b)",
        "93(c)",
        "93(d)",
        "93(e)",
        "93(f)",
        "94(a)",
        "94(b)",
    ]
    assert response.context["cl"].result_count == 31


def test_recommendation_filters(client, staff, seeds):
    url = "/admin/recommendations/recommendation/"
    make_follow_up(rec("93(b)"), "KEN", Status.IMPLEMENTED)
    make_follow_up(rec("94(a)"), "BOL", Status.IN_PROGRESS)
    count = lambda **params: changelist(client, url, **params).context["cl"].result_count  # noqa: E731
    assert count() == 39
    assert count(themes__id__exact=theme_id("drugs")) == 6
    assert count(themes__id__exact=theme_id("corruption")) == 9
    assert count(bodies__id__exact=body_id("CND")) == 6 + 5 + 6 + 3  # 93, 97-99
    assert count(has_follow_up="yes") == 2
    assert count(has_follow_up="no") == 37
    assert count(status="implemented") == 1
    assert labels_of(changelist(client, url, status="in_progress")) == ["94(a)"]
    assert count(is_withdrawn__exact="0") == 39


def test_search_chinese_substring_and_label(client, staff, seeds):
    url = "/admin/recommendations/recommendation/"
    assert labels_of(changelist(client, url, q="艾滋病")) == ["93(b)"]
    assert labels_of(changelist(client, url, q="93(b)")) == ["93(b)"]
    assert set(labels_of(changelist(client, url, q="野生动植物"))) == {"94(f)", "97(e)"}


def test_follow_up_list_shows_unverified_claims_and_who_verified(client, staff, seeds):
    liaison_user = make_user("kenya", staff=False)
    claim = services.follow_up_create(
        recommendation=rec("93(b)"),
        member_state=MemberState.objects.get(iso3="KEN"),
        status=Status.IMPLEMENTED,
        user=liaison_user,
    )
    assert claim.verified_at is None
    url = "/admin/recommendations/followup/"
    response = changelist(client, url, verification="unverified")
    assert [f.pk for f in response.context["cl"].result_list] == [claim.pk]
    assert "unverified claim" in response.content.decode()
    services.follow_up_verify(follow_up=claim, user=staff)
    response = changelist(client, url, verification="verified")
    assert "verified by officer" in response.content.decode()
    assert changelist(client, url, verification="unverified").context["cl"].result_count == 0


# Edits through the admin ----------------------------------------------------------------


def test_editing_themes_makes_them_manual_and_keeps_history(client, staff, seeds):
    target = rec("93(b)")
    url = f"/admin/recommendations/recommendation/{target.pk}/change/"
    data = form_data(client.get(url).content.decode(), "recommendation_form")
    data["chosen_themes"] = [str(theme_id("drugs")), str(theme_id("criminal-justice"))]
    data["text"] = [target.text + "（已修订）"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    target.refresh_from_db()
    assert target.themes_overridden
    assert sorted((link.theme.code, link.source) for link in target.theme_links.all()) == [
        ("criminal-justice", "manual"),
        ("drugs", "manual"),
    ]
    assert target.text.endswith("（已修订）")
    latest = target.history.first()
    assert latest.history_user == staff and latest.history_change_reason == "admin"
    history = client.get(f"/admin/recommendations/recommendation/{target.pk}/history/")
    assert "（已修订）" in history.content.decode()


def test_logging_a_follow_up_with_an_action_through_the_admin(client, staff, seeds):
    target = rec("93(b)")
    url = f"/admin/recommendations/recommendation/{target.pk}/change/"
    data = form_data(client.get(url).content.decode(), "recommendation_form")
    data.update(
        {
            "follow_ups-TOTAL_FORMS": ["1"],
            "follow_ups-0-member_state": ["KEN"],
            "follow_ups-0-status": [Status.IN_PROGRESS],
            "follow_ups-0-response": ["accepted"],
            "follow_ups-0-recommendation": [str(target.pk)],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    follow_up = FollowUp.objects.get(recommendation=target)
    assert (follow_up.member_state_id, follow_up.status, follow_up.response) == (
        "KEN",
        "in_progress",
        "accepted",
    )
    assert follow_up.created_by == staff and follow_up.history.get().history_user == staff

    url = f"/admin/recommendations/followup/{follow_up.pk}/change/"
    data = form_data(client.get(url).content.decode(), "followup_form")
    data.update(
        {
            "status": [Status.IMPLEMENTED],
            "actions-0-date": ["2026-01-31"],
            "actions-0-kind": [ActionKind.POLICY],
            "actions-0-description": ["肯尼亚通过了国家艾滋病毒战略"],
            "actions-0-evidence_url": ["https://example.org/kenya"],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    follow_up.refresh_from_db()
    assert follow_up.status == Status.IMPLEMENTED
    assert follow_up.verified_by == staff  # staff entries are verified by the staff member
    action = Action.objects.get(follow_up=follow_up)
    assert action.created_by == staff and action.history.get().history_user == staff
    history = client.get(
        f"/admin/recommendations/followup/{follow_up.pk}/history/"
    ).content.decode()
    assert "肯尼亚通过了国家艾滋病毒战略" in history
    assert "in_progress" in history or "In progress" in history


def test_future_action_dates_are_refused_in_the_admin(client, staff, seeds):
    follow_up = make_follow_up(rec("93(b)"), "KEN")
    url = f"/admin/recommendations/followup/{follow_up.pk}/change/"
    data = form_data(client.get(url).content.decode(), "followup_form")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    data.update(
        {
            "actions-0-date": [tomorrow.isoformat()],
            "actions-0-kind": [ActionKind.POLICY],
            "actions-0-description": ["future"],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not Action.objects.exists()


def test_bulk_mark_verified_and_export_csv(client, staff, seeds):
    liaison_user = make_user("kenya", staff=False)
    claims = [
        services.follow_up_create(
            recommendation=rec(label),
            member_state=MemberState.objects.get(iso3="KEN"),
            status=Status.IMPLEMENTED,
            user=liaison_user,
        )
        for label in ("93(a)", "93(b)")
    ]
    url = "/admin/recommendations/recommendation/"
    response = client.post(
        url,
        {"action": "mark_verified", "_selected_action": [rec("93(a)").pk, rec("94(a)").pk]},
    )
    assert response.status_code == 302
    claims[0].refresh_from_db()
    claims[1].refresh_from_db()
    assert claims[0].verified_by == staff and claims[0].version == 2
    assert claims[1].verified_at is None
    assert claims[0].history.first().history_user == staff

    response = client.post(
        url, {"action": "export_csv", "_selected_action": [rec("93(b)").pk, rec("99(c)").pk]}
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeffreport,label,recommendation_id,themes")
    lines = body.strip().splitlines()
    assert len(lines) == 3
    assert lines[1].startswith(f"{SEED_2017},93(b),{rec('93(b)').pk},drugs,3.3,no,1,1,")


# Language -------------------------------------------------------------------------------


def test_admin_in_chinese(client, staff, seeds):
    response = client.get("/admin/recommendations/recommendation/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert "建议执行情况跟踪系统" in html
    assert "有后续行动" in html and "后续行动状态" in html
    assert "未开始" in html and "已执行" in html  # status filter choices
    assert "有效处理和应对世界毒品问题" in html  # theme names in the active language


def test_language_switcher_sets_chinese(client, staff, seeds):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert response.status_code == 302
    assert "建议执行情况跟踪系统" in client.get("/admin/").content.decode()


# Query budgets -------------------------------------------------------------------------


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/recommendations/recommendation/",
        "/admin/recommendations/followup/",
        "/admin/recommendations/report/",
        "/admin/recommendations/action/",
    ],
)
def test_list_pages_use_a_constant_number_of_queries(client, staff, seeds, path, monkeypatch):
    for label in ("93(a)", "93(b)", "94(a)", "95(a)", "96(a)", "97(a)"):
        for iso3 in ("KEN", "BOL", "CHN"):
            follow_up = make_follow_up(rec(label), iso3)
            add_action(follow_up)
    from django.contrib import admin

    model_admin = next(
        ma for m, ma in admin.site._registry.items() if path.endswith(f"/{m._meta.model_name}/")
    )
    monkeypatch.setattr(model_admin, "list_per_page", 3)
    few = queries_for(client, path)
    monkeypatch.setattr(model_admin, "list_per_page", 100)
    many = queries_for(client, path)
    assert few == many


# Helpers ---------------------------------------------------------------------------------


def theme_id(code):
    from recommendations.models import Theme

    return Theme.objects.get(code=code).pk


def body_id(code):
    from recommendations.models import Body

    return Body.objects.get(code=code).pk


def add_action(follow_up):
    return services.action_create(
        follow_up=follow_up,
        user=None,
        date=datetime.date(2026, 1, 15),
        kind=ActionKind.LEGISLATION,
        description="已通过相关立法",
    )


def test_every_message_is_translated_to_chinese():
    from pathlib import Path

    po = (
        Path(__file__).resolve().parents[2] / "recommendations/locale/zh_Hans/LC_MESSAGES/django.po"
    )
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    blocks = text.split("\n\n")[1:]
    untranslated = [b for b in blocks if b.rstrip().endswith('msgstr ""')]
    assert untranslated == []


def test_failure_in_the_middle_of_a_bulk_action_leaves_the_data_unchanged(
    client, staff, seeds, monkeypatch
):
    liaison_user = make_user("kenya", staff=False)
    claims = [
        services.follow_up_create(
            recommendation=rec(label),
            member_state=MemberState.objects.get(iso3="KEN"),
            status=Status.IMPLEMENTED,
            user=liaison_user,
        )
        for label in ("93(a)", "93(b)", "93(c)")
    ]
    real_verify = services.follow_up_verify
    calls = {"n": 0}

    def failing_verify(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("connection lost")
        return real_verify(**kwargs)

    monkeypatch.setattr(services, "follow_up_verify", failing_verify)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        client.post(
            "/admin/recommendations/recommendation/",
            {"action": "mark_verified", "_selected_action": [c.recommendation_id for c in claims]},
        )
    assert calls["n"] == 2
    for claim in claims:
        claim.refresh_from_db()
        assert claim.verified_at is None and claim.version == 1
        assert claim.history.count() == 1
