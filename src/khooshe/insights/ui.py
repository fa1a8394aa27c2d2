"""Datasets in the generic UI and API (core.generic): list, detail, edit, delete, export, and
``/api/insights/datasets/``. Adding a dataset has its own two-step page (views.DatasetUploadView)."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, register

from . import api, filters, forms, models

register(ModelConfig(
    model=models.Dataset,
    filterset_class=filters.DatasetFilterSet,
    form_class=forms.DatasetForm,
    serializer_class=api.DatasetSerializer,
    list_columns=["name", "source", "file_format", "row_count", "visibility", "owner", "created_at"],
    select_related=["owner", "cluster"],
    detail_fields=["name", "description", "source", "file_format", "original_name", "row_count", "region_col",
                   "industry_col", "value_col", "year_col", "establishment_col", "wage_col", "visibility",
                   "cluster", "region", "owner", "created_at", "updated_at"],
    detail_template="insights/dataset_extra.html",
    menu_group=_("Analysis"),
))
