"""GET /api/v1/policy/packs and /packs/{code}."""

import pytest

from jisheng.core.tokens import token_create
from jisheng.policy.services import pack_load
from tests.api.conftest import ApiClient
from tests.policy.conftest import grant, minimal, pack_file


@pytest.fixture
def api(users):
    def make(name: str, *, permitted: bool = True, language: str | None = None) -> ApiClient:
        user = getattr(users, name)
        if permitted:
            grant(user)
        _token, secret = token_create(actor=None, user=user, name="test")
        return ApiClient(secret, language=language)

    return make


def test_authentication_and_permission(users):
    assert ApiClient(None).get("/policy/packs").status_code == 401
    _t, secret = token_create(actor=None, user=users.field_a, name="t")
    response = ApiClient(secret).get("/policy/packs")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_list(api, tree):
    pack_load(actor=None, text=pack_file("mine-2005.yaml"), unit=tree.mine)
    response = api("office").get("/policy/packs")
    assert response.status_code == 200
    packs = {p["code"]: p for p in response.json()}
    assert set(packs) == {"default-2026", "mine-2005"}
    (default,) = packs["default-2026"]["attachments"]
    assert default["unit_code"] is None
    assert default["in_force"]["version"] == "2026.2"
    (mine,) = packs["mine-2005"]["attachments"]
    assert mine["unit_code"] == "MINE01"
    assert mine["in_force"]["effective_from"] == "2005-01-01"
    assert len(mine["in_force"]["sha256"]) == 64


def test_detail_returns_current_content(api):
    response = api("office").get("/policy/packs/default-2026")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "default-2026"
    assert body["version"]["version"] == "2026.2"
    content = body["content"]
    assert content["births"]["policy_limit"] == 3
    assert content["followup"]["methods"]["iud"] == {"every_months": 3, "face_to_face": False}
    assert content["deadlines"]["followup_report"] == {
        "label": "随访情况上报（每季度第三个月 25 日前）",
        "kind": "quarter_month_day",
        "month_of_quarter": 3,
        "day": 25,
    }


def test_detail_for_a_unit(api, tree):
    pack_load(actor=None, text=minimal(code="mine-pack"), unit=tree.mine)
    client = api("office")
    assert client.get("/policy/packs/mine-pack", unit="MINE01-01").json()["content"]["id"] == (
        "mine-pack"
    )
    response = client.get("/policy/packs/default-2026", unit="MINE01-01")
    assert response.status_code == 404
    assert response.json()["message"] == "该政策包对这个单位不适用。"


def test_newest_effective_version_is_current(api, tree):
    pack_load(actor=None, text=minimal(code="p"), unit=tree.mine)
    pack_load(
        actor=None, text=minimal(code="p", version="2", effective_from="2021-01-01"), unit=tree.mine
    )
    pack_load(
        actor=None, text=minimal(code="p", version="3", effective_from="2099-01-01"), unit=tree.mine
    )
    assert api("office").get("/policy/packs/p").json()["version"]["version"] == "2"


def test_scope(api, tree):
    pack_load(actor=None, text=minimal(code="mine-pack"), unit=tree.mine)
    client = api("field_a")
    assert {p["code"] for p in client.get("/policy/packs").json()} == {"default-2026"}
    response = client.get("/policy/packs/mine-pack")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get("/policy/packs/default-2026", unit="MINE01").status_code == 404
