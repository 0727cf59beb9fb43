"""Loading packs: versions are appended, identical reloads change nothing, every load is
audited, a changed file under an old version number is refused."""

import pytest
from django.core.exceptions import PermissionDenied

from jisheng.core.models import AuditEvent, ImmutableError
from jisheng.policy.loader import PackInvalid
from jisheng.policy.models import PolicyPack, PolicyPackVersion
from jisheng.policy.services import pack_load, sha256_of
from tests.policy.conftest import minimal, pack_file


def test_default_pack_is_loaded_by_migrate(db):
    version = PolicyPackVersion.objects.get(pack__code="default-2026")
    assert version.unit is None
    assert version.content["births"]["policy_limit"] == 3
    assert version.sha256 == sha256_of(pack_file("default-2026.yaml"))
    assert version.source_name == "default-2026.yaml"


def test_load_creates_pack_and_version_with_audit(tree, users):
    text = minimal()
    result = pack_load(actor=users.admin, text=text, unit=tree.mine, source_name="x.yaml")
    assert result.created
    version = result.version
    assert version.pack.code == "test-pack"
    assert version.pack.name == "测试政策"
    assert version.unit == tree.mine
    assert version.loaded_by == users.admin
    assert version.source_text == text
    assert version.sha256 == sha256_of(text)
    assert version.content["followup"]["methods"]["iud"]["every_months"] == 3
    event = AuditEvent.objects.get(
        object_type="policy.policypackversion", object_id=str(version.pk)
    )
    assert event.action == "create"
    assert event.username == "admin"
    assert event.changes["sha256"] == [None, version.sha256]
    assert event.changes["unit"] == [None, "MINE01"]
    assert event.object_scope_path == tree.mine.path
    assert (
        AuditEvent.objects.filter(
            object_type="policy.policypack", object_id=str(version.pack_id)
        ).count()
        == 1
    )


def test_reloading_the_identical_file_changes_nothing(tree):
    first = pack_load(actor=None, text=minimal(), unit=tree.mine)
    events = AuditEvent.objects.count()
    again = pack_load(actor=None, text=minimal(), unit=tree.mine)
    assert not again.created
    assert again.version.pk == first.version.pk
    assert PolicyPackVersion.objects.filter(pack__code="test-pack").count() == 1
    assert AuditEvent.objects.count() == events


def test_a_new_version_is_a_new_row(tree):
    pack_load(actor=None, text=minimal(), unit=tree.mine)
    second = pack_load(actor=None, text=minimal(version="2", iud_months=6), unit=tree.mine)
    assert second.created
    versions = PolicyPackVersion.objects.filter(pack__code="test-pack").order_by("id")
    assert [v.version for v in versions] == ["1", "2"]
    assert versions[0].content["followup"]["methods"]["iud"]["every_months"] == 3
    assert PolicyPack.objects.filter(code="test-pack").count() == 1


def test_changed_content_under_the_same_version_is_refused(tree):
    pack_load(actor=None, text=minimal(), unit=tree.mine)
    with pytest.raises(PackInvalid) as info:
        pack_load(actor=None, text=minimal(iud_months=6), unit=tree.mine)
    assert info.value.messages == [
        "version：政策包 test-pack 的 1 版已载入且内容不同；修改后的文件请使用新的版本号。"
    ]
    assert PolicyPackVersion.objects.filter(pack__code="test-pack").count() == 1


def test_same_file_can_be_attached_to_another_unit_and_as_default(tree):
    pack_load(actor=None, text=minimal(), unit=tree.mine)
    other = pack_load(actor=None, text=minimal(), unit=tree.town)
    default = pack_load(actor=None, text=minimal())
    assert other.created and default.created
    assert not pack_load(actor=None, text=minimal()).created
    assert PolicyPackVersion.objects.filter(pack__code="test-pack").count() == 3


def test_dry_run_validates_without_writing(tree):
    result = pack_load(actor=None, text=minimal(), unit=tree.mine, dry_run=True)
    assert result.version is None and not result.created
    assert not PolicyPack.objects.filter(code="test-pack").exists()
    with pytest.raises(PackInvalid):
        pack_load(actor=None, text=minimal(iud_months=0), dry_run=True)


def test_invalid_file_writes_nothing(tree):
    events = AuditEvent.objects.count()
    with pytest.raises(PackInvalid):
        pack_load(actor=None, text=minimal(iud_months=-3), unit=tree.mine)
    assert not PolicyPack.objects.filter(code="test-pack").exists()
    assert AuditEvent.objects.count() == events


def test_loading_for_a_unit_outside_the_actors_scope_is_refused(tree, users):
    with pytest.raises(PermissionDenied):
        pack_load(actor=users.field_a, text=minimal(), unit=tree.mine)
    assert not PolicyPack.objects.filter(code="test-pack").exists()
    assert AuditEvent.objects.filter(action="denied", username="field_a").exists()


def test_type_mismatch_is_a_warning(tree):
    result = pack_load(actor=None, text=pack_file("school-2023.yaml"), unit=tree.mine)
    assert result.created
    assert result.warnings == ["该政策包适用于类型为 school 的单位；示范煤矿的类型是 enterprise。"]


def test_versions_are_immutable(tree):
    version = pack_load(actor=None, text=minimal(), unit=tree.mine).version
    version.version = "9"
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        version.delete()
    with pytest.raises(ImmutableError):
        PolicyPackVersion.objects.filter(pk=version.pk).update(version="9")
    with pytest.raises(ImmutableError):
        PolicyPackVersion.objects.filter(pk=version.pk).delete()


def test_every_shipped_pack_loads(tree):
    for name, unit in [
        ("mine-2005.yaml", tree.mine),
        ("street-2025.yaml", tree.street),
        ("county-commodities-2007.yaml", tree.county),
        ("school-2023.yaml", None),
    ]:
        assert pack_load(actor=None, text=pack_file(name), unit=unit).created
