"""What a process loads to start: Django set up, the URLs resolved (a web worker, a
management command such as export_statuses) imports none of the heavy libraries that
only some requests need. openpyxl imports numpy and Pillow when they are installed
(matplotlib brings them), python-docx brings lxml: loaded at start, they cost every
process tens of megabytes (the export's memory row in `make bench`)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "PIL", "matplotlib", "openpyxl", "docx", "lxml")

PROBE = f"""
import json, sys, django
django.setup()
import tracker.urls
from django.urls import get_resolver
get_resolver().url_patterns
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""


def test_no_heavy_library_is_loaded_at_start():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings_test"}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == []
