"""Base settings, read from the environment with safe defaults.

JISHENG_DATABASE_URL   database URL (default: SQLite file ./var/jisheng.sqlite3)
JISHENG_SECRET_KEY     secret key (default: generated once into ./var/secret_key)
JISHENG_DEBUG          true/false (default false)
JISHENG_ALLOWED_HOSTS  comma-separated host names (default 127.0.0.1,localhost)
JISHENG_VAR_DIR        data directory (default ./var)
JISHENG_FIELD_KEYS     Fernet key(s) for personal fields (default: ./var/field_key, generated
                       only while the database is empty)
JISHENG_LOOKUP_KEY     key of the ID-number look-up hash (default: ./var/lookup_key, likewise)
JISHENG_API_TOKEN_DAYS days a token from POST /api/v1/auth/token is valid (default 30)
JISHENG_IMPORT_MAX_ROWS  largest Excel sheet accepted by an import (default 50000 rows)
JISHENG_IMPORT_MAX_MB    largest Excel file accepted by an import (default 20 MB)
JISHENG_PG_JIT         PostgreSQL JIT for this connection: on/off (default off)
JISHENG_REDIS_URL      redis://… : the shared cache in Redis (needs the redis package)
JISHENG_CACHE_URL      the same, or locmem:// (one process only), dummy:// (none), db://
                       (default: a table of the database, shared by every process)
JISHENG_DASHBOARD_REFRESH_MINUTES  minutes between two refreshes of the dashboard's
                       figures by `jisheng worker` (default 5; 0 = off)
JISHENG_DASHBOARD_CACHE_SECONDS    figures of a running period kept (default 300; 0 = none)
JISHENG_DASHBOARD_CLOSED_CACHE_SECONDS  figures of an ended period kept (default 21600)
JISHENG_TRUSTED_PROXIES  reverse proxies whose X-Forwarded-For is believed (default none)
JISHENG_PDF_CONCURRENCY  PDFs printed at once (default 2); JISHENG_PDF_WAIT_SECONDS (15),
                       JISHENG_PDF_CACHE_SECONDS (7 days), JISHENG_PDF_SLOT_DIR (./var/pdf-slots)
JISHENG_CHROMIUM       the Chromium that prints PDFs (default /usr/bin/chromium)
JISHENG_PUBLIC_URL     the site address in certificates' QR codes (default: the request's)
JISHENG_MIN_SAMPLE     smallest denominator a rate is shown for on the dashboard (default 5)
JISHENG_INDICATOR_CONNECTIONS  PostgreSQL connections one computation of the indicators
                       of a whole tree uses at once (default 4; 1 = one query after another)
JISHENG_INSTANCE_ID    this system's id in the two-way notification exchange (default
                       "jisheng"; give each system a name unique among those it exchanges with)
JISHENG_EXCHANGE_KEY_FILE  its Ed25519 signing key (default ./var/exchange_key, generated on
                       first use, never committed)
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from jisheng.settings.env import (
    env_bool,
    env_list,
    env_str,
    key_from_file,
    private_files,
    secret_from_file,
    var_dir,
)

# The database, keys, uploads and logs this process creates are private (0600/0700).
private_files()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()

SECRET_KEY = env_str("JISHENG_SECRET_KEY") or secret_from_file("secret_key")
# Keys that encrypt personal fields (ID numbers) at rest: the first encrypts, all decrypt
# (rotation: put the new key first). Comma-separated Fernet keys, or ./var/field_key.
# Losing it loses the ID numbers: back it up apart from the database. Keys are generated
# only for an empty database; a start with a missing or different key is refused
# (jisheng.core.keycheck).
JISHENG_FIELD_KEYS = env_list("JISHENG_FIELD_KEYS", []) or [
    key for key in [key_from_file("field_key")] if key
]
# Key of the keyed hash that finds a person by ID number; changing it needs a re-hash.
JISHENG_LOOKUP_KEY = env_str("JISHENG_LOOKUP_KEY") or key_from_file("lookup_key")
DEBUG = env_bool("JISHENG_DEBUG", False)
ALLOWED_HOSTS = env_list("JISHENG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("JISHENG_CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "jisheng.core.views_errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "ninja",  # serves the API docs' Swagger UI files locally (no CDN)
    "django_tables2",
    "django_filters",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "jisheng.core",
    "jisheng.orgs",
    "jisheng.people",
    "jisheng.policy",
    "jisheng.services",
    "jisheng.migrants",
    "jisheng.certificates",
    "jisheng.leave",
    "jisheng.floating",
    "jisheng.exchange",
    "jisheng.benefits",
    "jisheng.commodities",
    "jisheng.indicators",
    "jisheng.reports",
    "jisheng.reporting",
    "jisheng.quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jisheng.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jisheng.core.keycheck.KeyCheckMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jisheng.core.middleware.LanguageMiddleware",
    "jisheng.core.middleware_input.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view says otherwise
    # (``login_not_required``: the login page, /healthz, the language switch, the API —
    # which authenticates by token — and the favicon).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "jisheng.orgs.middleware.WorkingUnitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jisheng.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jisheng.urls"
WSGI_APPLICATION = "jisheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jisheng.core.context_processors.shell",
            ],
            # cn_date / cn_datetime in every template: one date style (2026年12月7日)
            "builtins": ["jisheng.core.templatetags.cn"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("JISHENG_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jisheng.sqlite3'}",
        conn_max_age=60,
        # A kept connection that the server lost (restart, failover, a terminated
        # backend) is tested before a request reuses it, instead of answering 500.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and a worker share the file safely;
    # IMMEDIATE transactions serialise writers instead of failing on upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation cost ~1 s per grouped indicator query on 1,000,000 persons and won
    # nothing back (benchmarks/indicators.py); JISHENG_PG_JIT=on restores it.
    # random_page_cost: the server's default (4) prices a random read as on a spinning
    # disk, so for a township's few thousand rows PostgreSQL preferred scanning a whole
    # county table to probing an index unit by unit (the worklist's people away: 50 ms
    # against 7 ms at 1,000,000 persons, benchmarks/floating_worklist.py). 1.1 is the
    # value usual for SSDs; JISHENG_PG_RANDOM_PAGE_COST sets another.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "options",
        f"-c jit={env_str('JISHENG_PG_JIT') or 'off'}"
        f" -c random_page_cost={env_str('JISHENG_PG_RANDOM_PAGE_COST') or '1.1'}",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 8 idle hours (every request renews) and when the browser closes.
SESSION_COOKIE_AGE = int(env_str("JISHENG_SESSION_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is
# believed; empty: the direct peer is the client. Read by jisheng.core.clientip.client_ip,
# the one source of the client's address for the audit log and the lockout below.
JISHENG_TRUSTED_PROXIES = env_list("JISHENG_TRUSTED_PROXIES", [])

# Lockout after repeated failed logins (django-axes): 5 failures of one username
# from one address lock that pair for 30 minutes (never the username alone: behind a
# proxy the address is the client's, see JISHENG_TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "jisheng.core.clientip.client_ip"
AXES_FAILURE_LIMIT = int(env_str("JISHENG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_PAGE_RANGE = 6

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("JISHENG_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

JISHENG_SITE_TITLE = _("Population and Family Planning Work")
# Items per page in lists and in the API.
JISHENG_PAGE_SIZE = 50
JISHENG_API_MAX_PAGE_SIZE = 500
# Births up to this order are "within policy" — a statistic only (SPEC §0). The
# policy-pack issue replaces this with the policy in force on the birth date.
JISHENG_POLICY_BIRTH_LIMIT = int(env_str("JISHENG_POLICY_BIRTH_LIMIT", "3"))
# Days a token from POST /api/v1/auth/token stays valid.
JISHENG_API_TOKEN_DAYS = int(env_str("JISHENG_API_TOKEN_DAYS", "30"))
# Excel imports: largest sheet (data rows) and file (MB) accepted. The kinds of
# `jisheng import KIND FILE.xlsx` and of the import page are registered by their apps
# (jisheng.core.registry.register_importer).
JISHENG_IMPORT_MAX_ROWS = int(env_str("JISHENG_IMPORT_MAX_ROWS", "50000"))
JISHENG_IMPORT_MAX_BYTES = int(env_str("JISHENG_IMPORT_MAX_MB", "20")) * 1024 * 1024

# Background tasks (django-tasks, the backport of Django 6's tasks API): the database
# backend queues them and `jisheng db_worker` runs them (JISHENG_TASKS_BACKEND may name
# another backend). Excel imports of the registry run there; an upload of at most
# JISHENG_IMPORT_INLINE_KB kilobytes (about 2,500 persons) runs at once on the
# "immediate" backend, in the request.
TASKS = {
    "default": {
        "BACKEND": env_str("JISHENG_TASKS_BACKEND") or "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    },
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
JISHENG_IMPORT_INLINE_BYTES = int(env_str("JISHENG_IMPORT_INLINE_KB", "256")) * 1024

# The cache shared by every process of the installation — the web server's and
# `jisheng worker`'s, which keeps the dashboard's figures warm: by default a table of the
# database (created by `migrate`), no extra service; JISHENG_REDIS_URL (or
# JISHENG_CACHE_URL=redis://…) puts it in Redis. Only the dashboard uses it.
CACHE_TABLE = "jisheng_cache"
CACHE_MAX_ENTRIES = 50000


def cache_settings(url: str = "") -> dict:
    """``CACHES`` for a cache URL: redis:// or rediss:// (Redis), locmem:// (this
    process only), dummy:// (nothing kept); empty or db:// (a table of the database)."""
    scheme = url.split("://", 1)[0].lower() if url else "db"
    if scheme in ("redis", "rediss", "unix"):
        default = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "jisheng",
        }
    elif scheme in ("db", "database"):
        default = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": CACHE_MAX_ENTRIES},
        }
    elif scheme == "locmem":
        default = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    elif scheme == "dummy":
        default = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"JISHENG_CACHE_URL: unknown cache {url!r}")
    return {"default": default}


CACHES = cache_settings(env_str("JISHENG_REDIS_URL") or env_str("JISHENG_CACHE_URL"))
# The dashboard: figures of a running period (and worklist counts) are cached this many
# seconds, those of an ended period longer; `jisheng worker` recomputes the current
# quarter's every JISHENG_DASHBOARD_REFRESH_MINUTES (0 = off) so pages read them warm.
JISHENG_DASHBOARD_CACHE_SECONDS = int(env_str("JISHENG_DASHBOARD_CACHE_SECONDS", "300"))
JISHENG_DASHBOARD_CLOSED_CACHE_SECONDS = int(
    env_str("JISHENG_DASHBOARD_CLOSED_CACHE_SECONDS", str(6 * 3600))
)
JISHENG_DASHBOARD_REFRESH_MINUTES = int(env_str("JISHENG_DASHBOARD_REFRESH_MINUTES", "5"))
# The indicator engine runs the grouped queries of a whole tree on this many PostgreSQL
# connections at once (outside a transaction; SQLite: one after another).
JISHENG_INDICATOR_CONNECTIONS = max(1, int(env_str("JISHENG_INDICATOR_CONNECTIONS", "4")))
# PDFs (jisheng.core.pdf): at most this many headless Chromiums print at once on the
# machine; a request waits this long for a free one (then 503); a document's PDF is kept
# in the cache this long unless its data changes first (a change makes a new key).
JISHENG_PDF_CONCURRENCY = max(1, int(env_str("JISHENG_PDF_CONCURRENCY", "2")))
JISHENG_PDF_WAIT_SECONDS = float(env_str("JISHENG_PDF_WAIT_SECONDS", "15"))
JISHENG_PDF_CACHE_SECONDS = int(env_str("JISHENG_PDF_CACHE_SECONDS", str(7 * 86400)))
# The headless Chromium that prints PDFs.
JISHENG_CHROMIUM = env_str("JISHENG_CHROMIUM", "/usr/bin/chromium")
# Directory of the PDF render slots' lock files (empty: VAR_DIR/pdf-slots).
JISHENG_PDF_SLOT_DIR = env_str("JISHENG_PDF_SLOT_DIR", "")
# Certificates (jisheng.certificates.pdf / verification): the site address printed in
# the QR code of a certificate (<site>/verify/<code>; empty: the address of the request,
# outside a request http://127.0.0.1:8000) and the public verification page's limit of
# look-ups per client IP address and window.
JISHENG_PUBLIC_URL = env_str("JISHENG_PUBLIC_URL", "").rstrip("/")
JISHENG_VERIFY_LIMIT = max(1, int(env_str("JISHENG_VERIFY_LIMIT", "30")))
JISHENG_VERIFY_WINDOW_SECONDS = max(1, int(env_str("JISHENG_VERIFY_WINDOW_SECONDS", "600")))
# The dashboard shows a rate only for a denominator of at least this many cases (an
# indicator may set its own minimum; 0: always shown).
JISHENG_MIN_SAMPLE = int(env_str("JISHENG_MIN_SAMPLE", "5"))

# Two-way notification (issue 17): this system's id in the messages it signs, and its
# Ed25519 private key (generated into the var dir on first use; the public key is given
# to the other systems with `jisheng exchange key --out FILE`).
JISHENG_INSTANCE_ID = env_str("JISHENG_INSTANCE_ID", "jisheng")
JISHENG_EXCHANGE_KEY_FILE = env_str("JISHENG_EXCHANGE_KEY_FILE") or str(VAR_DIR / "exchange_key")
