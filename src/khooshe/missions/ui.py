"""The missions app's models in the generic UI and API (core.generic)."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, RelatedList, register

from . import api, filters, forms, models

GROUP = _("Missions")

register(ModelConfig(
    model=models.Mission,
    filterset_class=filters.MissionFilterSet,
    form_class=forms.MissionForm,
    serializer_class=api.MissionSerializer,
    list_columns=["title", "owner", "region", "visibility", "created_at"],
    select_related=["owner", "region"],
    detail_fields=["title", "description", "owner", "region", "capacity_period", "visibility", "created_at",
                   "updated_at"],
    related_lists=[RelatedList(_("Stages"), models.Stage, "mission", ["name", "position", "licences", "min_lot"]),
                   RelatedList(_("Demands"), models.Demand, "mission", ["label", "units"]),
                   RelatedList(_("Compositions"), models.Composition, "mission",
                               ["status", "units", "served", "total_cost", "created_at"])],
    detail_template="missions/mission_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Stage,
    filterset_class=filters.StageFilterSet,
    form_class=forms.StageForm,
    serializer_class=api.StageSerializer,
    list_columns=["name", "mission", "position", "licences", "min_quality", "max_share", "min_lot"],
    select_related=["mission"],
    detail_fields=["mission", "name", "position", "predecessors", "sectors", "capability_tags", "licences",
                   "capacity_unit", "min_quality", "max_share", "min_lot", "organization_kind"],
    related_lists=[RelatedList(_("Member capacities"), models.MemberCapacity, "stage",
                               ["organization", "capacity", "unit_cost", "quality"])],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.MemberCapacity,
    filterset_class=filters.MemberCapacityFilterSet,
    form_class=forms.MemberCapacityForm,
    serializer_class=api.MemberCapacitySerializer,
    slug="capacities",
    list_columns=["organization", "stage", "capacity", "unit_cost", "lead_time_days", "quality"],
    select_related=["organization", "stage", "organization__region"],
    detail_fields=["organization", "stage", "capacity", "unit_cost", "lead_time_days", "quality", "region"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Licence,
    filterset_class=filters.LicenceFilterSet,
    form_class=forms.LicenceForm,
    serializer_class=api.LicenceSerializer,
    list_columns=["organization", "kind", "number", "valid_from", "valid_until"],
    select_related=["organization"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Demand,
    filterset_class=filters.DemandFilterSet,
    form_class=forms.DemandForm,
    serializer_class=api.DemandSerializer,
    list_columns=["mission", "label", "units", "created_at"],
    select_related=["mission"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Composition,
    filterset_class=filters.CompositionFilterSet,
    form_class=forms.CompositionForm,
    serializer_class=api.CompositionSerializer,
    list_columns=["mission", "status", "units", "served", "total_cost", "gap", "solve_seconds", "created_at"],
    export_columns=["mission", "rank", "status", "units", "served", "total_cost", "objective", "gap",
                    "solve_seconds", "removed_member", "note", "created_at"],
    select_related=["mission", "removed_member"],
    defer=["result"],
    detail_fields=["mission", "demand", "rank", "base", "removed_member", "status", "units", "served",
                   "total_cost", "objective", "gap", "solve_seconds", "members", "note", "created_at"],
    detail_template="missions/composition_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.ChainTemplate,
    filterset_class=filters.ChainTemplateFilterSet,
    form_class=forms.ChainTemplateForm,
    serializer_class=api.ChainTemplateSerializer,
    list_columns=["key", "name_fa", "name_en"],
    detail_template="missions/chaintemplate_extra.html",
    menu_group=GROUP,
))
