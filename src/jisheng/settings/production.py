"""Production profile: HTTPS only, secure cookies, HSTS.

Use with DJANGO_SETTINGS_MODULE=jisheng.settings.production behind a TLS-terminating
proxy; it passes ``manage.py check --deploy`` with no warnings.
"""

from jisheng.settings.base import *  # noqa: F403
from jisheng.settings.env import env_bool, env_str

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("JISHENG_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env_str("JISHENG_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
