"""Datasets of economic statistics and the analysis runs made on them.

A ``Dataset`` is a table of records (region, industry, value, and optionally year, establishment and
wage), uploaded as CSV/XLSX/Parquet or built from the registry's organizations. On creation it is
checked and stored as one Parquet file with canonical column names (``storage.dataset_data``); the
uploaded original is kept next to it for download.

An ``AnalysisRun`` runs the analytics pipeline on a dataset in the background; its result tables are
Parquet files in ``storage.run_dir(run)``, written whole or not at all.

Access: datasets are private by default. A platform admin sees and edits every dataset; staff of a
cluster may upload, and see and edit their own datasets and those scoped to their clusters; anyone
(anonymous visitors included) sees a dataset made public, with its runs and results.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khooshe.core.models import SearchableModel
from khooshe.registry.access import access_for
from khooshe.registry.models import Visibility


class DatasetQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        condition = Q(visibility=Visibility.PUBLIC)
        if user is not None and user.is_authenticated:
            condition |= Q(owner=user)
            if acc.cluster_ids:
                condition |= Q(cluster__in=acc.cluster_ids)
        return self.filter(condition)


class Dataset(SearchableModel):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded file")
        REGISTRY = "registry", _("The registry's organizations")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PARQUET = "parquet", "Parquet"
        REGISTRY = "registry", _("Registry")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                              related_name="datasets", verbose_name=_("owner"))
    cluster = models.ForeignKey("registry.Cluster", models.SET_NULL, null=True, blank=True,
                                related_name="datasets", verbose_name=_("cluster"),
                                help_text=_("Optional: the cluster these statistics are about. Its staff may "
                                            "see and analyse the dataset."))
    region = models.ForeignKey("registry.Region", models.SET_NULL, null=True, blank=True,
                               related_name="datasets", verbose_name=_("region"),
                               help_text=_("Optional: the country or province the statistics cover."))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.UPLOAD,
                              editable=False)
    file_format = models.CharField(_("file format"), max_length=16, choices=Format.choices, editable=False)
    original_name = models.CharField(_("file name"), max_length=255, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0, editable=False)
    # The columns of the original file that hold each role (the stored Parquet uses canonical names).
    region_col = models.CharField(_("region column"), max_length=200, editable=False)
    industry_col = models.CharField(_("industry column"), max_length=200, editable=False)
    value_col = models.CharField(_("value column"), max_length=200, editable=False)
    year_col = models.CharField(_("year column"), max_length=200, blank=True, editable=False)
    establishment_col = models.CharField(_("establishment column"), max_length=200, blank=True, editable=False)
    wage_col = models.CharField(_("wage column"), max_length=200, blank=True, editable=False)
    row_count = models.PositiveBigIntegerField(_("rows"), default=0, editable=False)
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices,
                                  default=Visibility.PRIVATE)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("insights:dataset_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.name, self.description, self.original_name]

    @property
    def mapping(self) -> dict[str, str]:
        """The role of each mapped column: {"region": "province", "industry": "isic", ...}."""
        roles = {"region": self.region_col, "industry": self.industry_col, "value": self.value_col,
                 "year": self.year_col, "establishment": self.establishment_col, "wage": self.wage_col}
        return {role: column for role, column in roles.items() if column}

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.cluster_ids)

    def is_editable_by(self, user):
        if user is None or not user.is_authenticated:
            return False
        acc = access_for(user)
        if acc.is_admin:
            return True
        if self.pk is None:
            return self.can_be_created_by(user)
        return self.owner_id == user.pk or (self.cluster_id is not None and self.cluster_id in acc.cluster_ids)


class AnalysisRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(dataset__in=Dataset.objects.visible_to(user))


class AnalysisRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    dataset = models.ForeignKey(Dataset, models.CASCADE, related_name="runs", verbose_name=_("dataset"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="analysis_runs", verbose_name=_("started by"))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("current step"), max_length=300, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_params = models.JSONField(_("error details"), default=dict, blank=True)
    error_message = models.TextField(_("error message"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    # {name: {"rows": n, "columns": [[name, type], ...]}} of the result tables, filled on success.
    tables = models.JSONField(_("result tables"), default=dict, blank=True)
    # The pipeline's meta.json: the year analysed, sizes, cluster validation scores, the rules applied.
    meta = models.JSONField(_("about the results"), default=dict, blank=True)
    # Region and industry values of the data matched to registry regions and sectors (see services).
    labels = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = AnalysisRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Analysis %(number)s of “%(dataset)s”") % {"number": self.pk, "dataset": self.dataset}

    def get_absolute_url(self):
        return reverse("insights:run_detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    def is_editable_by(self, user):
        return self.dataset.is_editable_by(user)
