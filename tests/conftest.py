"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL with DATABASE_URL set."""

import pytest


@pytest.fixture(autouse=True)
def _english_free_media(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never into the data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "admin-pass-123")
