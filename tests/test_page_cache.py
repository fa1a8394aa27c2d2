"""Anonymous visitors get public pages from the cache; a write is visible at once; nothing personal
is ever cached or served from the cache."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from khooshe.registry.models import Organization, OrganizationKind, Visibility


@pytest.fixture
def page_cache(settings):
    settings.KHOOSHE_PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def make_org(name, **extra):
    return Organization.objects.create(kind=OrganizationKind.STARTUP, name_fa=name, **extra)


@pytest.mark.django_db
def test_anonymous_list_is_served_from_the_cache_and_a_write_shows_at_once(client, page_cache):
    make_org("پسته‌یار")
    url = reverse("registry:organization_list")
    first = client.get(url)
    assert first.status_code == 200 and "X-Khooshe-Cache" not in first
    second = client.get(url)
    assert second["X-Khooshe-Cache"] == "hit"
    assert second.content == first.content
    make_org("زعفران‌کار")  # a save bumps the cache version
    third = client.get(url)
    assert "X-Khooshe-Cache" not in third
    assert "زعفران‌کار" in third.content.decode()


@pytest.mark.django_db
def test_cached_pages_carry_no_csrf_token_and_set_no_cookie(client, page_cache):
    make_org("پسته‌یار")
    response = client.get(reverse("registry:organization_list"))
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


@pytest.mark.django_db
def test_logged_in_users_are_never_served_from_the_cache(client, admin_user, page_cache):
    secret = make_org("سازمان محرمانه", visibility=Visibility.PRIVATE)
    url = reverse("registry:organization_list")
    anonymous = client.get(url).content.decode()
    assert secret.name_fa not in anonymous
    client.force_login(admin_user)
    page = client.get(url)
    assert "X-Khooshe-Cache" not in page
    assert secret.name_fa in page.content.decode()


@pytest.mark.django_db
def test_languages_are_cached_apart(client, page_cache, settings):
    make_org("پسته‌یار")
    url = reverse("registry:organization_list")
    persian = client.get(url)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url)
    assert persian["Content-Language"] == "fa" and english["Content-Language"] == "en"
    assert "X-Khooshe-Cache" not in english


@pytest.mark.django_db
def test_anonymous_visitor_switches_language_with_a_link(client):
    response = client.get(reverse("switch_language"), {"language": "en", "next": "/registry/organizations/"})
    assert response.status_code == 302 and response["Location"] == "/registry/organizations/"
    assert response.cookies["khooshe_language"].value == "en"
    page = client.get("/registry/organizations/")
    assert 'dir="ltr"' in page.content.decode()
