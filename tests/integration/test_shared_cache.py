"""The API's per-token rate holds across server processes when CACHE_DIR is set.

Real processes, as gunicorn's workers are: each runs Django on its own, on one SQLite
database file, with the rate set to 3 requests a minute.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# One server process: two API requests with the token, their status codes printed.
WORKER = """
import sys
import django

django.setup()
from django.test import Client

client = Client(HTTP_AUTHORIZATION="Token " + sys.argv[1])
print(*(client.get("/api/v1/themes/").status_code for _ in range(2)))
"""


def run(args: list[str], tmp_path: Path, **env: str) -> str:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CACHE_DIR", "API_THROTTLE_RATE", "DEBUG"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="tracker.settings_test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        API_THROTTLE_RATE="3/min",
        **env,
    )
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_rate_holds_across_processes_with_a_shared_cache(tmp_path):
    run(["manage.py", "migrate", "--verbosity", "0"], tmp_path)
    key = run(["manage.py", "create_liaison", "kenya", "--state", "KEN"], tmp_path)
    key = key.splitlines()[-1]

    # Without CACHE_DIR each process counts on its own: 2 + 2 requests, all allowed.
    assert run(["-c", WORKER, key], tmp_path) == "200 200"
    assert run(["-c", WORKER, key], tmp_path) == "200 200"

    # With it, the second process sees the first one's two requests: 3 allowed in all.
    shared = str(tmp_path / "cache")
    assert run(["-c", WORKER, key], tmp_path, CACHE_DIR=shared) == "200 200"
    assert run(["-c", WORKER, key], tmp_path, CACHE_DIR=shared) == "200 429"
