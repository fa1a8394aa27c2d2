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


class ImportRun(models.Model):
    """One import of a CSV/XLSX file (core.tabular): who, when, which file, what it did.

    The web import keeps the uploaded file between the check and the confirmation; it is removed once the
    import is applied or refused. The report keeps the problems found (capped, see ``core.tabular``).
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        CHECKED = "checked", _("Checked, nothing written")
        INVALID = "invalid", _("Refused: the file has errors")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed, nothing written")

    user = models.ForeignKey("core.User", models.SET_NULL, null=True, blank=True, related_name="import_runs",
                             verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=32)
    file_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True, max_length=255)
    source = models.CharField(_("source"), max_length=8, default="web")  # "web" or "cli"
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.RUNNING)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-started_at"])]

    def __str__(self):
        return f"{self.file_name} ({self.kind}, {self.get_status_display()})"
