"""Pinyin search keys of names: full readings and initials, polyphonic surnames."""

import pytest

from jisheng.core.pinyin import MAX_VARIANTS, given_name, lookup_keys, search_keys


def variants(name: str) -> tuple[list[str], list[str]]:
    full, initials = search_keys(name)
    return full.split(), initials.split()


def test_common_name():
    assert search_keys("张三") == ("zhangsan", "zs")


def test_three_character_name():
    assert search_keys("陈建国") == ("chenjianguo", "cjg")


@pytest.mark.parametrize(
    ("name", "usual", "other", "initials"),
    [
        ("单丽", "shanli", "danli", "sl"),  # 单 as a surname is shàn, not dān
        ("曾国华", "zengguohua", "cengguohua", "zgh"),  # 曾 as a surname is zēng
    ],
)
def test_polyphonic_surnames_read_as_surnames_first(name, usual, other, initials):
    fulls, inits = variants(name)
    assert fulls[0] == usual
    assert other in fulls
    assert inits[0] == initials


def test_surname_reading_applies_only_to_the_first_character():
    # 单 inside a given name keeps its usual reading first
    fulls, _ = variants("王单")
    assert fulls[0] == "wangdan"


def test_latin_letters_are_kept_lower_case():
    assert search_keys("Anna") == ("anna", "anna")
    full, initials = search_keys("李A")
    assert full == "lia"
    assert initials == "la"


def test_whitespace_inside_a_name_is_ignored():
    assert search_keys(" 张 三 ") == search_keys("张三")


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_empty_input(empty):
    assert search_keys(empty) == ("", "")


def test_keys_are_plain_ascii_without_tones():
    for name in ("吕丽", "女娲", "绿萍", "张三丰"):
        full, initials = search_keys(name)
        assert full.isascii() and initials.isascii()
        assert full == full.lower()
    assert search_keys("吕丽")[0].split()[0] == "lvli"  # ü is written v


def test_number_of_variants_is_bounded():
    fulls, inits = variants("行长重朝")
    assert 1 <= len(fulls) <= MAX_VARIANTS
    assert len(inits) <= MAX_VARIANTS
    assert len(set(fulls)) == len(fulls)  # no duplicate variants


@pytest.mark.parametrize(
    ("name", "given"),
    [("张三", "三"), ("王建国", "建国"), ("欧阳明月", "明月"), ("欧阳", "阳"), ("李", ""),
     ("", ""), ("Anna", ""), (" 张 三 ", "三")],
)  # fmt: skip
def test_given_name(name, given):
    assert given_name(name) == given


def test_lookup_keys_are_readings_initials_and_given_name():
    assert lookup_keys("张三") == ["zhangsan", "zs", "三"]
    keys = lookup_keys("单丽")
    assert {"shanli", "danli", "sl", "dl", "丽"} <= set(keys)
    assert len(keys) == len(set(keys))  # no key twice


def test_lookup_keys_use_given_readings():
    assert lookup_keys("张三", "zhangsan", "zs") == lookup_keys("张三")
    assert lookup_keys("", "", "") == []
