"""Pinyin search keys for Chinese names (张三 → ``zhangsan``, ``zs``) via pypinyin.

Which readings a name is indexed under (issue 13: 王 was also indexed as ``yu``, 余 as
``tu`` and 莉 as ``chi``, so ``yc`` found 王莉 and most ``yu…`` hits were 王):

- the surname (one character, or a compound surname such as 欧阳) has its reading as a
  surname only: :data:`SURNAME_READINGS` where it differs from the character's usual
  reading (曾 → ``zeng``, 单 → ``shan``), else the usual reading (王 → ``wang``);
- each character of the given name has its usual reading (pypinyin's phrase-aware
  choice, ``heteronym=False``), never a rare one;
- a character of :data:`READ_BOTH_WAYS` — the short list of characters that really are
  read two ways in names — adds its other reading, so 单丽 is found under ``shanli`` and
  ``danli`` and 曾国华 under ``zengguohua`` and ``cengguohua``.

pypinyin has no surname mode of its own (mozillazg/python-pinyin issues 120 and 297),
hence the table. Name lists are ordered by :func:`sort_key` (``Person.name_sort``): the
first reading with its syllables apart (陈波 → ``chen bo``), so that names compare
syllable by syllable as in a dictionary — every 陈 (chen) before every 程 (cheng), which
the readings run together (``chenbo`` < ``chengchunyan`` < ``chenhua``) would not give.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

from pypinyin import Style, lazy_pinyin

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

# Characters really read two ways in names (people say 单 dān as often as shàn, write 乐
# as yuè or lè): both readings are indexed, wherever the character stands. Keep this
# list short: every entry doubles the keys of the names holding it.
READ_BOTH_WAYS: dict[str, tuple[str, str]] = {
    "单": ("shan", "dan"),
    "曾": ("zeng", "ceng"),
    "解": ("xie", "jie"),
    "仇": ("qiu", "chou"),
    "朴": ("piao", "pu"),
    "查": ("zha", "cha"),
    "区": ("ou", "qu"),
    "乐": ("yue", "le"),
    "覃": ("qin", "tan"),
    "盖": ("ge", "gai"),
    "尉": ("yu", "wei"),
}


def _keep_latin(chars: str) -> list[str]:
    return [c.lower() for c in chars if c.isascii() and c.isalnum()]


def _latin_word(chars: str) -> list[str]:
    """A run of Latin letters and digits as one word (``Anna`` → ``anna``)."""
    word = "".join(_keep_latin(chars))
    return [word] if word else []


def _usual(text: str, latin: Callable[[str], list[str]] = _keep_latin) -> list[str]:
    return lazy_pinyin(text, style=Style.NORMAL, errors=latin)


def _both(char: str, first: str) -> list[str]:
    """``first`` and, for a character of :data:`READ_BOTH_WAYS`, its other reading."""
    pair = READ_BOTH_WAYS.get(char)
    if pair is None:
        return [first]
    return [first, *(reading for reading in pair if reading != first)]


def surname_length(name: str) -> int:
    """Characters of the surname: 2 for a compound surname (欧阳明月), 1 for another
    Chinese name, 0 for a name not starting with a Chinese character (Anna)."""
    if not name or name[0].isascii() or not name[0].isalpha():
        return 0
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return 2
    return 1


def _readings(name: str, latin: Callable[[str], list[str]] = _keep_latin) -> list[list[str]]:
    """Readings per syllable: the surname's reading as a surname, the given name's
    usual readings, and the other reading of a character read both ways.

    ``latin`` turns a run of other characters into syllables (by default one per
    Latin letter or digit)."""
    length = surname_length(name)
    if length == 0:
        return [[reading] for reading in _usual(name, latin)]
    surname, given = name[:length], name[length:]
    result: list[list[str]]
    if length == 2:
        result = [[reading] for reading in _usual(surname, latin)]
    else:
        first = SURNAME_READINGS.get(surname) or next(iter(_usual(surname, latin)), "")
        result = [_both(surname, first)] if first else []
    usual = _usual(given, latin) if given else []
    if len(usual) == len(given):
        result.extend(_both(char, reading) for char, reading in zip(given, usual, strict=True))
    else:  # Latin letters or signs in the name: no character-by-character alternatives
        result.extend([reading] for reading in usual)
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


# Person.name_sort and PersonNameKey.sort_key hold at most this many characters.
SORT_KEY_LENGTH = 200


@functools.lru_cache(maxsize=65_536)
def sort_key(name: str) -> str:
    """The key name lists are ordered by: the first reading of :func:`search_keys` (the
    usual one, the surname read as a surname) with a space between the syllables, a run
    of Latin letters or digits as one word — 陈波 → ``chen bo``, 程春燕 → ``cheng chun
    yan``, 曾国华 → ``zeng guo hua``, ``Anna`` → ``anna``.

    The space sorts before every letter, so names compare syllable by syllable (every
    陈 before every 程). Cached: names repeat, and the bulk writers ask for many.
    """
    name = "".join(ch for ch in (name or "") if not ch.isspace())
    if not name:
        return ""
    syllables = [options[0] for options in _readings(name, _latin_word) if options]
    key = " ".join(syllables) if syllables else name.lower()
    return key[:SORT_KEY_LENGTH]


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
