import pytest
from django.core.exceptions import ValidationError

from jisheng.orgs.validators import validate_unit_code


@pytest.mark.parametrize(
    ("code", "unit_type", "parent_code", "parent_type"),
    [
        ("990100000000", "county", "", ""),
        ("990100001000", "township", "990100000000", "county"),
        ("990100002000", "street", "990100000000", "county"),
        ("990100001001", "village", "990100001000", "township"),
        ("990100002001", "community", "990100002000", "street"),
        ("MINE01", "enterprise", "990100000000", "county"),
        ("990100001001", "village", "MINE01", "enterprise"),
    ],
)
def test_valid_codes(code, unit_type, parent_code, parent_type):
    validate_unit_code(code, unit_type, parent_code, parent_type)


@pytest.mark.parametrize(
    ("code", "unit_type", "parent_code", "parent_type", "message"),
    [
        ("", "county", "", "", "required"),
        ("99010000000", "county", "", "", "12"),
        ("9901000000001", "county", "", "", "12"),
        ("99010000000A", "county", "", "", "digits only"),
        ("990100001000", "county", "", "", "first 6 digits"),
        ("000000000000", "county", "", "", "may not all be zero"),
        ("990100000000", "township", "990100000000", "county", "may not all be zero"),
        ("990200001000", "township", "990100000000", "county", "990100"),
        ("990100002001", "village", "990100001000", "township", "990100001"),
        ("990100001001", "township", "990100001000", "township", "first 9 digits"),
        ("990100001000", "township", "990100001001", "village", "cannot be placed"),
        ("bad code!", "enterprise", "", "", "work-unit code"),
    ],
)
def test_invalid_codes(code, unit_type, parent_code, parent_type, message, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_unit_code(code, unit_type, parent_code, parent_type)
    assert message in " ".join(exc.value.messages)
