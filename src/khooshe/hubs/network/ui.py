"""network models in the generic UI and API (core.generic); imported by khooshe.hubs.ui."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, RelatedList, register

from . import api, filters, forms, models

GROUP = _("Hubs")

register(ModelConfig(
    model=models.HubNetwork,
    filterset_class=filters.HubNetworkFilterSet,
    form_class=forms.HubNetworkForm,
    serializer_class=api.HubNetworkSerializer,
    slug="hub-networks",
    list_columns=["name", "coordinator", "created_at"],
    select_related=["coordinator"],
    detail_fields=["name", "coordinator", "members", "description", "created_at", "updated_at"],
    related_lists=[RelatedList(_("Link rules"), models.LinkRule, "network", ["site", "price_factor"])],
    detail_template="hubs/network/network_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.LinkRule,
    filterset_class=filters.LinkRuleFilterSet,
    form_class=forms.LinkRuleForm,
    serializer_class=api.LinkRuleSerializer,
    slug="link-rules",
    list_columns=["site", "network", "price_factor", "can_attend_events", "can_request_services"],
    select_related=["site", "network"],
    detail_fields=["site", "network", "space_kinds", "price_factor", "can_attend_events", "can_request_services",
                   "note", "created_at", "updated_at"],
    menu_group=GROUP,
))

# The change history of networks and link rules (each hubs area registers its own models).
from auditlog.registry import auditlog  # noqa: E402

auditlog.register(models.HubNetwork, exclude_fields=["search_text", "updated_at"], m2m_fields={"members"})
auditlog.register(models.LinkRule, exclude_fields=["updated_at"])
