"""Each ``JISHENG_*`` setting has its default in one place: ``jisheng.settings.base``.

Code reads ``settings.JISHENG_X`` directly; a ``getattr(settings, "JISHENG_X", default)``
would repeat (and, as the indicator connections' 1 against the settings' 4 showed, contradict)
the default, so the source is searched for one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "jisheng"

GETATTR = re.compile(r"getattr\(\s*(?:django\.conf\.)?settings\s*,\s*[\"'](JISHENG_\w+)[\"']")
READ = re.compile(r"\bsettings\.(JISHENG_[A-Z0-9_]+)\b")


def getattr_reads(text: str) -> list[str]:
    """The ``JISHENG_*`` names ``text`` reads with ``getattr(settings, …)``."""
    return GETATTR.findall(text)


def direct_reads(text: str) -> set[str]:
    return set(READ.findall(text))


def _sources() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "settings" not in p.relative_to(SRC).parts[:1]]


def test_the_search_finds_a_getattr_with_a_default() -> None:
    bad = "x = int(getattr(settings, \"JISHENG_FOO\", 3))\ny = getattr(\n  settings, 'JISHENG_BAR')"
    assert getattr_reads(bad) == ["JISHENG_FOO", "JISHENG_BAR"]
    assert getattr_reads("x = settings.JISHENG_FOO") == []
    assert direct_reads("x = settings.JISHENG_FOO + settings.DEBUG") == {"JISHENG_FOO"}


def test_no_code_repeats_a_settings_default_with_getattr() -> None:
    offenders = [
        f"{path.relative_to(SRC)}: {name}"
        for path in _sources()
        for name in getattr_reads(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "read settings.JISHENG_X; its default lives in settings/base.py"


def test_every_setting_the_code_reads_has_its_default_in_base() -> None:
    base = sys.modules["jisheng.settings.base"]
    names = set()
    for path in _sources():
        names |= direct_reads(path.read_text(encoding="utf-8"))
    assert names, "the search found no settings.JISHENG_ read at all"
    missing = sorted(name for name in names if not hasattr(base, name))
    assert missing == [], f"settings read by the code without a default in base.py: {missing}"
