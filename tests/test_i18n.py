"""The Persian catalogue: complete, faithful to the placeholders, compiled and served.

Persian is Khooshe's default language. Every string of the code is an English msgid; its Persian
translation lives in src/khooshe/locale/fa/LC_MESSAGES/django.po (see docs/translation.md). These tests
fail when a string is added without a translation, when a translation drops or invents a placeholder,
and when a page, a form or the API is not served in the language the user asked for.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

import khooshe
from khooshe.core.i18n import compile_translations

PACKAGE_DIR = Path(khooshe.__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
CATALOGUE = LOCALE_DIR / "fa" / "LC_MESSAGES" / "django.po"
JS_CATALOGUE = LOCALE_DIR / "fa" / "LC_MESSAGES" / "djangojs.po"
# makemessages reads these; the copy of the code it works on holds nothing else.
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".js"}
SKIPPED_DIRS = {"__pycache__", "locale", "vendor", "node_modules"}

# %(name)s (and %%(name)s, its escaped form in {% translate %} strings), %s/%d, {name}, a literal %%.
PLACEHOLDER = re.compile(r"%%?\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{[A-Za-z_]\w*\}|%%")
PERSIAN_LETTERS = re.compile(r"[\u0600-\u06FF]")


def _reload_translations():
    """Forget the catalogues Django has loaded, so a .mo compiled during the run is read."""
    from django.utils.translation.reloader import translation_file_changed

    translation_file_changed(sender=None, file_path=Path("django.mo"))


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """The pages below need an up-to-date .mo: ./dev setup compiles it; do it here too for a bare pytest."""
    if compile_translations():
        _reload_translations()
    yield


def _entries(po: polib.POFile) -> dict[tuple[str | None, str], polib.POEntry]:
    return {(entry.msgctxt, entry.msgid): entry for entry in po if not entry.obsolete}


def _translated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _extract(tmp_path: Path, monkeypatch, domain: str) -> polib.POFile | None:
    """Run makemessages, as a developer would, on a copy of the code into an empty locale folder."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext, msguniq, msgmerge) is needed to extract the strings: "
                    "apt-get install gettext")
    copy = tmp_path / "khooshe"
    if not copy.exists():
        def ignore(folder, names):
            return [n for n in names if n in SKIPPED_DIRS or n.startswith(".")
                    or (Path(folder, n).is_file() and Path(n).suffix not in SOURCE_SUFFIXES)]

        shutil.copytree(PACKAGE_DIR, copy, ignore=ignore)
        (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
    call_command("makemessages", locale=["fa"], domain=domain, no_location=True, verbosity=0)
    extracted = copy / "locale" / "fa" / "LC_MESSAGES" / f"{domain}.po"
    return polib.pofile(str(extracted)) if extracted.exists() else None


def _missing(extracted: polib.POFile | None, committed: Path) -> list[str]:
    if extracted is None:
        return []
    wanted = _entries(extracted)
    have = _entries(polib.pofile(str(committed))) if committed.exists() else {}
    return sorted((f"[{ctx}] " if ctx else "") + msgid
                  for (ctx, msgid) in wanted if msgid and not ((ctx, msgid) in have and _translated(have[ctx, msgid])))


def test_every_string_of_the_code_has_a_persian_translation(tmp_path, monkeypatch):
    extracted = _extract(tmp_path, monkeypatch, "django")
    assert extracted is not None and len(extracted) > 100, "makemessages extracted (almost) nothing"
    missing = _missing(extracted, CATALOGUE)
    assert not missing, (
        f"{len(missing)} strings have no Persian translation (or a fuzzy one) in {CATALOGUE}. Run makemessages "
        "as docs/translation.md says and translate them:\n  " + "\n  ".join(missing))


def test_every_javascript_string_has_a_persian_translation(tmp_path, monkeypatch):
    # Today the scripts take their texts from data-t-* attributes of the templates; should one call
    # gettext() itself, its strings must be in djangojs.po.
    missing = _missing(_extract(tmp_path, monkeypatch, "djangojs"), JS_CATALOGUE)
    assert not missing, f"{len(missing)} JavaScript strings have no Persian translation:\n  " + "\n  ".join(missing)


def test_the_catalogue_has_no_leftovers():
    po = polib.pofile(str(CATALOGUE))
    assert po.metadata.get("Language") == "fa"
    assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=(n > 1);"
    assert not po.obsolete_entries(), "remove the obsolete #~ entries: " + ", ".join(
        e.msgid for e in po.obsolete_entries())
    assert not po.fuzzy_entries(), "fuzzy entries are not used: " + ", ".join(e.msgid for e in po.fuzzy_entries())


def _placeholder_pairs():
    for path in (CATALOGUE, JS_CATALOGUE):
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if entry.msgid_plural:
                forms = entry.msgstr_plural
                yield entry.msgid, forms.get(0, "")
                for index in range(1, len(forms)):
                    yield entry.msgid_plural, forms[index]
            else:
                yield entry.msgid, entry.msgstr


def test_placeholders_are_kept_in_every_translation():
    wrong = []
    for msgid, msgstr in _placeholder_pairs():
        if msgstr and set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(msgstr)):
            wrong.append(f"{msgid!r} -> {msgstr!r}")
    assert not wrong, "translations that drop or change a placeholder:\n  " + "\n  ".join(wrong)


def test_translations_are_persian_and_use_persian_quotes():
    for msgid, msgstr in _placeholder_pairs():
        if not msgstr:
            continue
        if "“" in msgid:  # English curly quotes become guillemets
            assert "«" in msgstr and "“" not in msgstr, (msgid, msgstr)
        letters = re.sub(r"%%?\([^)]*\)\w|\{\w+\}|[^A-Za-z\u0600-\u06FF]", "", msgstr)
        if letters and msgid != "API":  # a word-bearing text, not only a code or a number
            assert PERSIAN_LETTERS.search(msgstr), f"not translated into Persian: {msgid!r} -> {msgstr!r}"
        assert "\u064a" not in msgstr and "\u0643" not in msgstr, f"Arabic yeh/kaf in {msgstr!r}"


def test_compile_translations_produces_a_catalogue_django_loads(tmp_path, settings):
    target = tmp_path / "fa" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(CATALOGUE, target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]  # only the copy: the committed .mo is out of sight
    try:
        _reload_translations()
        with translation.override("fa"):
            assert translation.gettext("Ecosystem map") == "Ecosystem map"  # nothing compiled yet
        assert compile_translations() == 1
        assert (target / "django.mo").stat().st_size > 0
        assert compile_translations() == 0  # up to date: not compiled again
        _reload_translations()
        with translation.override("fa"):
            assert translation.gettext("Ecosystem map") == "نقشه زیست\u200cبوم"
            assert translation.ngettext("%(total_display)s record", "%(total_display)s records", 5) == (
                "%(total_display)s رکورد")
        with translation.override("en"):
            assert translation.gettext("Ecosystem map") == "Ecosystem map"
    finally:
        settings.LOCALE_PATHS = [LOCALE_DIR]
        _reload_translations()


# -- what a user sees ------------------------------------------------------------------------------
def _html_tag(html: str) -> str:
    match = re.search(r"<html[^>]*>", html)
    assert match, "no <html> tag"
    return match.group(0)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/registry/organizations/"])
def test_pages_are_persian_and_right_to_left_by_default(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    tag = _html_tag(html)
    assert 'lang="fa"' in tag and 'dir="rtl"' in tag
    assert "سازمان\u200cها" in html  # "organizations"
    assert "جست\u200cوجو" in html  # "Search"
    assert ">Search<" not in html and "Organizations by kind" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/registry/organizations/"])
def test_pages_are_english_and_left_to_right_with_the_english_cookie(client, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url).content.decode()
    tag = _html_tag(html)
    assert 'lang="en"' in tag and 'dir="ltr"' in tag
    assert "rganizations" in html and "Search" in html
    assert "سازمان\u200cها" not in html and "جست\u200cوجو" not in html


@pytest.mark.django_db
def test_the_organization_list_title_is_persian(client):
    html = client.get("/registry/organizations/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "سازمان\u200cها" in title


@pytest.mark.django_db
def test_a_form_error_is_in_persian(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/registry/organizations/add/",
                           {"kind": "startup", "name_fa": "شرکت آزمون", "national_id": "12345"})
    assert response.status_code == 400  # the form again, with its errors
    html = response.content.decode()
    assert "«12345» شناسه ملی نیست: شناسه ملی باید دقیقاً ۱۱ رقم باشد." in html
    assert "لطفاً فیلدهای مشخص\u200cشده در زیر را اصلاح کنید." in html
    assert "is not a national ID" not in html


@pytest.mark.django_db
def test_a_form_error_is_in_english_for_an_english_user(client, admin_user):
    admin_user.language = "en"
    admin_user.save()
    client.force_login(admin_user)
    html = client.post("/registry/organizations/add/",
                       {"kind": "startup", "name_fa": "شرکت آزمون", "national_id": "12345"}).content.decode()
    assert "“12345” is not a national ID: it must be exactly 11 digits." in html
    assert "شناسه ملی نیست" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, {"HTTP_ACCEPT_LANGUAGE": "fa"}])
def test_an_api_validation_error_is_in_persian(admin_user, headers):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.post("/api/registry/organizations/",
                        {"kind": "startup", "name_fa": "شرکت آزمون", "national_id": "12345"}, format="json",
                        **headers)
    assert response.status_code == 400
    assert response.json()["national_id"] == ["«12345» شناسه ملی نیست: شناسه ملی باید دقیقاً ۱۱ رقم باشد."]


@pytest.mark.django_db
def test_an_api_validation_error_follows_accept_language_english(admin_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.post("/api/registry/organizations/", {"kind": "startup", "name_fa": "x", "national_id": "12345"},
                        format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["national_id"] == ["“12345” is not a national ID: it must be exactly 11 digits."]
