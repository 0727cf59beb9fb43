"""The user's pass over the quality pages (issue 15 / ui): what a Chinese user would trip
on — a header in the wrong sense, a message template's braces, a long message cut off on
the phone, an empty page without a hint."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.quality.rules_data import load_default_rules
from tests.quality.test_rules_pages import flagged  # noqa: F401


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_rule_list_says_rule_and_shows_the_message_in_words(db, users):
    load_default_rules()
    html = _client(users.office).get(reverse("quality:rule_list")).content.decode()
    head = html.split('data-testid="rule-list"')[1].split("</thead>")[0]
    assert "<th>规则</th>" in head and "计分办法" not in head
    assert "table-cards" in html.split('data-testid="rule-list"')[0].rsplit("<table", 1)[1]
    body = html.split('data-testid="rule-list"')[1]
    assert "{left}" not in body and "{right}" not in body and "{detail}" not in body
    assert "〈左边的数〉" in body and "〈右边的数〉" in body and "〈详情〉" in body


def test_check_run_header_is_rule(flagged, users):  # noqa: F811
    html = _client(users.office).get(reverse("quality:check_run"), {"period": "2026-03"})
    head = html.content.decode().split("<thead>")[1].split("</thead>")[0]
    assert "<th>规则</th>" in head
    table = html.content.decode().split('data-testid="check-results"')[0].rsplit("<table", 1)[1]
    assert "table-cards" in table  # the counts stay in view on the phone


def test_rule_results_are_cards_on_the_phone(flagged, users, tree):  # noqa: F811
    url = reverse("quality:check_rule", args=["mother_age_out_of_range"])
    html = _client(users.office).get(url, {"period": "2026-03"}).content.decode()
    table = html.split('data-testid="violations"')[0].rsplit("<table", 1)[1]
    assert "table-cards" in table
    assert 'data-label="结果"' in html


def test_underreporting_empty_state_is_a_paragraph(db, users, tree):
    html = _client(users.office).get(
        reverse("quality:underreporting"), {"unit": tree.county.code, "period": "2025"}
    )
    page = html.content.decode()
    assert '<p class="small text-body-secondary" data-testid="none-flagged">' in page
    assert 'data-testid="flagged-villages"' not in page


def test_crosscheck_lists_tell_a_village_who_imports(db, users):
    page = _client(users.field_a).get(reverse("quality:crosscheck_lists")).content.decode()
    assert "尚未导入名单" in page and "名单由上级计生办导入" in page
    office = _client(users.office).get(reverse("quality:crosscheck_lists")).content.decode()
    assert "名单由上级计生办导入" not in office


def test_rule_list_shows_no_formula_notation(db, users):
    """The office reads what a rule checks in words (name, message); the formula's
    notation (population names and filters) stays in the rule file."""
    load_default_rules()
    html = _client(users.office).get(reverse("quality:rule_list")).content.decode()
    row = html.split('data-rule="births_by_sex"')[1].split("</tr>")[0]
    assert "数据比较" in row
    assert "births[male]" not in html and "with_method" not in html
