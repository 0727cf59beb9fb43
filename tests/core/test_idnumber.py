"""Resident ID numbers (GB 11643): every validation rule, normalising, masking, agreement."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from stdnum.cn import ric

from jisheng.core import idnumber
from tests import factories

D = dt.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def with_check(body17: str) -> str:
    """``body17`` completed with its right check character."""
    return body17 + ric.calc_check_digit(body17 + "0")


def rejected(value: str, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        idnumber.parse(value, **kwargs)
    return exc.value


def number_ending_in_x() -> str:
    for seq in range(1, 500):
        number = factories.id_number(D(1985, 3, 9), "F", seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no number with check character X")


# --------------------------------------------------------------------------- valid


def test_valid_number_gives_birth_date_sex_and_region():
    number = factories.id_number(D(1990, 5, 17), "F", 3)
    info = idnumber.parse(number)
    assert info.number == number
    assert info.birth_date == D(1990, 5, 17)
    assert info.sex == idnumber.FEMALE
    assert info.region == "110105"


def test_17th_digit_odd_is_male():
    number = factories.id_number(D(1979, 12, 31), "M", 8)
    assert int(number[16]) % 2 == 1
    assert idnumber.parse(number).sex == idnumber.MALE


def test_lower_case_x_is_normalised():
    number = number_ending_in_x()
    info = idnumber.parse(number[:-1] + "x")
    assert info.number == number
    assert idnumber.normalise(number.lower()) == number


def test_spaces_and_dashes_are_ignored():
    number = factories.id_number(D(1990, 5, 17), "F")
    spaced = f" {number[:6]} {number[6:14]}-{number[14:]} "
    assert idnumber.parse(spaced).number == number


# --------------------------------------------------------------------------- rules


def test_empty():
    assert rejected("").code == "empty"
    assert rejected("   ").code == "empty"
    assert rejected(None).code == "empty"


@pytest.mark.parametrize("value", ["11010519900517002", "1101051990051700212", "110105"])
def test_length(value):
    error = rejected(value)
    assert error.code == "length"
    assert f"this one has {len(value)}" in error.messages[0]


@pytest.mark.parametrize(
    "value",
    ["11010519900517002A", "A10105199005170021", "1101051990O5170021", "11010519900517X021"],
)
def test_format(value):
    assert rejected(value).code == "format"


@pytest.mark.parametrize(
    "body",
    [
        "11010519900231002",  # 31 February
        "11010519900230002",  # 30 February
        "11010519010229002",  # 29 February of a year that is not a leap year
        "11010519900431002",  # 31 April
        "11010519901301002",  # month 13
        "11010519900500002",  # day 0
        "11010519900001002",  # month 0
    ],
)
def test_impossible_dates(body):
    error = rejected(with_check(body))
    assert error.code == "birth_date"
    assert body[6:14] in error.messages[0]


def test_29_february_of_a_leap_year_is_fine():
    assert idnumber.parse(with_check("11010520000229002")).birth_date == D(2000, 2, 29)


def test_future_birth_date():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    number = factories.id_number(tomorrow, "F")
    error = rejected(number)
    assert error.code == "birth_date"
    assert tomorrow.isoformat() in error.messages[0]


def test_future_is_relative_to_the_given_today():
    number = factories.id_number(D(2020, 6, 1), "F")
    assert rejected(number, today=D(2020, 5, 31)).code == "birth_date"
    assert idnumber.parse(number, today=D(2020, 6, 1)).birth_date == D(2020, 6, 1)


def test_birth_before_1880_is_impossible():
    assert rejected(with_check("11010518790101002")).code == "birth_date"


def test_checksum():
    number = factories.id_number(D(1990, 5, 17), "F")
    wrong = "0" if number[-1] != "0" else "1"
    error = rejected(number[:-1] + wrong)
    assert error.code == "checksum"
    assert f"expected {number[-1]}" in error.messages[0]


@pytest.mark.parametrize("region", ["990100", "000000", "110199"])
def test_unknown_region(region):
    error = rejected(with_check(f"{region}19900517002"))
    assert error.code == "region"
    assert region in error.messages[0]


def test_region_known_uses_the_official_list():
    assert idnumber.region_known("110105", 1990)
    assert not idnumber.region_known("990100", 1990)


# --------------------------------------------------------------------------- masking


def test_mask_keeps_the_region_only():
    """Issue 13: no character after the sixth, the check character included."""
    number = number_ending_in_x()
    assert idnumber.mask(number) == number[:6] + "*" * 12
    assert idnumber.mask(number.lower()) == idnumber.mask(number)
    assert len(idnumber.mask(number)) == 18
    assert "X" not in idnumber.mask(number)
    for n in (with_check("11010519900517123"), "11010519491231002X"):
        assert idnumber.mask(n)[6:] == "*" * 12
        assert not any(c.isdigit() for c in idnumber.mask(n)[6:])


def test_remask_turns_the_old_mask_into_the_new():
    old = "110105********002X"
    assert idnumber.remask(old) == "110105************"
    assert idnumber.remask(idnumber.remask(old)) == "110105************"
    assert idnumber.remask("") == ""
    assert idnumber.remask(old) == idnumber.mask("11010519491231002X")


def test_mask_of_short_values_hides_everything():
    assert idnumber.mask("") == ""
    assert idnumber.mask("1234567890") == "**********"


# --------------------------------------------------------------------------- agreement


def test_agreement_with_birth_date_and_sex():
    info = idnumber.parse(factories.id_number(D(1990, 5, 17), "F"))
    idnumber.check_agrees(info, birth_date=D(1990, 5, 17), sex="F")
    idnumber.check_agrees(info, birth_date=None, sex=None)


def test_birth_date_disagreement_names_both_dates():
    info = idnumber.parse(factories.id_number(D(1990, 5, 17), "F"))
    with pytest.raises(ValidationError) as exc:
        idnumber.check_agrees(info, birth_date=D(1990, 5, 18), sex="F")
    assert set(exc.value.message_dict) == {"birth_date"}
    message = exc.value.message_dict["birth_date"][0]
    assert "1990-05-18" in message
    assert "1990-05-17" in message


@pytest.mark.parametrize(("id_sex", "given", "word"), [("F", "M", "female"), ("M", "F", "male")])
def test_sex_disagreement_says_what_the_number_says(id_sex, given, word):
    info = idnumber.parse(factories.id_number(D(1990, 5, 17), id_sex))
    with pytest.raises(ValidationError) as exc:
        idnumber.check_agrees(info, birth_date=None, sex=given)
    assert set(exc.value.message_dict) == {"sex"}
    assert f"says {word}." in exc.value.message_dict["sex"][0]


def test_both_disagreements_at_once():
    info = idnumber.parse(factories.id_number(D(1990, 5, 17), "F"))
    with pytest.raises(ValidationError) as exc:
        idnumber.check_agrees(info, birth_date=D(1991, 1, 1), sex="M")
    assert set(exc.value.message_dict) == {"birth_date", "sex"}
