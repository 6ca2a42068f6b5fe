"""Settings for the test suite: production settings, served over plain HTTP.

The test client and the live server speak HTTP, and static files come from the apps (no
collectstatic manifest). tests/integration/test_security.py checks the real settings.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from tracker.settings import *  # noqa: F403
from tracker.settings import STORAGES

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A fast hasher: the tests create and log in hundreds of accounts, and PBKDF2's million
# iterations cost about half a second each. Production keeps Django's default
# (tests/integration/test_security.py checks the real settings).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
