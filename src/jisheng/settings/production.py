"""Production profile: HTTPS only, secure cookies, HSTS.

Use with DJANGO_SETTINGS_MODULE=jisheng.settings.production behind a TLS-terminating
proxy; it passes ``manage.py check --deploy`` with no warnings.

It refuses to start (``ImproperlyConfigured``, a message in Chinese and English) with a
weak or default secret key — shorter than 50 characters, fewer than 5 distinct
characters, Django's ``django-insecure-`` keys, the placeholders of the documentation
and the usual demo/dev values — and with ``*`` in ``JISHENG_ALLOWED_HOSTS``.
"""

import re

from django.core.exceptions import ImproperlyConfigured

from jisheng.settings.base import *  # noqa: F403
from jisheng.settings.base import ALLOWED_HOSTS, SECRET_KEY
from jisheng.settings.env import env_bool, env_str

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5
# Keys copied from an example, a demo or a development setting (matched anywhere in the
# key, case-insensitively; a generated random key contains none of these by chance).
_PLACEHOLDER = re.compile(
    r"django-insecure|insecure|change.?me|change.?this|placeholder|example|not.?secret|"
    r"secret.?key|(demo|dev|test|default).?(secret|key)|至少|随机|…",
    re.IGNORECASE,
)


def secret_key_problem(key: str) -> str:
    """Why ``key`` must not be used in production (``""``: it may)."""
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"它只有 {len(key)} 个字符,至少需要 {SECRET_KEY_MIN_LENGTH} 个 (it is too short)"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE:
        return (
            f"它只由不到 {SECRET_KEY_MIN_UNIQUE} 种字符组成 "
            f"(fewer than {SECRET_KEY_MIN_UNIQUE} distinct characters)"
        )
    if _PLACEHOLDER.search(key):
        return "它是示例、演示或开发用的默认值 (it is an example, demo or default value)"
    return ""


def check_production(*, secret_key: str, allowed_hosts: list[str]) -> None:
    """Raise :class:`ImproperlyConfigured` for a weak secret key or ``*`` in the hosts."""
    problem = secret_key_problem(secret_key)
    if problem:
        raise ImproperlyConfigured(
            f"生产配置拒绝启动:JISHENG_SECRET_KEY 太弱——{problem}。请设置至少 "
            f'{SECRET_KEY_MIN_LENGTH} 个随机字符(例如 python -c "import secrets; '
            'print(secrets.token_urlsafe(64))"),或删除该变量,由系统生成到 var/secret_key。 '
            "The production profile refuses a weak or default secret key."
        )
    if any(host.strip() == "*" for host in allowed_hosts):
        raise ImproperlyConfigured(
            "生产配置拒绝启动:JISHENG_ALLOWED_HOSTS 不能含 *,请列出本系统的域名"
            "(例如 jisheng.example.org)。 "
            "The production profile refuses ALLOWED_HOSTS containing '*'."
        )


check_production(secret_key=SECRET_KEY, allowed_hosts=ALLOWED_HOSTS)

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
