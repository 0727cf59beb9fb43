"""Keys of personal data: generated only for an empty database, never replaced silently,
refused with a Chinese message naming the key when missing or wrong (issue 13, item 4)."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import RequestFactory

from jisheng.core import crypto, keycheck
from jisheng.core.models import KeyCheck
from tests import factories


@pytest.fixture
def var(tmp_path, settings):
    """Keys read from files of a fresh var directory (no key in the settings)."""
    settings.VAR_DIR = tmp_path
    settings.JISHENG_FIELD_KEYS = []
    settings.JISHENG_LOOKUP_KEY = ""
    crypto.clear_caches()
    yield tmp_path
    crypto.clear_caches()


def write_keys(var, field: str | None = None, lookup: str | None = None) -> tuple[str, str]:
    field = field or Fernet.generate_key().decode()
    lookup = lookup or "lookup-" + Fernet.generate_key().decode()
    (var / "field_key").write_text(field)
    (var / "lookup_key").write_text(lookup)
    crypto.clear_caches()
    return field, lookup


@pytest.fixture
def with_person(var, tree):
    """A database holding one person with an encrypted ID, and its check values."""
    write_keys(var)
    person = factories.person(tree.village_a)
    assert person.id_number_encrypted
    assert keycheck.verify() == []
    assert set(KeyCheck.objects.values_list("name", flat=True)) == {"field_key", "lookup_key"}
    crypto.clear_caches()
    return person


def test_empty_database_generates_both_keys_private(var, db):
    assert not (var / "field_key").exists()
    assert keycheck.verify() == []
    for name in ("field_key", "lookup_key"):
        path = var / name
        assert path.exists()
        assert path.stat().st_mode & 0o777 == 0o600
    Fernet((var / "field_key").read_text().encode())  # a valid Fernet key
    assert KeyCheck.objects.count() == 2
    # and the next start accepts them
    crypto.clear_caches()
    assert keycheck.verify() == []


def test_first_encryption_of_an_empty_database_generates_the_key(var, db):
    token = crypto.encrypt("11010519900517002X")
    assert (var / "field_key").exists()
    assert crypto.decrypt(token) == "11010519900517002X"


def test_missing_field_key_is_refused_not_regenerated(with_person, var):
    (var / "field_key").unlink()
    crypto.clear_caches()
    problems = keycheck.verify()
    assert len(problems) == 1
    assert "field_key" in problems[0] and "缺少" in problems[0]
    assert not (var / "field_key").exists()  # no new key was made
    with pytest.raises(keycheck.KeyProblem, match="field_key"):
        crypto.encrypt("11010519900517002X")
    assert not (var / "field_key").exists()


def test_wrong_field_key_is_refused(with_person, var):
    (var / "field_key").write_text(Fernet.generate_key().decode())
    crypto.clear_caches()
    problems = keycheck.verify()
    assert len(problems) == 1
    assert "field_key" in problems[0] and "不是" in problems[0]


def test_missing_lookup_key_is_refused_not_regenerated(with_person, var):
    (var / "lookup_key").unlink()
    crypto.clear_caches()
    problems = keycheck.verify()
    assert len(problems) == 1
    assert "lookup_key" in problems[0] and "缺少" in problems[0]
    assert not (var / "lookup_key").exists()
    with pytest.raises(keycheck.KeyProblem, match="lookup_key"):
        crypto.lookup_hash("11010519900517002X")


def test_wrong_lookup_key_is_refused(with_person, var):
    (var / "lookup_key").write_text("another-lookup-key")
    crypto.clear_caches()
    problems = keycheck.verify()
    assert len(problems) == 1
    assert "lookup_key" in problems[0] and "不是" in problems[0]


def test_keys_from_the_environment_are_checked_too(with_person, var, settings):
    settings.JISHENG_FIELD_KEYS = [Fernet.generate_key().decode()]
    problems = keycheck.verify()
    assert any("JISHENG_FIELD_KEYS" in p for p in problems)


def test_a_database_without_check_values_is_checked_against_its_data(with_person, var):
    """An installation from before the check values: its data tells a wrong key."""
    KeyCheck.objects.all().delete()
    field, lookup = (var / "field_key").read_text(), (var / "lookup_key").read_text()
    write_keys(var, field=Fernet.generate_key().decode(), lookup=lookup)
    assert [p for p in keycheck.verify() if "field_key" in p]
    write_keys(var, field=field, lookup="not-the-lookup-key")
    assert [p for p in keycheck.verify() if "lookup_key" in p]
    assert not KeyCheck.objects.exists()  # nothing stored while a key is wrong
    write_keys(var, field=field, lookup=lookup)
    assert keycheck.verify() == []
    assert KeyCheck.objects.count() == 2  # stored once the keys are right


def test_rotation_keeps_the_check_and_rewrites_it_with_the_new_key(with_person, var, settings):
    old = (var / "field_key").read_text()
    new = Fernet.generate_key().decode()
    settings.JISHENG_FIELD_KEYS = [new, old]
    assert keycheck.verify() == []
    value = KeyCheck.objects.get(name="field_key").value
    assert keycheck.field_check_matches([new], value)


def test_system_check_refuses_every_start(with_person, var):
    """serve, worker, demo, migrate … run the system checks: they refuse to start."""
    (var / "field_key").unlink()
    crypto.clear_caches()
    with pytest.raises(SystemCheckError, match="field_key"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(SystemCheckError, match="field_key"):
        call_command("worker", "--jobs", skip_checks=False, stdout=io.StringIO())


def test_web_application_answers_503_naming_the_key(with_person, var):
    (var / "lookup_key").write_text("another-lookup-key")
    crypto.clear_caches()
    reached = []
    middleware = keycheck.KeyCheckMiddleware(lambda request: reached.append(1))
    response = middleware(RequestFactory().get("/people/"))
    assert response.status_code == 503
    assert "lookup_key" in response.content.decode()
    assert reached == []
    middleware(RequestFactory().get("/healthz"))  # the health endpoint still answers
    assert reached == [1]
