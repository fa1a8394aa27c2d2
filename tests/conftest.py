"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL with DATABASE_URL set."""

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never into the data directory; a fast
    password hasher (the real one is deliberately slow)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KHOOSHE_PAGE_CACHE_SECONDS = 0  # tests/test_page_cache.py turns it on where it is tested
    settings.KHOOSHE_SEARCH_DIR = tmp_path / "search"  # a search index per test (khooshe.search)
    settings.KHOOSHE_SEARCH_DENSE = False  # embeddings are slow; tests/test_search_index.py tests them
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "admin-pass-123")


@pytest.fixture
def reference_data(db):
    """ISIC Rev.4 sectors and Iran's regions, loaded inside the test's transaction (rolled back after),
    so tests that build their own small regions and sectors are never disturbed by them."""
    from khooshe.registry.reference import ensure_reference_data

    ensure_reference_data()
