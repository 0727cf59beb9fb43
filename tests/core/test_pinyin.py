"""Pinyin search keys of names: full readings and initials, polyphonic surnames."""

import pytest

from jisheng.core.pinyin import MAX_VARIANTS, given_name, lookup_keys, search_keys, sort_key


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


# --------------------------------------------------------------------------- issue 13 item 21


def keys(name: str) -> set[str]:
    return set(lookup_keys(name))


def starts(prefix: str, name: str) -> bool:
    return any(key.startswith(prefix) for key in keys(name))


def test_rare_readings_are_not_indexed():
    # 王 is never yu, 莉 never chi, 余 never tu, 于 never wei/xu
    assert search_keys("王莉") == ("wangli", "wl")
    assert not starts("yc", "王莉") and starts("wl", "王莉")
    assert not starts("yu", "王莉") and not starts("yu", "王芳")
    assert search_keys("余华") == ("yuhua", "yh")
    assert search_keys("于丽") == ("yuli", "yl")


@pytest.mark.parametrize(
    ("name", "first", "other"),
    [
        ("曾国华", "zengguohua", "cengguohua"),
        ("单丽", "shanli", "danli"),
        ("解放", "xiefang", "jiefang"),
        ("仇红", "qiuhong", "chouhong"),
        ("朴美", "piaomei", "pumei"),
        ("查强", "zhaqiang", "chaqiang"),
        ("区明", "ouming", "quming"),
        ("乐平", "yueping", "leping"),
        ("覃芳", "qinfang", "tanfang"),
        ("盖军", "gejun", "gaijun"),
        ("尉兰", "yulan", "weilan"),
    ],
)
def test_surnames_read_both_ways_keep_both_with_the_surname_reading_first(name, first, other):
    assert search_keys(name)[0].split() == [first, other]


def test_other_surnames_have_their_surname_reading_only():
    assert search_keys("翟林")[0] == "zhailin"
    assert search_keys("长孙无忌")[0] == "zhangsunwuji"
    assert search_keys("尉迟恭")[0] == "yuchigong"  # a compound surname: one reading


def test_given_names_have_their_usual_reading_only():
    assert search_keys("李强") == ("liqiang", "lq")  # not jiang
    assert search_keys("张重阳")[0].split() == ["zhangchongyang"]  # phrase-aware
    assert search_keys("刘乐")[0].split() == ["liule", "liuyue"]  # 乐 is read both ways


# --- sort_key: the order of name lists (issue 13 item 21) -----------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("陈波", "chen bo"),
        ("程春燕", "cheng chun yan"),
        ("陈华", "chen hua"),
        ("曾国华", "zeng guo hua"),  # the surname's reading, the first of the two
        ("单丽", "shan li"),
        ("欧阳明月", "ou yang ming yue"),
        ("王 小", "wang xiao"),  # spaces typed in the name do not count
        ("Anna", "anna"),  # a run of Latin letters is one word
        ("张Anna", "zhang anna"),
        ("李2号", "li 2 hao"),
        ("", ""),
        ("   ", ""),
        ("·", "·"),  # nothing to read: the name itself
    ],
)
def test_sort_key_separates_the_syllables_of_the_usual_reading(name, key):
    assert sort_key(name) == key


def test_sort_key_is_the_first_reading_of_search_keys():
    for name in ["陈波", "单丽", "曾国华", "乐乐", "欧阳明月", "覃解"]:
        assert sort_key(name).replace(" ", "") == search_keys(name)[0].split()[0]


def test_sort_key_orders_by_syllable_not_by_the_readings_run_together():
    names = ["程春燕", "陈华", "陈波", "白雪", "安娜", "张三", "Anna", "Bob", "白"]
    # run together, chengchunyan falls between chenbo and chenhua
    assert sorted(["程春燕", "陈华", "陈波"], key=lambda n: search_keys(n)[0]) == [
        "陈波",
        "程春燕",
        "陈华",
    ]
    assert sorted(names, key=sort_key) == [
        "安娜",
        "Anna",
        "白",
        "白雪",
        "Bob",
        "陈波",
        "陈华",
        "程春燕",
        "张三",
    ]


def test_sort_key_fits_the_column():
    assert len(sort_key("庄" * 50)) == 200
