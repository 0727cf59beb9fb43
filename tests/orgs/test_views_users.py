"""User pages: list, detail, create, roles and API tokens — access, scope, bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from jisheng.core import tokens
from jisheng.core.choices import AuditAction
from jisheng.core.models import ApiToken, AuditEvent
from jisheng.orgs.models import User
from tests import factories

NEW_PASSWORD = "Fresh-pass-2026!"


@pytest.fixture
def field_a2(tree):
    """A second field worker in village A (same scope as field_a)."""
    return factories.user("field_a2", tree.village_a, "field")


@pytest.fixture
def town_admin(tree):
    return factories.user("town_admin", tree.town, "admin")


@pytest.fixture
def community_user(tree):
    return factories.user("community_user", tree.community, "field")


def _denied(username: str):
    return AuditEvent.objects.filter(action=AuditAction.DENIED, username=username)


def _urls(target: User, token: ApiToken | None = None) -> dict[str, str]:
    urls = {
        "detail": reverse("orgs:user_detail", args=[target.pk]),
        "roles": reverse("orgs:user_roles", args=[target.pk]),
        "token_create": reverse("orgs:token_create", args=[target.pk]),
    }
    if token is not None:
        urls["token_revoke"] = reverse("orgs:token_revoke", args=[target.pk, token.pk])
    return urls


# --- anonymous -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["detail", "roles", "token_create", "token_revoke", "list", "create"]
)
def test_every_user_page_requires_login(client, users, page):
    token, _secret = tokens.token_create(actor=None, user=users.field_a)
    urls = _urls(users.field_a, token)
    urls["list"] = reverse("orgs:user_list")
    urls["create"] = reverse("orgs:user_create")
    method = client.post if page.startswith("token") else client.get
    response = method(urls[page])
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    token.refresh_from_db()
    assert token.revoked_at is None


# --- list ------------------------------------------------------------------------------------


def test_user_list_needs_view_user(client, users):
    client.force_login(users.field_a)
    assert client.get(reverse("orgs:user_list")).status_code == 403
    client.force_login(users.leader)
    assert client.get(reverse("orgs:user_list")).status_code == 403


@pytest.mark.parametrize("who", ["admin", "office", "auditor"])
def test_user_list_opens_for_admin_office_auditor(client, users, who):
    client.force_login(getattr(users, who))
    response = client.get(reverse("orgs:user_list"))
    assert response.status_code == 200
    shown = {row.record.username for row in response.context["table"].paginated_rows}
    assert {"admin", "field_a", "field_b", "town_office"} <= shown


def test_user_list_is_scoped(client, users, community_user):
    client.force_login(users.town_office)
    response = client.get(reverse("orgs:user_list"))
    shown = {row.record.username for row in response.context["table"].paginated_rows}
    assert shown == {"town_office", "field_a", "field_b"}


def test_user_list_filters(client, users, community_user):
    client.force_login(users.admin)
    url = reverse("orgs:user_list")

    def shown(params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {row.record.username for row in response.context["table"].paginated_rows}

    assert shown({"q": "field_"}) == {"field_a", "field_b"}
    assert shown({"role": "auditor"}) == {"auditor"}
    assert shown({"unit": "东城镇"}) == {"town_office", "field_a", "field_b"}
    assert shown({"unit": "990100002"}) == {"community_user"}
    assert shown({"unit": "no such unit"}) == set()
    assert shown({"is_active": "false"}) == set()
    assert "community_user" in shown({"sort": "-unit"})


def test_user_list_unit_filter_stays_in_scope(client, users, community_user):
    client.force_login(users.town_office)
    response = client.get(reverse("orgs:user_list"), {"unit": "丙社区"})
    assert [row.record for row in response.context["table"].paginated_rows] == []


def test_user_list_shows_new_user_button_to_admins_only(client, users):
    client.force_login(users.admin)
    assert 'data-testid="user-create"' in client.get(reverse("orgs:user_list")).content.decode()
    client.force_login(users.office)
    assert 'data-testid="user-create"' not in client.get(reverse("orgs:user_list")).content.decode()


# --- detail ----------------------------------------------------------------------------------


def test_everyone_sees_their_own_page(client, users):
    client.force_login(users.field_a)
    response = client.get(reverse("orgs:user_detail", args=[users.field_a.pk]))
    assert response.status_code == 200
    assert response.context["is_self"]
    assert response.context["can_manage_tokens"]
    assert not response.context["can_change_roles"]
    html = response.content.decode()
    assert "甲村" in html
    assert 'data-testid="token-form"' in html


def test_out_of_scope_user_is_404_and_audited(client, users):
    client.force_login(users.field_a)
    response = client.get(reverse("orgs:user_detail", args=[users.field_b.pk]))
    assert response.status_code == 404
    denied = _denied("field_a").get()
    assert denied.object_type == "orgs.user"
    assert denied.object_id == str(users.field_b.pk)


def test_out_of_scope_user_is_404_for_staff_with_view_user(client, users, community_user):
    client.force_login(users.town_office)
    response = client.get(reverse("orgs:user_detail", args=[community_user.pk]))
    assert response.status_code == 404
    assert _denied("town_office").count() == 1


def test_in_scope_user_without_view_user_is_403(client, users, field_a2):
    client.force_login(users.field_a)
    response = client.get(reverse("orgs:user_detail", args=[field_a2.pk]))
    assert response.status_code == 403


def test_missing_user_is_404_without_denied_event(client, users):
    client.force_login(users.admin)
    assert client.get(reverse("orgs:user_detail", args=[987654])).status_code == 404
    assert not _denied("admin").exists()


def test_staff_see_users_in_scope(client, users):
    client.force_login(users.office)
    response = client.get(reverse("orgs:user_detail", args=[users.field_b.pk]))
    assert response.status_code == 200
    assert not response.context["can_manage_tokens"]  # office has no change_user
    assert 'data-testid="token-form"' not in response.content.decode()
    client.force_login(users.admin)
    response = client.get(reverse("orgs:user_detail", args=[users.field_b.pk]))
    assert response.context["can_manage_tokens"] and response.context["can_change_roles"]


# --- create ----------------------------------------------------------------------------------


def _new_user_data(**overrides):
    data = {
        "username": "new_field",
        "full_name": "测试用户",
        "phone": "",
        "unit": "990100001001",
        "roles": ["field"],
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["office", "auditor", "field_a", "leader"])
def test_create_user_needs_add_user(client, users, who):
    client.force_login(getattr(users, who))
    url = reverse("orgs:user_create")
    assert client.get(url).status_code == 403
    assert client.post(url, _new_user_data()).status_code == 403
    assert not User.objects.filter(username="new_field").exists()


def test_create_user_happy_path(client, tree, users):
    client.force_login(users.admin)
    response = client.get(reverse("orgs:user_create"))
    assert response.status_code == 200
    units = list(response.context["form"].fields["unit"].queryset)
    assert tree.county in units and tree.community in units

    response = client.post(
        reverse("orgs:user_create"), _new_user_data(roles=["field", "commodity"])
    )
    created = User.objects.get(username="new_field")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:user_detail", args=[created.pk])
    assert created.unit == tree.village_a
    assert created.role_codes == ["commodity", "field"]
    assert created.full_name == "测试用户"
    assert created.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_id=str(created.pk), object_type="orgs.user"
    )
    assert event.username == "admin"
    assert NEW_PASSWORD not in str(event.changes)


def test_create_user_form_prefills_the_unit(client, tree, users):
    client.force_login(users.admin)
    response = client.get(reverse("orgs:user_create"), {"unit": tree.village_b.code})
    assert response.context["form"].initial["unit"] == tree.village_b.code


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "Other-pass-2026!"}, "password2"),
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"password1": "new_field1", "password2": "new_field1"}, "password1"),
        ({"username": "field_a"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"username": ""}, "username"),
        ({"roles": []}, "roles"),
        ({"roles": ["root"]}, "roles"),
        ({"unit": "NOPE"}, "unit"),
    ],
    ids=[
        "mismatch",
        "numeric",
        "short",
        "like-username",
        "duplicate",
        "invalid-username",
        "blank-username",
        "no-role",
        "unknown-role",
        "unknown-unit",
    ],
)
def test_create_user_bad_input(client, users, overrides, field):
    client.force_login(users.admin)
    before = User.objects.count()
    response = client.post(reverse("orgs:user_create"), _new_user_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.count() == before


def test_create_user_outside_own_scope_is_refused(client, tree, town_admin):
    client.force_login(town_admin)
    response = client.post(reverse("orgs:user_create"), _new_user_data(unit=tree.community.code))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="new_field").exists()
    units = list(response.context["form"].fields["unit"].queryset)
    assert tree.community not in units and tree.village_b in units


def test_create_user_duplicate_username_message(client, users):
    client.force_login(users.admin)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.post(
            reverse("orgs:user_create"),
            _new_user_data(username="field_a"),
        )
        assert "already exists" in " ".join(response.context["form"].errors["username"])


# --- roles -----------------------------------------------------------------------------------


def test_change_roles_needs_change_user(client, users):
    client.force_login(users.office)
    url = reverse("orgs:user_roles", args=[users.field_a.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"roles": ["admin"]}).status_code == 403
    users.field_a.refresh_from_db()
    assert users.field_a.role_codes == ["field"]


def test_own_roles_page_needs_change_user(client, users):
    client.force_login(users.field_a)
    url = reverse("orgs:user_roles", args=[users.field_a.pk])
    assert client.post(url, {"roles": ["admin"]}).status_code == 403
    assert User.objects.get(pk=users.field_a.pk).role_codes == ["field"]


def test_change_roles_happy_path(client, users):
    client.force_login(users.admin)
    url = reverse("orgs:user_roles", args=[users.field_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["roles"] == ["field"]
    response = client.post(url, {"roles": ["field", "leader"]})
    assert response.status_code == 302
    assert User.objects.get(pk=users.field_a.pk).role_codes == ["field", "leader"]
    event = AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(users.field_a.pk)
    ).latest("id")
    assert event.changes == {"roles": [["field"], ["field", "leader"]]}


def test_change_roles_bad_input(client, users):
    client.force_login(users.admin)
    response = client.post(
        reverse("orgs:user_roles", args=[users.field_a.pk]), {"roles": ["superboss"]}
    )
    assert response.status_code == 200
    assert "roles" in response.context["form"].errors
    assert User.objects.get(pk=users.field_a.pk).role_codes == ["field"]


def test_change_roles_out_of_scope_is_404_and_audited(client, users, town_admin, community_user):
    client.force_login(town_admin)
    response = client.post(
        reverse("orgs:user_roles", args=[community_user.pk]), {"roles": ["admin"]}
    )
    assert response.status_code == 404
    assert User.objects.get(pk=community_user.pk).role_codes == ["field"]
    assert _denied("town_admin").count() == 1


# --- API tokens ------------------------------------------------------------------------------


def test_user_creates_own_token_and_sees_the_secret_once(client, users):
    client.force_login(users.field_a)
    response = client.post(
        reverse("orgs:token_create", args=[users.field_a.pk]),
        {"name": "手机应用", "expires_in": "30"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    token = ApiToken.objects.get(user=users.field_a)
    assert token.name == "手机应用"
    assert secret in response.content.decode()
    assert 'data-copy-target="#js-token-secret"' in response.content.decode()
    assert token.digest != secret and secret not in token.digest
    assert tokens.token_authenticate(secret) == users.field_a
    days = (token.expires_at - timezone.now()).days
    assert 29 <= days <= 30
    # the user page lists it, without the secret
    page = client.get(reverse("orgs:user_detail", args=[users.field_a.pk])).content.decode()
    assert token.prefix in page
    assert secret not in page
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN, username="field_a").exists()


def test_token_without_expiry_gets_the_default_lifetime(client, users):
    client.force_login(users.field_a)
    client.post(
        reverse("orgs:token_create", args=[users.field_a.pk]), {"name": "", "expires_in": ""}
    )
    token = ApiToken.objects.get(user=users.field_a)
    assert 89 <= (token.expires_at - timezone.now()).days <= 90  # never "until revoked"
    page = client.get(reverse("orgs:user_detail", args=[users.field_a.pk])).content.decode()
    assert 'value="3650"' not in page


def test_token_page_refuses_more_than_a_year(client, users):
    client.force_login(users.field_a)
    client.post(
        reverse("orgs:token_create", args=[users.field_a.pk]), {"name": "", "expires_in": "3650"}
    )
    assert not ApiToken.objects.filter(user=users.field_a).exists()


def test_token_bad_input_creates_nothing(client, users):
    client.force_login(users.field_a)
    response = client.post(
        reverse("orgs:token_create", args=[users.field_a.pk]),
        {"name": "x" * 101, "expires_in": "7"},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_token_create_is_post_only(client, users):
    client.force_login(users.field_a)
    assert client.get(reverse("orgs:token_create", args=[users.field_a.pk])).status_code == 405
    assert not ApiToken.objects.exists()


def test_user_revokes_own_token(client, users):
    token, secret = tokens.token_create(actor=users.field_a, user=users.field_a)
    client.force_login(users.field_a)
    url = reverse("orgs:token_revoke", args=[users.field_a.pk, token.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert tokens.token_authenticate(secret) is None


def test_tokens_of_someone_else_out_of_scope_are_404(client, users):
    token, _secret = tokens.token_create(actor=None, user=users.field_b)
    client.force_login(users.field_a)
    assert client.post(reverse("orgs:token_create", args=[users.field_b.pk])).status_code == 404
    revoke = reverse("orgs:token_revoke", args=[users.field_b.pk, token.pk])
    assert client.post(revoke).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.filter(user=users.field_b).count() == 1
    assert _denied("field_a").count() == 2


def test_tokens_of_someone_else_in_scope_need_change_user(client, users, field_a2):
    token, _secret = tokens.token_create(actor=None, user=field_a2)
    client.force_login(users.field_a)
    assert client.post(reverse("orgs:token_create", args=[field_a2.pk])).status_code == 403
    revoke = reverse("orgs:token_revoke", args=[field_a2.pk, token.pk])
    assert client.post(revoke).status_code == 403
    client.force_login(users.office)  # office may view users but not manage them
    assert client.post(revoke).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_admin_manages_tokens_of_users_in_scope(client, users):
    client.force_login(users.admin)
    response = client.post(
        reverse("orgs:token_create", args=[users.field_b.pk]), {"name": "sync", "expires_in": "90"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=users.field_b)
    response = client.post(reverse("orgs:token_revoke", args=[users.field_b.pk, token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoking_a_token_through_another_users_url_is_404(client, users, field_a2):
    token, _secret = tokens.token_create(actor=None, user=field_a2)
    client.force_login(users.field_a)
    # own user id in the URL, someone else's token id
    response = client.post(reverse("orgs:token_revoke", args=[users.field_a.pk, token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
