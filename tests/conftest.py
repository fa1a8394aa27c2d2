"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL with DATABASE_URL set."""

import pytest


@pytest.fixture(autouse=True)
def _english_free_media(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never into the data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "admin-pass-123")


@pytest.fixture(scope="session")
def reference_data(django_db_setup, django_db_blocker):
    """ISIC Rev.4 sectors and Iran's regions, loaded once per test session (outside any test's
    transaction, so every test sees them). A test that flushes the database (transactional_db,
    live_server) removes them for later tests: call ensure_reference_data() again there."""
    from khooshe.registry.reference import ensure_reference_data

    with django_db_blocker.unblock():
        ensure_reference_data()
