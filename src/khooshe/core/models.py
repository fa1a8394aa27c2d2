"""Base models shared by every app: the user account and the fields every record carries."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import search_text


class User(AbstractUser):
    """A person who logs in. Roles (member of an organization, staff of a cluster or hub) live in
    ``registry.Role``; a superuser is a platform admin."""

    class Language(models.TextChoices):
        PERSIAN = "fa", _("Persian")
        ENGLISH = "en", _("English")

    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.PERSIAN
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class SearchableModel(TimeStampedModel):
    """A record with a ``search_text`` column filled from ``search_parts()`` on every save.

    Bulk writes (imports) call ``refresh_search_text()`` themselves, because bulk_create skips save().
    """

    search_text = models.TextField(editable=False, default="", db_index=False)

    class Meta:
        abstract = True

    def search_parts(self) -> list[str]:
        raise NotImplementedError

    def refresh_search_text(self) -> None:
        self.search_text = search_text(*self.search_parts())

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)
