"""The Chinese catalog is complete and compiled, and pages are Chinese by default."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

import jisheng

LOCALE = Path(jisheng.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_is_translated():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"
    assert len(po.translated_entries()) > 100


def test_compiled_catalog_matches_source():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    source = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in po if not e.obsolete
    }
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in mo if e.msgid}
    assert source == compiled, "run `make messages` to recompile django.mo"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("County / district", "县/区"),
        ("Township", "乡镇"),
        ("Specialist / propagandist", "专干/宣传员"),
        ("Family-planning office", "计生办"),
    ],
)
def test_domain_labels(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese


def test_login_page_is_chinese_by_default(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.text
    assert "登录" in response.text


def test_browser_language_does_not_override_chinese(client, db):
    """Pages are Chinese whatever the browser asks; English is chosen explicitly."""
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in response.text


def test_english_can_be_chosen(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    response = client.get("/login/")
    assert 'lang="en"' in response.text
    assert "Log in" in response.text


def test_api_follows_accept_language(client, db):
    english = client.get("/api/v1/units", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get("/api/v1/units").json()
    assert english["code"] == chinese["code"] == "unauthorized"
    assert english["message"] != chinese["message"]
