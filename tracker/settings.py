"""Settings, read from the environment.

DATABASE_URL  database (default: SQLite file db.sqlite3 beside manage.py)
SECRET_KEY    required unless DEBUG is on
DEBUG         1/true/yes to enable debug mode (default off)
ALLOWED_HOSTS comma-separated host names (default: localhost names)
CACHE_DIR     directory of a cache shared by the server's processes (default: none,
              each process keeps its own in memory)
AXES_FAILURE_LIMIT  failed admin logins before a lockout (default 5)
AXES_COOLOFF_HOURS  length of a lockout in hours (default 1)
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
EMAIL_USE_SSL, EMAIL_TIMEOUT, DEFAULT_FROM_EMAIL
              the SMTP server send_reminders mails through, Django's own settings
              (default: localhost:25, no login, no TLS, 30 s timeout,
              tracker@localhost)
SITE_URL      the address the links in e-mails start with (default
              http://127.0.0.1:8000)
REMINDER_THRESHOLDS  days from a due date at which liaisons are reminded,
              comma-separated (default -30,0,30: a month before, on the day, a month
              after)
REMINDER_LOCK_FILE   the lock that keeps two send_reminders runs apart (default
              var/send_reminders.lock)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for local development)."
        )
    SECRET_KEY = "insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "recommendations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "recommendations.api.middleware.ApiBodySizeLimitMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# Database: DATABASE_URL, defaulting to the embedded SQLite file.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock instead of failing with
    # "database is locked": WAL journal, IMMEDIATE transactions, busy timeout.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file, not memory, so that live-server threads write concurrently for real.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_SQLITE_PATH", str(BASE_DIR / "var" / "test.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "recommendations" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Where import_seeds looks for the source reports.
SEEDS_DIR = Path(os.environ.get("SEEDS_DIR", BASE_DIR / "seeds"))

# The admin's "Import reports" page keeps uploaded files here between the preview and
# the import (per user and batch), and deletes batches older than this many seconds.
IMPORT_UPLOAD_DIR = Path(os.environ.get("IMPORT_UPLOAD_DIR", BASE_DIR / "var" / "import-uploads"))
IMPORT_UPLOAD_MAX_AGE = int(os.environ.get("IMPORT_UPLOAD_MAX_AGE", 6 * 60 * 60))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "level": os.environ.get("LOG_LEVEL", "INFO"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
SIMPLE_HISTORY_REVERT_DISABLED = True  # history is an audit trail: writes go through services

CSRF_FAILURE_VIEW = "recommendations.api.errors.csrf_failure"

# Security -------------------------------------------------------------------------------
# Production (DEBUG off) is HTTPS-only by default. For a production-like run on plain HTTP
# on your own machine (`make serve`), set HTTPS_ONLY=0.
HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS_ONLY else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Login limits (django-axes) on the admin's login form. After AXES_FAILURE_LIMIT failures
# an account is locked from the address that failed (username + address), and an address
# is locked for every account; each further attempt during the lockout restarts it. A
# successful login before the limit resets the count. The API's tokens are not passwords
# and never go through this. The client address is REMOTE_ADDR (django-ipware is not
# installed): behind a reverse proxy every client has the proxy's address.
# Unlock: `manage.py axes_reset_username NAME`, `axes_reset_ip ADDRESS` or `axes_reset`.
AXES_ENABLED = True
AXES_ONLY_ADMIN_SITE = True
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(hours=float(os.environ.get("AXES_COOLOFF_HOURS", 1)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# The connection's address, or behind the proxy the one it forwards (tracker/client_ip.py).
AXES_CLIENT_IP_CALLABLE = "tracker.client_ip.client_ip"

# Content Security Policy (django-csp): scripts only from this site; no CDN anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The admin and Swagger UI set some inline style attributes.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# REST API ---------------------------------------------------------------------------
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", 64 * 1024))
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", 365))
# A liaison's coverage figures that count the follow-ups of fewer than this many other
# member states are withheld (selectors.coverage.suppress_small_numbers).
COVERAGE_MIN_OTHER_STATES = int(os.environ.get("COVERAGE_MIN_OTHER_STATES", 3))

# Questionnaire workbooks (recommendations/questionnaires/): the largest file accepted, and
# the most its zip may hold once uncompressed (checked before opening: zip bombs).
QUESTIONNAIRE_MAX_BYTES = int(os.environ.get("QUESTIONNAIRE_MAX_BYTES", 10 * 1024 * 1024))
QUESTIONNAIRE_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("QUESTIONNAIRE_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
)

# Mail: send_reminders (services/reminders.py) sends digests through Django's SMTP
# backend, configured with Django's own names. EMAIL_TIMEOUT bounds each exchange with
# the server, so that a server that stops answering fails the digest, not the run.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL are both set; set one (STARTTLS, usually port 587, "
        "or implicit TLS, usually port 465)."
    )
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", 30))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")
# Links in e-mails (the recommendation, the questionnaire, the opt-out page) start here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def _reminder_thresholds(value: str) -> list[int]:
    try:
        days = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        days = []
    if not days or any(abs(day) > 3650 for day in days):
        raise ImproperlyConfigured(
            "REMINDER_THRESHOLDS: expected comma-separated whole numbers of days from the due "
            f"date between -3650 and 3650, e.g. -30,0,30; got {value!r}."
        )
    return days


# Days from a due date at which a liaison is reminded of a recommendation (negative:
# before it). Each threshold is sent once per liaison, recommendation and member state.
REMINDER_THRESHOLDS = _reminder_thresholds(os.environ.get("REMINDER_THRESHOLDS", "-30,0,30"))
REMINDER_LOCK_FILE = Path(
    os.environ.get("REMINDER_LOCK_FILE", BASE_DIR / "var" / "send_reminders.lock")
)

# The cache holds the API's per-token throttle counters. Django's default cache lives in
# each process's memory, so every server worker would count on its own; CACHE_DIR (a
# directory, relative to the project) shares the counters between the workers of one
# host through Django's file-based cache. `make serve` sets it.
if CACHE_DIR := os.environ.get("CACHE_DIR", "").strip():
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / CACHE_DIR),
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "recommendations.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["recommendations.api.permissions.TrackerPermissions"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "recommendations.api.renderers.StaffBrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "recommendations.api.pagination.StableLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["recommendations.api.throttling.PerTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_THROTTLE_RATE", "600/min")},
    "DEFAULT_SCHEMA_CLASS": "recommendations.api.schema.TrackerAutoSchema",
    "EXCEPTION_HANDLER": "recommendations.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Recommendation tracker API",
    "DESCRIPTION": (
        "Member-state liaisons read the recommendations of UN reports and log their own "
        "country's follow-up and actions; secretariat staff, as their permissions allow.\n\n"
        "Authenticate with the header `Authorization: Token <key>` (not Bearer: with "
        'openapi-python-client, `AuthenticatedClient(base_url=..., token=key, prefix="Token")`).'
        "\n\nFollow-ups and actions are conditional: reads and writes return the object's "
        "`ETag`; PUT, PATCH and DELETE need it back as `If-Match` (none: 428; stale: 412, "
        "with the current ETag); a GET with `If-None-Match` naming it is 304.\n\n"
        "Every 400 is a `ValidationError`: each refused field or parameter with a list of "
        "reasons. Ids are whole numbers (digits 0-9) from 1 to 2**63-1."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "recommendations.api.schema.non_empty_query_strings",
        "recommendations.api.schema.integer_ids",
        "recommendations.api.schema.operation_links",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "recommendations.choices.Status",
        "ResponseEnum": "recommendations.choices.Response",
        "ActionKindEnum": "recommendations.choices.ActionKind",
    },
}
