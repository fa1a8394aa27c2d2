"""catalogue models in the generic UI and API (core.generic); imported by khooshe.hubs.ui."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, register

from . import api, filters, forms, models

GROUP = _("Hubs")

register(ModelConfig(
    model=models.Service,
    filterset_class=filters.ServiceFilterSet,
    form_class=forms.ServiceForm,
    serializer_class=api.ServiceSerializer,
    list_columns=["name", "site", "kind", "provider", "price", "audience", "active"],
    select_related=["site", "provider"],
    detail_fields=["name", "site", "kind", "provider", "description", "price", "audience", "active",
                   "created_at", "updated_at"],
    detail_template="hubs/catalogue/service_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.ServiceRequest,
    filterset_class=filters.ServiceRequestFilterSet,
    form_class=forms.ServiceRequestEditForm,
    serializer_class=api.ServiceRequestSerializer,
    slug="service-requests",
    list_columns=["service", "requested_by", "organization", "status", "assigned_to", "rating", "created_at"],
    select_related=["service__site", "requested_by", "organization", "assigned_to", "assigned_provider"],
    detail_fields=["service", "requested_by", "organization", "description", "status", "assigned_to",
                   "assigned_provider", "closed_at", "rating", "rating_comment", "rated_at", "created_at"],
    detail_template="hubs/catalogue/request_extra.html",
    api_read_only=True,  # requests change through their actions (assign, status, messages, rate)
    menu_group=GROUP,
))

# The change history of services and requests (each hubs area registers its own models).
from auditlog.registry import auditlog  # noqa: E402

auditlog.register(models.Service, exclude_fields=["search_text", "updated_at"])
auditlog.register(models.ServiceRequest, exclude_fields=["updated_at"])
