"""Change history (django-auditlog), login throttling (django-axes), language, Jalali input, API token."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import translation
from factories import make_org, make_sector, make_user
from mixins import element_html, form_values, visible_text
from rest_framework.test import APIClient

from khooshe.core.text import normalize
from khooshe.registry.models import Organization

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-secret-ok-42"


def history_of(client, obj) -> str:
    response = client.get(obj.get_absolute_url())
    assert response.status_code == 200
    section = element_html(response.content.decode(), "history")
    assert section, "the record page has no change history"
    return visible_text(section)


def label(model, field) -> str:
    with translation.override("fa"):
        return str(model._meta.get_field(field).verbose_name)


# -- change history --------------------------------------------------------------------------------------
def test_create_edit_and_m2m_changes_appear_in_the_history_with_who_and_what():
    editor = make_user("cda_kermani", superuser=True)
    client = Client()
    client.force_login(editor)
    sector = make_sector(title_fa="کشاورزی آزمون")

    response = client.post("/registry/organizations/add/",
                           {"kind": "sme", "name_fa": "شرکت تاریخچه", "visibility": "public"})
    assert response.status_code == 302
    org = Organization.objects.get(name_fa="شرکت تاریخچه")
    history = history_of(client, org)
    assert "cda_kermani" in history and "شرکت تاریخچه" in history

    form = client.get(f"/registry/organizations/{org.pk}/edit/").context["form"]
    client.post(f"/registry/organizations/{org.pk}/edit/",
                {**form_values(form), "name_en": "History Co", "sectors": [sector.pk]})
    org.refresh_from_db()
    assert org.name_en == "History Co" and list(org.sectors.all()) == [sector]
    history = history_of(client, org)
    assert label(Organization, "name_en") in history and "History Co" in history
    # The many-to-many change names the sector that was added, not an empty "— → —".
    assert label(Organization, "sectors") in history
    assert str(sector) in history

    form = client.get(f"/registry/organizations/{org.pk}/edit/").context["form"]
    client.post(f"/registry/organizations/{org.pk}/edit/", {**form_values(form), "sectors": []})
    entries = LogEntry.objects.get_for_object(org)
    assert entries.count() >= 4  # create, edit, sector added, sector removed
    assert all(entry.actor == editor for entry in entries)

    client.post(f"/registry/organizations/{org.pk}/delete/")
    deleted = LogEntry.objects.filter(object_pk=str(org.pk), action=LogEntry.Action.DELETE,
                                      content_type__model="organization").get()
    assert deleted.actor == editor


def test_api_changes_name_the_token_user_in_the_history():
    user = make_user("api_writer", superuser=True)
    client = APIClient()
    client.force_authenticate(user=None)
    from rest_framework.authtoken.models import Token

    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = client.post("/api/registry/organizations/", {"kind": "sme", "name_fa": "شرکت توکنی"}, format="json")
    assert response.status_code == 201
    org = Organization.objects.get(pk=response.json()["id"])
    client.patch(f"/api/registry/organizations/{org.pk}/", {"name_en": "Token Co"}, format="json")
    entries = LogEntry.objects.get_for_object(org)
    assert entries.count() == 2 and {e.actor for e in entries} == {user}
    viewer = Client()
    viewer.force_login(user)
    assert "api_writer" in history_of(viewer, org)


# -- login throttling --------------------------------------------------------------------------------------
def test_sixth_login_after_five_wrong_passwords_is_refused_even_when_right():
    make_user("guessed", password=PASSWORD)
    client = Client()
    for attempt in range(5):
        response = client.post("/accounts/login/", {"username": "guessed", "password": "wrong-password"})
        if attempt < 4:
            assert response.status_code == 200  # the form again, with an error
        assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/", {"username": "guessed", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "core/lockout.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in():
    make_user("rightful", password=PASSWORD)
    client = Client()
    response = client.post("/accounts/login/", {"username": "rightful", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


# -- language ----------------------------------------------------------------------------------------------
def html_tag(client, url="/") -> str:
    content = client.get(url).content.decode()
    return re.search(r"<html[^>]*>", content).group(0)


def test_persian_is_the_default_and_right_to_left():
    tag = html_tag(Client())
    assert 'lang="fa"' in tag and 'dir="rtl"' in tag


def test_language_switch_is_saved_on_the_user_and_kept_at_next_login():
    user = make_user("bilingual", password=PASSWORD)
    client = Client()
    client.post("/accounts/login/", {"username": "bilingual", "password": PASSWORD})
    response = client.post("/accounts/language/", {"language": "en", "next": "/registry/organizations/"})
    assert response.status_code == 302 and response["Location"] == "/registry/organizations/"
    tag = html_tag(client, "/registry/organizations/")
    assert 'lang="en"' in tag and 'dir="ltr"' in tag
    user.refresh_from_db()
    assert user.language == "en"

    # Another browser (no language cookie): after logging in, the saved choice applies.
    fresh = Client()
    assert 'lang="fa"' in html_tag(fresh)
    fresh.post("/accounts/login/", {"username": "bilingual", "password": PASSWORD})
    tag = html_tag(fresh)
    assert 'lang="en"' in tag and 'dir="ltr"' in tag


def test_anonymous_language_switch_uses_the_cookie_and_refuses_foreign_redirects():
    client = Client()
    response = client.post("/accounts/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert 'lang="en"' in html_tag(client)
    client.post("/accounts/language/", {"language": "xx"})
    assert 'lang="en"' in html_tag(client)  # an unknown language changes nothing


# -- Jalali dates ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["1403/05/12", "۱۴۰۳/۰۵/۱۲", "1403-5-12"])
def test_jalali_date_input_is_stored_gregorian_and_shown_jalali(typed):
    client = Client()
    client.force_login(make_user(superuser=True))
    response = client.post("/registry/organizations/add/", {
        "kind": "knowledge_based", "name_fa": "شرکت دانش‌بنیان جلالی", "visibility": "public",
        "certification": "knowledge_based", "certified_from": typed,
    })
    assert response.status_code == 302, response.context and response.context["form"].errors
    org = Organization.objects.get(name_fa="شرکت دانش‌بنیان جلالی")
    assert org.certified_from == dt.date(2024, 8, 2)
    assert "۱۲ مرداد ۱۴۰۳" in client.get(org.get_absolute_url()).content.decode()


def test_invalid_jalali_date_names_the_field_and_the_format():
    client = Client()
    client.force_login(make_user(superuser=True))
    response = client.post("/registry/organizations/add/", {
        "kind": "knowledge_based", "name_fa": "شرکت تاریخ بد", "visibility": "public",
        "certification": "knowledge_based", "certified_from": "1403/13/40",
    })
    assert response.status_code == 400
    error = normalize(visible_text(element_html(response.content.decode(), "id_certified_from_error")))
    assert "1403/05/12" in error  # says what a valid date looks like (in Persian digits in Persian)


def test_english_interface_shows_iso_dates():
    user = make_user(superuser=True, language="en")
    org = make_org(certification="knowledge_based", certified_from=dt.date(2024, 8, 2))
    client = Client()
    client.force_login(user)
    assert "2024-08-02" in client.get(org.get_absolute_url()).content.decode()


# -- API token ---------------------------------------------------------------------------------------------
def test_api_token_page_creates_a_token_that_authenticates():
    user = make_user("tokenholder", superuser=True)
    client = Client()
    client.force_login(user)
    assert client.get("/accounts/token/").status_code == 200
    content = client.post("/accounts/token/").content.decode()
    key = re.search(r"Authorization: Token ([0-9a-f]{40})", content).group(1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.post("/api/registry/organizations/", {"kind": "sme", "name_fa": "با توکن"}, format="json")
    assert response.status_code == 201
    # Replacing the token revokes the old one.
    new_key = re.search(r"Token ([0-9a-f]{40})", client.post("/accounts/token/").content.decode()).group(1)
    assert new_key != key
    assert api.post("/api/registry/organizations/", {"kind": "sme", "name_fa": "دوباره"},
                    format="json").status_code == 401


def test_token_page_needs_login():
    response = Client().get("/accounts/token/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
