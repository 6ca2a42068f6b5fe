"""Concurrent writers over real HTTP leave the coverage figures exact: liaisons of four
states create, change and delete follow-ups of the same recommendations at once (so that
"first follow-up" and "last follow-up" race), while staff change those recommendations'
themes; then coverage_rebuild --check finds no difference. On SQLite and PostgreSQL."""

import random
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

from recommendations.models import FollowUp, MemberState, Recommendation, Theme
from recommendations.selectors.coverage import coverage_by_theme
from recommendations.services.recommendations import recommendation_set_themes
from recommendations.services.tokens import liaison_create
from tests.api.test_concurrency import request
from tests.integration.shared import make_user

pytestmark = pytest.mark.django_db(transaction=True)

STATES = ["KEN", "BOL", "CHN", "FRA"]
STATUSES = ["not_started", "in_progress", "implemented", "not_implemented", "not_applicable"]


def liaison_work(base, key, recommendations, seed, errors):
    rng = random.Random(seed)
    try:
        for _ in range(12):
            rec = rng.choice(recommendations)
            code, _, listed = request(f"{base}/follow-ups/?recommendation={rec}", key)
            assert code == 200, listed
            rows = listed["results"] if isinstance(listed, dict) else listed
            if not rows:
                code, _, body = request(
                    f"{base}/follow-ups/",
                    key,
                    "POST",
                    {"recommendation": rec, "status": rng.choice(STATUSES)},
                )
                assert code in (201, 400), (code, body)
                continue
            url = f"{base}/follow-ups/{rows[0]['id']}/"
            code, headers, _ = request(url, key)
            if code == 404:
                continue
            if rng.random() < 0.3:
                code, _, body = request(url, key, "DELETE", if_match=headers["ETag"])
                assert code in (204, 404, 412), (code, body)
            else:
                status = rng.choice(STATUSES)
                code, _, body = request(
                    url, key, "PATCH", {"status": status}, if_match=headers["ETag"]
                )
                assert code in (200, 404, 412), (code, body)
    except BaseException as error:  # reported by the main thread
        errors.append(error)
    finally:
        connections.close_all()


def staff_work(recommendations, errors):
    rng = random.Random(7)
    themes = list(Theme.objects.order_by("code")[:3])
    staff = make_user("themer")
    try:
        for _ in range(6):
            rec = Recommendation.objects.get(pk=rng.choice(recommendations))
            chosen = rng.sample(themes, rng.randint(1, 2))
            recommendation_set_themes(recommendation=rec, themes=chosen, user=staff)
    except BaseException as error:
        errors.append(error)
    finally:
        connections.close_all()


def test_concurrent_writers_leave_the_figures_exact(live_server, reference_data):
    call_command("import_seeds", stdout=StringIO())
    recommendations = list(
        Recommendation.objects.filter(is_withdrawn=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )[:4]
    keys = []
    for iso3 in STATES:
        state = MemberState.objects.get(iso3=iso3)
        keys.append(liaison_create(username=f"liaison-{iso3}", member_state=state)[3])
    base = f"{live_server.url}/api/v1"
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=liaison_work, args=(base, key, recommendations, n, errors))
        for n, key in enumerate(keys)
    ]
    threads.append(threading.Thread(target=staff_work, args=(recommendations, errors)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert FollowUp.objects.count() > 0  # the writers did write
    assert FollowUp.history.filter(history_type="~").exists()
    call_command("coverage_rebuild", "--check", stdout=StringIO())
    assert coverage_by_theme() == coverage_by_theme(source="tables")
