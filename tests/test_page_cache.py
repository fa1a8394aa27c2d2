"""Anonymous visitors get public pages from the cache; a write is visible at once; nothing personal
is ever cached or served from the cache."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from khooshe.core import page_cache as page_cache_module
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


REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def shared_page_cache(settings):
    """The production set-up: pages in Redis shared by the workers, a per-process layer in front."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379 (the shared page cache needs one)")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                    "KEY_PREFIX": "khooshe-test"},
        "pages-local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-pages"},
    }
    settings.KHOOSHE_PAGE_CACHE_SECONDS = 60
    settings.KHOOSHE_PAGE_CACHE_VERSION_SECONDS = 60
    from django.core.cache import caches

    caches["default"].clear()
    caches["pages-local"].clear()
    page_cache_module._version_memo.clear()
    yield
    caches["default"].clear()
    caches["pages-local"].clear()
    page_cache_module._version_memo.clear()


@pytest.mark.django_db
def test_shared_cache_serves_pages_and_a_write_in_this_process_shows_at_once(client, shared_page_cache):
    make_org("پسته‌یار")
    url = reverse("registry:organization_list")
    client.get(url)
    assert client.get(url)["X-Khooshe-Cache"] == "hit"
    make_org("زعفران‌کار")
    fresh = client.get(url)
    assert "X-Khooshe-Cache" not in fresh and "زعفران‌کار" in fresh.content.decode()


@pytest.mark.django_db
def test_a_write_through_another_worker_reaches_this_one_once_its_version_copy_expires(client, shared_page_cache):
    from django.core.cache import caches

    org = make_org("پسته‌یار")
    url = reverse("registry:organization_detail", args=[org.pk])
    client.get(url)
    assert client.get(url)["X-Khooshe-Cache"] == "hit"
    # Another worker saved a change: it bumped the shared version in Redis, not this process's copy.
    Organization.objects.filter(pk=org.pk).update(name_fa="پسته‌یار نو")
    caches["default"].incr(page_cache_module.VERSION_KEY)
    assert client.get(url)["X-Khooshe-Cache"] == "hit"  # within KHOOSHE_PAGE_CACHE_VERSION_SECONDS
    page_cache_module._version_memo["read_at"] -= 61  # that time has passed
    fresh = client.get(url)
    assert "X-Khooshe-Cache" not in fresh and "پسته‌یار نو" in fresh.content.decode()
