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


# Two-character surnames (复姓): the given name starts after them.
COMPOUND_SURNAMES = frozenset(
    (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "澹台",
        "公冶",
        "太史",
        "申屠",
        "闻人",
        "赫连",
        "万俟",
        "钟离",
        "左丘",
    )
)


def given_name(name: str) -> str:
    """The name without its surname (``张三`` → ``三``, ``欧阳明月`` → ``明月``); a name of
    one character, or of Latin letters, has none."""
    name = "".join(ch for ch in (name or "") if not ch.isspace())
    if len(name) < 2 or name.isascii():
        return ""
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[2:]
    return name[1:]


def lookup_keys(name: str, full: str | None = None, initials: str | None = None) -> list[str]:
    """Every string a search for ``name`` may start with: each full reading, each set of
    initials and the given name (``张三`` → ``zhangsan``, ``zs``, ``三``).

    ``full``/``initials`` are the name's :func:`search_keys` when the caller has them.
    """
    if full is None or initials is None:
        full, initials = search_keys(name)
    keys = dict.fromkeys([*full.split(), *initials.split()])
    given = given_name(name)
    if given:
        keys[given] = None
    return list(keys)
