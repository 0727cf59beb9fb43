"""Pinyin search keys for Chinese names (张三 → ``zhangsan``, ``zs``) via pypinyin.

Each character's usual reading (pypinyin's phrase-aware choice) comes first; a
polyphonic character adds its second reading, up to a few variants, so a name such as
单丽 is found under both ``danli`` and ``shanli``.
"""

from __future__ import annotations

import itertools

from pypinyin import Style, lazy_pinyin, pinyin

MAX_VARIANTS = 4

# Surnames whose reading differs from the character's usual one (百家姓).
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "秘": "bi",
    "繁": "po",
    "覃": "qin",
    "员": "yun",
    "翟": "zhai",
    "尉": "yu",
    "长": "zhang",
    "万": "wan",
    "召": "shao",
    "冼": "xian",
    "折": "she",
    "种": "chong",
    "都": "du",
    "藏": "zang",
}


def _keep_latin(chars: str) -> list[str]:
    return [c.lower() for c in chars if c.isascii() and c.isalnum()]


def _readings(name: str) -> list[list[str]]:
    """Readings per character: the usual reading first, then one alternative."""
    first = lazy_pinyin(name, style=Style.NORMAL, errors=_keep_latin)
    heteronyms = pinyin(name, style=Style.NORMAL, heteronym=True, errors=_keep_latin)
    if len(first) != len(heteronyms):
        return [[reading] for reading in first]
    if name[0] in SURNAME_READINGS:
        first[0] = SURNAME_READINGS[name[0]]
    result: list[list[str]] = []
    for index, options in enumerate(heteronyms):
        preferred = first[index]
        ordered = [preferred] + [o for o in options if o != preferred]
        result.append(ordered[:2])
    return result


def search_keys(name: str) -> tuple[str, str]:
    """``(full, initials)``: space-separated variants, lower-case ASCII, no tones."""
    name = "".join(ch for ch in (name or "") if not ch.isspace())
    if not name:
        return "", ""
    readings = _readings(name)
    if not readings:
        return name.lower(), name.lower()
    fulls: list[str] = []
    initials: list[str] = []
    for combo in itertools.islice(itertools.product(*readings), MAX_VARIANTS):
        full = "".join(combo)
        init = "".join(part[:1] for part in combo)
        if full not in fulls:
            fulls.append(full)
        if init not in initials:
            initials.append(init)
    return " ".join(fulls), " ".join(initials)
