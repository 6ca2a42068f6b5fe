"""Two liaisons' clients PATCH the same follow-up with the same ETag, over real HTTP:
exactly one wins (200), the other gets 412 — on SQLite and on PostgreSQL."""

import json
import threading
import urllib.error
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command

from recommendations.models import FollowUp, MemberState, Recommendation
from recommendations.services import follow_ups as services
from recommendations.services.tokens import liaison_create

pytestmark = pytest.mark.django_db(transaction=True)


def request(url, key, method="GET", body=None, if_match=None):
    headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
    if if_match:
        headers["If-Match"] = if_match
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def test_two_concurrent_patches_with_the_same_etag_one_wins(live_server, reference_data):
    call_command("import_seeds", stdout=StringIO())
    kenya = MemberState.objects.get(iso3="KEN")
    user, _, _, key = liaison_create(username="nairobi", member_state=kenya)
    follow_up = services.follow_up_create(
        recommendation=Recommendation.objects.get(label="93(b)"), member_state=kenya, user=user
    )
    url = f"{live_server.url}/api/v1/follow-ups/{follow_up.pk}/"
    statuses = ["in_progress", "implemented", "not_implemented", "not_applicable"]
    for round_number in range(8):
        _, headers, before = request(url, key)
        etag = headers["ETag"]
        barrier = threading.Barrier(2)
        results = {}

        def patch(name, status, etag=etag, barrier=barrier, results=results):
            barrier.wait()
            results[name] = (status, request(url, key, "PATCH", {"status": status}, etag))

        # Two real changes (a PATCH that changes nothing is a no-op, not a conflict).
        choices = [status for status in statuses if status != before["status"]]
        wanted = choices[round_number % 3], choices[(round_number + 1) % 3]
        threads = [
            threading.Thread(target=patch, args=(f"t{i}", status))
            for i, status in enumerate(wanted)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        codes = sorted(result[1][0] for result in results.values())
        assert codes == [200, 412], (
            round_number,
            before["status"],
            before["version"],
            {k: (v[0], v[1][0], v[1][2].get("version")) for k, v in results.items()},
        )
        winner = next(status for status, result in results.values() if result[0] == 200)
        loser = next(result for _, result in results.values() if result[0] == 412)
        current = FollowUp.objects.get(pk=follow_up.pk)
        assert current.status == winner
        assert current.version == before["version"] + 1
        assert loser[1]["ETag"] == f'"followup-{follow_up.pk}-v{current.version}"'
    assert FollowUp.objects.get(pk=follow_up.pk).history.count() == 9  # created + 8 wins
