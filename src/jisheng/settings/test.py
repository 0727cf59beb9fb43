"""Fast test settings. JISHENG_TEST_DATABASE_URL selects PostgreSQL instead of SQLite."""

from jisheng.settings.base import *  # noqa: F403
from jisheng.settings.base import DATABASES
from jisheng.settings.env import env_list, env_str

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEBUG = False
LANGUAGE_CODE = "zh-hans"

_test_url = env_str("JISHENG_TEST_DB_URL_ACTIVE")
if _test_url:
    import dj_database_url

    DATABASES["default"] = dj_database_url.parse(_test_url, conn_health_checks=True)
else:
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        "TEST": {"NAME": None},
    }
AXES_ENABLED = True
# Keys of the test process's own (the tests never read nor generate ./var's keys).
JISHENG_FIELD_KEYS = env_list("JISHENG_FIELD_KEYS", []) or [
    "x2Qk3PmB0Z7cYh1mYJx6v9m3b5Qv2rT1wWq8eN4uS0A="
]
JISHENG_LOOKUP_KEY = env_str("JISHENG_LOOKUP_KEY") or "jisheng-test-lookup-key"

# An existing, empty static root keeps whitenoise quiet; tests serve static files through
# the finders.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

STATIC_ROOT = Path(tempfile.gettempdir()) / "jisheng-test-static"
STATIC_ROOT.mkdir(exist_ok=True)
# Background tasks run at once, in the test's own transaction.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
# One process: the cache in memory; the dashboard's refresh jobs off (their tests turn
# them on), so the schedule holds only what a test registers or expects.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
JISHENG_DASHBOARD_REFRESH_MINUTES = 0

# A test app that plugs in only through jisheng.core.registry (issue 14 item 1): its menu
# item, grant, API router, importer, job, worklist source and pages appear with no edit
# to a central file (tests/core/test_registry.py).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.plugin_app"]  # noqa: F405
