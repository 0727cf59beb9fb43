"""``jisheng backup`` / ``jisheng restore`` (issue 13, item 5): the database, the keys and
the uploads in one 0600 archive with a manifest; a round trip through a wiped
installation gives back a person whose ID decrypts and whom exact search finds; a
damaged archive, one whose keys do not match its data, and a non-empty database
without --force are refused in Chinese."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jisheng.core import crypto, keycheck
from jisheng.orgs.models import User
from jisheng.people.models import Person
from jisheng.people.search import person_search
from tests import factories


@pytest.fixture
def installation(tmp_path, settings):
    """An installation whose keys live in var/ (as without JISHENG_*_KEY variables)."""
    var = tmp_path / "var"
    var.mkdir()
    settings.VAR_DIR = var
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JISHENG_FIELD_KEYS = []
    settings.JISHENG_LOOKUP_KEY = ""
    crypto.clear_caches()
    yield var
    crypto.clear_caches()


@pytest.fixture
def registry(installation, transactional_db):
    county = factories.unit("990100000000", "示范县", "county")
    village = factories.unit("990100001001", "甲村", "village", county)
    factories.user("admin", county, "admin")
    person = factories.person(village, name="李秀英", seq=7)
    number = factories.id_number(person.birth_date, "F", 7)
    photo = installation.parent / "media" / "photos" / "李秀英.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 a photo")
    return number


def backup(archive, *args) -> str:
    out = io.StringIO()
    call_command("backup", str(archive), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def restore(archive, *args) -> str:
    out = io.StringIO()
    call_command("restore", str(archive), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def wipe(var) -> None:
    """Lose the database, the keys and the uploads."""
    call_command("flush", interactive=False, verbosity=0)
    for name in ("field_key", "lookup_key"):
        (var / name).unlink()
    for path in sorted((var.parent / "media").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    crypto.clear_caches()
    assert not Person.objects.exists()


def round_trip(installation, number, tmp_path, *args) -> dict:
    archive = tmp_path / "jisheng-backup.tar.gz"
    message = backup(archive, *args)
    assert "field_key" in message and "lookup_key" in message
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = set(tar.getnames())
    assert manifest["engine"] == connection.vendor
    assert manifest["created_at"] and manifest["jisheng_version"]
    assert names == {"manifest.json", *manifest["members"]}
    assert {"keys/field_key", "keys/lookup_key", "media/photos/李秀英.jpg"} <= names
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())

    wipe(installation)
    message = restore(archive)
    assert "已从" in message or "Restored" in message
    crypto.clear_caches()
    person = Person.objects.get()
    assert crypto.decrypt(person.id_number_encrypted) == number
    admin = User.objects.get(username="admin")
    assert list(person_search(user=admin, q=number)) == [person]
    assert (
        installation.parent / "media" / "photos" / "李秀英.jpg"
    ).read_bytes() == b"\xff\xd8 a photo"
    for name in ("field_key", "lookup_key"):
        assert stat.S_IMODE((installation / name).stat().st_mode) == 0o600
    assert keycheck.verify() == []
    return manifest


def test_round_trip_through_a_wiped_installation(registry, installation, tmp_path):
    manifest = round_trip(installation, registry, tmp_path)
    expected = "sqlite" if connection.vendor == "sqlite" else "pg_dump"
    assert manifest["method"] == expected


def test_round_trip_with_dumpdata(registry, installation, tmp_path):
    manifest = round_trip(installation, registry, tmp_path, "--method", "dumpdata")
    assert manifest["method"] == "dumpdata"
    assert "database/jisheng.json" in manifest["members"]


def _rewrite(archive, out, change) -> None:
    """Copy an archive, changing members with ``change(name, data) -> data | None``
    (None drops it) and keeping the manifest consistent unless the change is to it."""
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(members.pop("manifest.json"))
    changed = {}
    for name, data in members.items():
        new = change(name, data)
        if new is not None:
            changed[name] = new
    with tarfile.open(out, "w") as tar:
        for name, data in [("manifest.json", json.dumps(manifest).encode()), *changed.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _with_manifest(archive, out, change) -> None:
    """Like :func:`_rewrite` but the manifest follows the change (a consistent archive)."""
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(members.pop("manifest.json"))
    for name in list(members):
        members[name] = change(name, members[name])
        manifest["members"][name] = {
            "sha256": hashlib.sha256(members[name]).hexdigest(),
            "size": len(members[name]),
        }
    with tarfile.open(out, "w") as tar:
        for name, data in [("manifest.json", json.dumps(manifest).encode()), *members.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.fixture
def archive(registry, installation, tmp_path):
    path = tmp_path / "good.tar"
    backup(path)
    return path


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda n, d: d[:-1] + bytes([d[-1] ^ 1]) if n.startswith("database/") else d,
            id="flipped-byte",
        ),
        pytest.param(lambda n, d: None if n == "keys/lookup_key" else d, id="member-missing"),
        pytest.param(lambda n, d: d + b"x" if n.startswith("media/") else d, id="media-changed"),
    ],
)
def test_a_damaged_archive_is_refused(archive, tmp_path, installation, change):
    damaged = tmp_path / "damaged.tar"
    _rewrite(archive, damaged, change)
    wipe(installation)
    with pytest.raises(CommandError, match="备份文件已损坏"):
        restore(damaged)
    assert not Person.objects.exists()
    assert not (installation / "field_key").exists()  # nothing was written


def test_a_truncated_archive_is_refused(archive, tmp_path, installation):
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[:2000])
    with pytest.raises(CommandError, match="备份文件已损坏"):
        restore(truncated)


@pytest.mark.parametrize("member", ["keys/field_key", "keys/lookup_key"])
def test_an_archive_whose_keys_do_not_match_its_data_is_refused(
    archive, tmp_path, installation, member
):
    other = Fernet.generate_key() if member == "keys/field_key" else b"another-lookup-key"
    wrong = tmp_path / "wrong-keys.tar"
    _with_manifest(archive, wrong, lambda n, d: other + b"\n" if n == member else d)
    wipe(installation)
    with pytest.raises(CommandError, match=member.split("/")[1]) as raised:
        restore(wrong)
    assert "不匹配" in str(raised.value)
    assert not Person.objects.exists()


def test_a_database_with_data_is_not_overwritten_without_force(archive, installation):
    with pytest.raises(CommandError, match="--force"):
        restore(archive)
    assert "已从" in restore(archive, "--force")
    assert Person.objects.count() == 1


def test_restore_keeps_a_different_key_found_in_var(archive, installation):
    wipe(installation)
    (installation / "field_key").write_text(Fernet.generate_key().decode())
    restore(archive)
    kept = list(installation.glob("field_key.replaced-*"))
    assert len(kept) == 1
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600


def test_backup_refuses_an_existing_file(archive):
    with pytest.raises(CommandError, match=r"已存在|exists"):
        backup(archive)


def test_there_is_no_such_archive(db, tmp_path, installation):
    with pytest.raises(CommandError, match=r"没有备份文件|There is no"):
        restore(tmp_path / "nothing.tar")
