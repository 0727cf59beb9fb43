"""Issue 13 item 11: a Content-Security-Policy on every response, and no inline script,
handler or style attribute left in the templates or in HTML written by Python (the
browser test tests/browser/test_csp.py loads the pages with the policy enforced)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from jisheng.core.csp import HEADER, policy

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "jisheng"
TEMPLATES = PACKAGE / "templates"
REQUIRED = (
    "default-src 'self'",
    "script-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)


def directives(value: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in value.split(";")
        if part.strip()
    }


def test_the_policy_has_every_directive():
    value = policy()
    for directive in REQUIRED:
        assert directive in value
    assert directives(value)["style-src"] == "'self'"
    assert "unsafe-inline" not in value and "unsafe-eval" not in value


@pytest.mark.parametrize(
    "url", ["/login/", "/", "/no/such/page/", "/api/v1/openapi.json", "/static/x.css"]
)
def test_every_response_carries_the_policy(client, users, url):
    client.force_login(users.office)
    response = client.get(url)
    assert HEADER in response, url
    for directive in REQUIRED:
        assert directive in response[HEADER]


def test_a_print_page_allows_its_own_style_block_by_nonce_only(client, users):
    client.force_login(users.office)
    response = client.get(reverse("reports:dashboard_print"))
    assert response.status_code == 200
    value = directives(response[HEADER])["style-src"]
    nonce = re.search(r"'nonce-([^']+)'", value).group(1)
    assert f'<style nonce="{nonce}">' in response.content.decode()


def _template_files():
    return sorted(TEMPLATES.rglob("*.html"))


def test_no_inline_script_or_handler_in_templates():
    found = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            if 'type="application/json"' not in match.group(0):
                found.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            found.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
        if "javascript:" in text:
            found.append(f"{path.relative_to(TEMPLATES)}: javascript:")
    assert not found, found


def test_no_style_attribute_and_no_style_block_without_nonce():
    found = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<[a-zA-Z][^<>]*\sstyle=\"", text):
            found.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)[:60]}")
        for match in re.finditer(r"<style(?:\s[^>]*)?>", text):
            if "csp_nonce" not in match.group(0):
                found.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert not found, found


def test_no_inline_script_handler_or_style_in_html_written_by_python():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script", r"\bon(click|change|submit|input|load)=", r"javascript:"):
            if re.search(pattern, text):
                found.append(f"{path.relative_to(PACKAGE)}: {pattern}")
        if re.search(r"""["']style["']\s*:|\bstyle=\\?["'](?!\w+\.)""", text):
            found.append(f"{path.relative_to(PACKAGE)}: style")
    assert not found, found
