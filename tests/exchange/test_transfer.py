"""Between systems (issue 17): the round trip between two instances in ONE test, a
tampered message, a duplicate, a correction before its original, an unknown receiver,
an unknown sending system, a wrong format version, the Excel reply form, the commands
and the API.

Two instances share the test database: instance A (``county-a``, this tree) and B
(``county-b``, a county of its own, 南乡镇 ``990200001000``), each with its own key
(``override_settings``). A's rows are put aside while B works and back after, so each
side holds only what it would hold on its own machine."""

from __future__ import annotations

import base64
import datetime
import io
import json
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.test import override_settings
from openpyxl import load_workbook

from jisheng.core import crypto
from jisheng.core.models import AuditEvent
from jisheng.exchange import excel, keys, services, transfer
from jisheng.exchange.models import Direction, Notice, NoticeKind, NoticeStatus, PeerKey
from jisheng.exchange.types import Message
from tests import factories
from tests.exchange.conftest import OUTSIDE_CODE, TODAY, arrival

pytestmark = pytest.mark.django_db
B_TOWN = "990200001000"


@pytest.fixture
def instances(tmp_path):
    a = override_settings(
        JISHENG_INSTANCE_ID="county-a", JISHENG_EXCHANGE_KEY_FILE=str(tmp_path / "a")
    )
    b = override_settings(
        JISHENG_INSTANCE_ID="county-b", JISHENG_EXCHANGE_KEY_FILE=str(tmp_path / "b")
    )
    return a, b


def _put_aside() -> list[Notice]:
    rows = list(Notice.objects.order_by("id"))
    Notice.objects.update(in_reply_to=None)
    Notice.objects.all().delete()
    return rows


def _bring_back(rows: list[Notice]) -> None:
    Notice.objects.update(in_reply_to=None)
    Notice.objects.all().delete()
    reply_to = {n.pk: n.in_reply_to_id for n in rows}
    for n in rows:
        n.in_reply_to_id = None
    Notice.objects.bulk_create(rows)
    for pk, target in reply_to.items():
        if target:
            Notice.objects.filter(pk=pk).update(in_reply_to_id=target)


def test_round_trip_between_two_instances(world, instances, tmp_path):
    a, b = instances
    county_b = factories.unit("990200000000", "南县", "county")
    b_town = factories.unit(B_TOWN, "南乡镇", "township", county_b)
    b_office = factories.user("b_office", b_town, "office")
    with b:
        b_key = transfer.key_file()
    with a:
        a_key = transfer.key_file()
        transfer.peer_key_add(actor=None, content=json.dumps(b_key))
        # 流芳's sister, living in 甲村, registered in B's 南乡镇
        sister = factories.person(
            world.tree.village_a, name="流芳妹", sex="F", birth_date=datetime.date(1995, 1, 2),
            seq=601, status="in_migrant", registered_on=TODAY - datetime.timedelta(days=300),
        )  # fmt: skip
        arrival(sister, world.tree.village_a, home_code=B_TOWN)
        original = Notice.objects.get(person=sister)
        assert original.direction == Direction.OUTGOING and original.reply_due is None
        file_a = transfer.export_file(actor=world.town_office, receiver_code=B_TOWN)
        assert [m["uid"] for m in file_a["messages"]] == [str(original.uid)]
        original.refresh_from_db()
        assert original.exported_at is not None
        assert original.reply_due == TODAY + datetime.timedelta(days=30)
        assert transfer.export_file(actor=None, receiver_code=B_TOWN)["messages"] == []
    a_rows = _put_aside()
    with b:
        transfer.peer_key_add(actor=None, content=json.dumps(a_key))
        report = transfer.import_file(
            actor=b_office, content=json.dumps(file_a, ensure_ascii=False)
        )
        assert report.counts["added"] == 1, report.lines()
        received = Notice.objects.get(uid=original.uid)
        assert received.direction == Direction.INCOMING and received.receiver_unit == b_town
        assert received.person == sister  # matched by the ID number's keyed hash
        assert crypto.decrypt(received.id_number_encrypted) == crypto.decrypt(
            sister.id_number_encrypted
        )
        assert received.status == NoticeStatus.SENT and received.reply_due is not None
        reply = services.notice_reply(
            actor=b_office, notice=received, text="已登记", reply_kind="updated"
        )
        assert reply.direction == Direction.OUTGOING and reply.receiver_code == original.sender_code
        file_b = transfer.export_file(actor=b_office)
        assert [m["kind"] for m in file_b["messages"]] == ["reply"]
        assert file_b["messages"][0]["in_reply_to"] == str(original.uid)
    b_rows = _put_aside()
    _bring_back(a_rows)
    with a:
        report = transfer.import_file(actor=None, content=json.dumps(file_b))
        assert report.counts["added"] == 1, report.lines()
        original.refresh_from_db()
        assert original.status == NoticeStatus.REPLIED and original.replied_at is not None
        back = Notice.objects.get(in_reply_to=original)
        assert back.payload == {"reply_kind": "updated", "text": "已登记"}
        assert back.receiver_unit == world.tree.town and back.direction == Direction.INCOMING
        # the same file again changes nothing
        again = transfer.import_file(actor=None, content=json.dumps(file_b))
        assert again.counts["duplicate"] == 1 and again.counts["added"] == 0
    assert b_rows  # B kept its own rows (its inbox and its reply)


# --------------------------------------------------------------------------- one side


@pytest.fixture
def peer(world, settings, tmp_path):
    """Another system ``county-x`` whose key this one holds; its signing function."""
    settings.JISHENG_EXCHANGE_KEY_FILE = str(tmp_path / "own")
    private = Ed25519PrivateKey.generate()
    transfer.peer_key_add(
        actor=None,
        content={
            "instance": "county-x",
            "name": "外县",
            "public_key": keys.public_key_text(private.public_key()),
        },
    )

    def sign(message: Message) -> Message:
        message = {k: v for k, v in message.items() if k != "signature"}
        message["signature"] = base64.b64encode(private.sign(keys.canonical(message))).decode()
        return message

    return sign


def message(world, **changes) -> Message:
    number = crypto.decrypt(world.liu.id_number_encrypted)
    base: Message = {
        "version": 1,
        "uid": str(uuid.uuid4()),
        "kind": "method",
        "instance": "county-x",
        "sender": {"code": "330100001000", "name": "外县某镇"},
        "receiver": {"code": world.tree.street.code},
        "created_at": "2026-03-01T10:00:00+08:00",
        "person": {"name": "流芳", "id_number": number, "birth_date": "1992-03-03", "sex": "F"},
        "event_on": (TODAY - datetime.timedelta(days=3)).isoformat(),
        "payload": {"method": "iud", "reason": "first"},
        "in_reply_to": None,
        "corrects": None,
    }
    base.update(changes)
    return base


def file_of(*messages: Message) -> str:
    return json.dumps(
        {"format": "jisheng-exchange", "version": 1, "instance": "county-x",
         "created_at": "2026-03-01T10:00:00+08:00", "messages": list(messages)},
        ensure_ascii=False,
    )  # fmt: skip


def test_good_bad_and_duplicate_messages_row_by_row(world, peer):
    good = peer(message(world))
    tampered = peer(message(world))
    tampered["payload"] = {"method": "pill", "reason": "first"}  # changed after signing
    unknown_receiver = peer(message(world, receiver={"code": "123456789000"}))
    wrong_version = peer(message(world, version=2))
    stranger = message(world, instance="county-y")
    stranger["signature"] = good["signature"]
    bad_shape = peer(message(world, kind="fine"))  # no such kind (and never a sanction)
    report = transfer.import_file(
        actor=None,
        content=file_of(good, tampered, unknown_receiver, wrong_version, stranger, bad_shape),
    )
    outcomes = [(r.outcome, r.reason) for r in report.rows]
    assert outcomes[0] == ("added", "")
    assert outcomes[1] == ("refused", "签名不符：通报被改动过，或不是 county-x 签发的。")
    assert outcomes[2] == ("refused", "接收单位代码 123456789000 不是本系统的单位。")
    assert outcomes[3] == ("refused", "通报的格式版本为 2，本系统只能读取第 1 版。")
    assert outcomes[4] == ("refused", "发送系统 county-y 未登记：请先添加它的密钥。")
    assert outcomes[5] == ("refused", "通报不符合交换格式（kind）。")
    notice = Notice.objects.get(uid=good["uid"])
    assert notice.payload == {"method": "iud", "reason": "first"} and notice.person == world.liu
    assert notice.receiver_unit == world.tree.street
    assert report.lines()[0].startswith("共 6 条通报：")
    # the same file again: the good one is a duplicate, nothing changes
    count = Notice.objects.count()
    again = transfer.import_file(actor=None, content=file_of(good))
    assert [r.outcome for r in again.rows] == ["duplicate"]
    assert Notice.objects.count() == count
    assert AuditEvent.objects.filter(action="import", object_type="exchange.notice").count() == 2


def test_a_wrong_file_is_refused_whole(world, peer):
    assert transfer.import_file(actor=None, content=b"not json").file_error == (
        "文件不是 JSON 格式的交换文件。"
    )
    wrong = json.loads(file_of(peer(message(world))))
    wrong["version"] = 3
    assert transfer.import_file(actor=None, content=wrong).file_error == (
        "文件的格式版本为 3，本系统只能读取第 1 版。"
    )


def test_a_correction_before_its_original_is_held(world, peer):
    original = peer(message(world, payload={"method": "pill", "reason": "first"}))
    correction = peer(
        message(world, corrects=original["uid"], payload={"method": "iud", "reason": "first"})
    )
    first = transfer.import_file(actor=None, content=file_of(correction))
    assert [r.outcome for r in first.rows] == ["held"]
    held = Notice.objects.get(uid=correction["uid"])
    assert held.status == NoticeStatus.HELD
    street = world.street_office
    from jisheng.exchange import selectors

    assert held not in selectors.inbox(street)  # held: not shown as a notice of its own
    second = transfer.import_file(actor=None, content=file_of(original))
    assert [r.outcome for r in second.rows] == ["added"]
    notice = Notice.objects.get(uid=original["uid"])
    assert notice.payload == {"method": "iud", "reason": "first"}  # the correction's content
    assert str(notice.corrected_by_uid) == correction["uid"]
    held.refresh_from_db()
    assert held.status == NoticeStatus.CLOSED and str(held.corrects_uid) == original["uid"]
    # a correction after its original applies at once
    later = peer(
        message(world, corrects=original["uid"], payload={"method": "implant", "reason": "first"})
    )
    assert [r.outcome for r in transfer.import_file(actor=None, content=file_of(later)).rows] == [
        "applied"
    ]
    notice.refresh_from_db()
    assert notice.payload["method"] == "implant" and str(notice.corrected_by_uid) == later["uid"]


def test_a_user_imports_only_what_is_addressed_to_the_office(world, peer):
    to_street = peer(message(world))
    report = transfer.import_file(actor=world.town_office, content=file_of(to_street))
    assert report.rows[0].outcome == "refused"
    assert report.rows[0].reason == f"该通报不是发给本单位的（{world.tree.street.code}）。"
    report = transfer.import_file(actor=world.street_office, content=file_of(to_street))
    assert report.rows[0].outcome == "added"


def test_a_key_file_is_checked(world, settings, tmp_path):
    settings.JISHENG_EXCHANGE_KEY_FILE = str(tmp_path / "own")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        transfer.peer_key_add(actor=None, content=transfer.key_file())
    assert exc.value.message_dict["instance"] == ["这是本系统自己的密钥。"]
    with pytest.raises(ValidationError) as exc:
        transfer.peer_key_add(actor=None, content={"instance": "x", "public_key": "AAAA"})
    assert exc.value.message_dict["public_key"] == ["密钥文件中没有有效的公钥。"]
    key_path = tmp_path / "own"
    assert key_path.stat().st_mode & 0o777 == 0o600


def test_commands(world, peer, tmp_path):
    out = tmp_path / "key.json"
    call_command("exchange", "key", "--out", str(out))
    assert set(json.loads(out.read_text())) == {"instance", "name", "public_key"}
    exported = tmp_path / "out.json"
    buffer = io.StringIO()
    call_command(
        "exchange", "export", "--receiver", OUTSIDE_CODE, "--out", str(exported), stdout=buffer
    )
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert [m["person"]["name"] for m in data["messages"]] == ["外芳"]
    public = keys.load_public_key(keys.public_key_text())
    assert keys.verify(data["messages"][0], public)
    incoming = tmp_path / "in.json"
    incoming.write_text(file_of(peer(message(world))), encoding="utf-8")
    buffer = io.StringIO()
    call_command("exchange", "import", str(incoming), stdout=buffer)
    assert "已接收 1" in buffer.getvalue()


def test_excel_form_and_its_replies(world, settings, tmp_path):
    settings.JISHENG_EXCHANGE_KEY_FILE = str(tmp_path / "own")
    town = world.town_office
    content = excel.export_sheet(actor=town, receiver_code=OUTSIDE_CODE)
    notice = Notice.objects.get(person=world.wai)
    assert notice.exported_at is not None
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["通报编号", "发送单位代码", "发送单位"] and "反馈内容" in headers
    row = [c.value for c in sheet[2]]
    assert row[0] == str(notice.uid) and row[5] == "外芳"
    sheet.cell(row=2, column=headers.index("反馈类别") + 1, value="已更新台账")
    sheet.cell(row=2, column=headers.index("反馈内容") + 1, value="已在户籍地登记")
    sheet.append([str(uuid.uuid4()), "", "", "", "", "", "", "", "", "", "无此通报"])
    buffer = io.BytesIO()
    book.save(buffer)
    # another office may not bring the replies to it
    other = excel.import_replies(
        actor=world.street_office, source=buffer.getvalue(), filename="r.xlsx"
    )
    assert other.replied == 0 and other.errors[0] == "第 2 行：该通报不是本单位发出的。"
    assert AuditEvent.objects.filter(user=world.street_office, action="denied").exists()
    report = excel.import_replies(actor=town, source=buffer.getvalue(), filename="r.xlsx")
    assert report.replied == 1 and report.errors == ["第 3 行：本系统没有这个编号的通报。"]
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED
    reply = Notice.objects.get(in_reply_to=notice)
    assert (reply.instance, reply.signature, reply.payload["reply_kind"]) == (
        "excel",
        "",
        "updated",
    )
    assert AuditEvent.objects.filter(user=town, action="import", object_id=str(reply.pk)).exists()


def test_api(world, api, settings, tmp_path, peer):
    street = api("admin", language="zh-hans")
    inbox = street.get("/exchange/inbox?awaiting=true")
    assert inbox.status_code == 200, inbox.content
    assert inbox.json()["count"] == 1
    notice_id = inbox.json()["items"][0]["id"]
    reply = street.post_json(f"/exchange/notices/{notice_id}/reply", {"text": "已知悉"})
    assert reply.status_code == 201, reply.content
    again = street.post_json(f"/exchange/notices/{notice_id}/reply", {"text": "再次"})
    assert again.status_code == 422 and again.json()["message"] == "该通报已反馈。"
    exported = street.post_json("/exchange/export", {"receiver": OUTSIDE_CODE})
    assert exported.status_code == 200 and len(exported.json()["messages"]) == 1
    imported = street.post_json(
        "/exchange/import", {"file": json.loads(file_of(peer(message(world))))}
    )
    assert imported.status_code == 200 and imported.json()["counts"]["added"] == 1
    bad = street.post_json("/exchange/import", {"file": {"x": 1}})
    assert bad.status_code == 422 and bad.json()["message"] == "文件不是本系统格式的交换文件。"
    # a notice of other offices: 404 for the mine's office
    notice = Notice.objects.get(person=world.liu, kind=NoticeKind.REGISTRATION)
    mine = factories.user("mine_api", world.tree.mine, "office")
    from jisheng.core.tokens import token_create
    from tests.api.conftest import ApiClient

    _token, secret = token_create(actor=None, user=mine, name="t")
    client = ApiClient(secret, language="zh-hans")
    assert client.get(f"/exchange/notices/{notice.pk}").status_code == 404
    assert AuditEvent.objects.filter(user=mine, action="denied").exists()


def test_pages(client, world, settings, tmp_path):
    settings.JISHENG_EXCHANGE_KEY_FILE = str(tmp_path / "own")
    from django.urls import reverse

    notice = Notice.objects.get(person=world.liu)
    client.force_login(world.street_office)
    page = client.get(reverse("exchange:inbox"), {"awaiting": "on"})
    assert page.status_code == 200 and "流芳" in page.content.decode()
    detail = client.get(reverse("exchange:detail", args=[notice.pk]))
    body = detail.content.decode()
    assert "流入登记" in body and "现居住地" in body and 'data-testid="reply-form"' in body
    answer = client.post(
        reverse("exchange:detail", args=[notice.pk]),
        {"action": "reply", "reply_kind": "noted", "text": "已知悉"},
    )
    assert answer.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED
    client.force_login(world.mine_office)
    assert client.get(reverse("exchange:detail", args=[notice.pk])).status_code == 404
    client.force_login(world.town_office)
    assert client.get(reverse("exchange:outbox")).status_code == 200
    found = client.get(reverse("exchange:contact_find"), {"q": "流芳"})
    assert "流芳" in found.content.decode()
    transfer_page = client.post(reverse("exchange:transfer"), {"action": "export_json"})
    assert transfer_page.status_code == 200
    assert transfer_page["Content-Type"].startswith("application/json")
    assert client.get(reverse("exchange:keys")).status_code == 403
    admin = factories.user("exchange_admin", world.tree.county, "admin")
    client.force_login(admin)
    assert client.get(reverse("exchange:keys")).status_code == 200
    assert PeerKey.objects.count() == 0


def test_the_documented_schema_is_the_one_the_import_reads():
    from pathlib import Path

    from jsonschema import Draft202012Validator

    docs = Path(__file__).resolve().parents[2] / "docs" / "exchange" / "notice-v1.schema.json"
    assert json.loads(docs.read_text(encoding="utf-8")) == transfer.schema()
    Draft202012Validator.check_schema(transfer.schema())
    # a whole exported file follows the whole schema
    file = {"format": "jisheng-exchange", "version": 1, "instance": "a",
            "created_at": "2026-03-01T10:00:00+08:00", "messages": []}  # fmt: skip
    Draft202012Validator(transfer.schema()).validate(file)
