"""residents models in the generic UI and API (core.generic); imported by khooshe.hubs.ui."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, register

from . import api, filters, forms, models, services

GROUP = _("Hubs")

register(ModelConfig(
    model=models.Residency,
    filterset_class=filters.ResidencyFilterSet,
    form_class=forms.ResidencyForm,
    serializer_class=api.ResidencySerializer,
    slug="residencies",
    list_columns=["organization", "site", "hub_plan", "stage", "status", "start_date", "end_date", "monthly_price"],
    select_related=["organization", "site", "hub_plan", "stage"],
    detail_fields=["organization", "site", "hub_plan", "plan", "spaces", "stage", "status", "start_date", "end_date",
                   "monthly_price", "monthly_credits", "deposit", "created_at", "updated_at"],
    detail_template="hubs/residents/residency_extra.html",
    save_service=services.save_residency_from_form,
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.HubPlan,
    filterset_class=filters.HubPlanFilterSet,
    form_class=forms.HubPlanForm,
    serializer_class=api.HubPlanSerializer,
    slug="hubplans",
    list_columns=["name", "site", "kind", "monthly_price", "monthly_credits", "desks_included"],
    select_related=["site"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.JourneyStage,
    filterset_class=filters.JourneyStageFilterSet,
    form_class=forms.JourneyStageForm,
    serializer_class=api.JourneyStageSerializer,
    slug="journeystages",
    list_columns=["order", "name", "site", "outcome", "required_evidence"],
    select_related=["site"],
    menu_group=GROUP,
))

# The change history of the residents' records (the lead may move these next to the others in hubs/apps.py).
from auditlog.registry import auditlog  # noqa: E402

auditlog.register(models.HubPlan, exclude_fields=["updated_at"])
auditlog.register(models.JourneyStage, exclude_fields=["updated_at"])
auditlog.register(models.StageMove, exclude_fields=["updated_at"])
auditlog.register(models.KpiSnapshot, exclude_fields=["updated_at"])
