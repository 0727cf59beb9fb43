"""Whether an API message is Chinese: it holds Chinese characters and no English word.

Quoted parts (the user's own values, codes and header names in “…” or '…') and a few
tokens that are the same in every language (YYYY-MM-DD, true/false/null, upper-case
abbreviations such as ID, JSON, UUID, ASCII, NUL, \\x00, field names with an underscore
such as ``as_of``, the API's paths such as ``/api/v1/persons/search``) are not words.
"""

from __future__ import annotations

import re
from typing import Any

_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTED = re.compile(r"“[^”]*”|‘[^’]*’|'[^']*'|\"[^\"]*\"|「[^」]*」|`[^`]*`")
_TOKENS = re.compile(
    r"\\x00|YYYY-MM-DD(THH:MM:SS)?|HH:MM:SS|\b(true|false|null)\b|\b[A-Z][A-Z0-9-]*\b"
    r"|\b[a-z0-9]+(_[a-z0-9]+)+\b|(/[\w{}.-]+)+/?"
)
_WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(message: str) -> list[str]:
    """The English words left in ``message`` once quoted parts and tokens are removed."""
    text = _TOKENS.sub(" ", _QUOTED.sub(" ", message))
    return _WORD.findall(text)


def is_chinese(message: str) -> bool:
    return bool(_CJK.search(message)) and not english_words(message)


def messages_of(body: Any) -> list[str]:
    """Every ``message`` of an API error body (the top one and each detail's)."""
    found = []
    if isinstance(body, dict):
        if isinstance(body.get("message"), str):
            found.append(body["message"])
        for detail in body.get("details") or []:
            if isinstance(detail, dict) and isinstance(detail.get("message"), str):
                found.append(detail["message"])
    return found


def assert_chinese_error(response: Any) -> None:
    """A 4xx answer is JSON whose every message is Chinese."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body, dict) and body.get("code"), body
    messages = messages_of(body)
    assert messages, body
    for message in messages:
        assert is_chinese(message), (message, english_words(message), body)
