#!/usr/bin/env python
"""Load test: 16 concurrent liaisons against gunicorn on 127.0.0.1, for a bounded time.

    DATABASE_URL=... .venv/bin/python bench/load.py [--clients 16] [--duration 20]

Without DATABASE_URL it uses a fresh SQLite file in a temporary directory (the embedded
default, WAL mode). `make load` runs it on SQLite, then on a throwaway PostgreSQL server.

Each liaison mixes reads (recommendation lists with filters, its follow-ups) and
conditional updates (GET the follow-up, PATCH it with If-Match; a 412 is a lost race,
retried, not an error). Two liaisons share each member state, so their updates collide.
At the end every successful PATCH must be reflected in the final state: the follow-up's
version is 1 + the number of 200 PATCHes on it, and its history has one record per write.
Prints requests, errors, conflicts, p50/p95/p99 latency and lost updates, and checks
that the maintained coverage figures still equal the base tables (coverage_rebuild --check).
"""

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATES = ["KEN", "BOL", "CHN", "FRA", "BRA", "IND", "MEX", "NGA"]
STATUSES = ["in_progress", "implemented", "not_implemented", "not_applicable", "not_started"]
LABELS = ["93(a)", "93(b)", "94(a)", "95(a)"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict) -> dict:
    """Migrate, import the seeds, create liaisons and their follow-ups. Returns tokens."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connections

    from recommendations.models import MemberState, Recommendation
    from recommendations.services import follow_ups
    from recommendations.services.tokens import liaison_create

    call_command("migrate", verbosity=0)
    call_command("import_seeds", stdout=StringIO())
    liaisons = []
    for iso3 in STATES:
        state = MemberState.objects.get(iso3=iso3)
        ids = []
        for number in range(2):
            user, _, _, key = liaison_create(
                username=f"{iso3.lower()}-{number}", member_state=state
            )
            liaisons.append({"state": iso3, "key": key})
        for label in LABELS:
            follow_up = follow_ups.follow_up_create(
                recommendation=Recommendation.objects.get(
                    report__symbol__startswith="001", label=label
                ),
                member_state=state,
                user=user,
            )
            ids.append(follow_up.pk)
        for liaison in liaisons[-2:]:
            liaison["follow_ups"] = ids
    connections.close_all()
    return {"liaisons": liaisons}


class Client:
    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.key = key
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, body=None, if_match=None):
        headers = {"Authorization": f"Token {self.key}", "Content-Type": "application/json"}
        if if_match:
            headers["If-Match"] = if_match
        data = json.dumps(body) if body is not None else None
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                return response.status, response.getheader("ETag"), payload
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def worker(port, liaison, deadline, results, seed):
    rng = random.Random(seed)
    client = Client(port, liaison["key"])
    latencies, codes, wins = [], Counter(), Counter()
    errors = []
    themes = ["drugs", "organized-crime", "corruption", "finance"]

    def timed(method, path, body=None, if_match=None):
        start = time.perf_counter()
        try:
            status, etag, payload = client.call(method, path, body, if_match)
        except Exception as error:  # a failed request is an error, not a crash
            errors.append(repr(error))
            return None, None, None
        latencies.append(time.perf_counter() - start)
        codes[status] += 1
        if status >= 500 or status not in {200, 201, 412}:
            errors.append(f"{method} {path} -> {status}: {payload[:200]!r}")
        return status, etag, payload

    while time.monotonic() < deadline:
        if rng.random() < 0.5:
            if rng.random() < 0.5:
                timed("GET", f"/api/v1/recommendations/?limit=20&theme={rng.choice(themes)}")
            else:
                timed("GET", "/api/v1/follow-ups/?limit=50")
            continue
        follow_up = rng.choice(liaison["follow_ups"])
        path = f"/api/v1/follow-ups/{follow_up}/"
        status, etag, payload = timed("GET", path)
        if status != 200:
            continue
        current = json.loads(payload)["status"]
        new = rng.choice([s for s in STATUSES if s != current])
        status, _, _ = timed("PATCH", path, {"status": new}, etag)
        if status == 200:
            wins[follow_up] += 1
    results.append({"latencies": latencies, "codes": codes, "wins": wins, "errors": errors})


def verify(env: dict, wins: Counter) -> list[str]:
    """Every 200 PATCH is in the final state: version and history count."""
    from django.db import connections

    from recommendations.models import FollowUp

    connections.close_all()
    problems = []
    for follow_up in FollowUp.objects.filter(pk__in=list(wins) or [0]):
        expected = 1 + wins[follow_up.pk]
        if follow_up.version != expected:
            problems.append(
                f"follow-up {follow_up.pk}: version {follow_up.version}, expected {expected}"
            )
        if follow_up.history.count() != expected:
            problems.append(
                f"follow-up {follow_up.pk}: {follow_up.history.count()} history records, "
                f"expected {expected}"
            )
    return problems


def figures_check() -> list[str]:
    """The maintained coverage figures equal the base tables after the run (what
    `coverage_rebuild --check` compares)."""
    from recommendations.services.coverage_figures import figures_differences

    return [f"coverage figures: {line}" for line in figures_differences()]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="tracker-load-")
    env = {
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "HTTPS_ONLY": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_RATE": "1000000/min",
        "LOG_LEVEL": "ERROR",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{scratch}/load.sqlite3",
    }
    database = env["DATABASE_URL"].split(":", 1)[0]
    fixtures = prepare(env)
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "tracker.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        liaisons = fixtures["liaisons"][: args.clients]
        results: list[dict] = []
        deadline = time.monotonic() + args.duration
        started = time.monotonic()
        threads = [
            threading.Thread(target=worker, args=(port, liaison, deadline, results, n))
            for n, liaison in enumerate(liaisons)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    latencies = [value for result in results for value in result["latencies"]]
    codes = sum((result["codes"] for result in results), Counter())
    wins = sum((result["wins"] for result in results), Counter())
    errors = [error for result in results for error in result["errors"]]
    lost = verify(env, wins)
    stale = figures_check()
    rows = [
        ("database", database),
        ("clients", len(results)),
        ("duration (s)", f"{elapsed:.1f}"),
        ("requests", len(latencies)),
        ("requests/s", f"{len(latencies) / elapsed:.0f}"),
        ("errors", len(errors)),
        ("updates won (200)", sum(wins.values())),
        ("conflicts (412)", codes[412]),
        ("p50 (ms)", f"{statistics.median(latencies) * 1000:.1f}" if latencies else "-"),
        ("p95 (ms)", f"{percentile(latencies, 0.95) * 1000:.1f}"),
        ("p99 (ms)", f"{percentile(latencies, 0.99) * 1000:.1f}"),
        ("lost updates", len(lost)),
        ("coverage figures differing from the base tables", len(stale)),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for message in (errors + lost + stale)[:10]:
        print("  !", message)
    return 1 if errors or lost or stale else 0


if __name__ == "__main__":
    sys.exit(main())
