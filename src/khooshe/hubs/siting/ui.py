"""siting models in the generic UI and API (core.generic); imported by khooshe.hubs.ui.

The study gets its list, detail, add, edit, delete, export pages and ``/api/hubs/sitingstudies/``; its
criteria, candidates, points of interest and ranking have their own pages (siting/views.py), linked from
the study's page."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, register

from . import api, filters, forms, models, services

register(ModelConfig(
    model=models.SitingStudy,
    filterset_class=filters.SitingStudyFilterSet,
    form_class=forms.SitingStudyForm,
    serializer_class=api.SitingStudySerializer,
    slug="siting-studies",
    list_columns=["name", "owner", "region", "method", "published", "created_at"],
    select_related=["owner", "region"],
    detail_fields=["name", "owner", "region", "description", "method", "published", "consistency_ratio",
                   "created_at", "updated_at"],
    detail_template="hubs/siting/study_extra.html",
    save_service=services.save_study,
    menu_group=_("Hubs"),
))

# The change history of siting studies (each hubs area registers its own models).
from auditlog.registry import auditlog  # noqa: E402

auditlog.register(models.SitingStudy, exclude_fields=["search_text", "updated_at"])
