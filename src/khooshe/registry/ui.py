"""The registry's models in the generic UI and API (core.generic): a few declarative lines each."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, RelatedList, register

from . import api, filters, forms, models, tabular

register(ModelConfig(
    model=models.Organization,
    filterset_class=filters.OrganizationFilterSet,
    form_class=forms.OrganizationForm,
    serializer_class=api.OrganizationSerializer,
    list_columns=["name_fa", "name_en", "kind", "region", "size_class", "founding_year"],
    defer=["region__boundary"],
    select_related=["region"],
    related_lists=[
        RelatedList(_("People"), models.PersonRole, "organization", ["person", "role", "title"]),
        RelatedList(_("Relations from this organization"), models.Relation, "source",
                    ["target", "type", "strength", "origin"]),
        RelatedList(_("Relations to this organization"), models.Relation, "target",
                    ["source", "type", "strength", "origin"]),
        RelatedList(_("Clusters"), models.ClusterMembership, "organization", ["cluster", "role", "joined_on"]),
    ],
    detail_template="registry/organization_extra.html",
    menu_group=_("Ecosystem"),
    tabular_spec=tabular.ORGANIZATIONS,
))

register(ModelConfig(
    model=models.Person,
    filterset_class=filters.PersonFilterSet,
    form_class=forms.PersonForm,
    serializer_class=api.PersonSerializer,
    list_columns=["last_name_fa", "first_name_fa", "full_name_en", "kind", "region"],
    defer=["region__boundary"],
    select_related=["region"],
    related_lists=[RelatedList(_("Roles"), models.PersonRole, "person", ["organization", "role", "title"])],
    slug="people",
    menu_group=_("Ecosystem"),
    tabular_spec=tabular.PEOPLE,
))

register(ModelConfig(
    model=models.PersonRole,
    filterset_class=filters.PersonRoleFilterSet,
    form_class=forms.PersonRoleForm,
    serializer_class=api.PersonRoleSerializer,
    list_columns=["person", "organization", "role", "title", "start_date"],
    select_related=["person", "organization"],
    slug="person-roles",
))

register(ModelConfig(
    model=models.Relation,
    filterset_class=filters.RelationFilterSet,
    form_class=forms.RelationForm,
    serializer_class=api.RelationSerializer,
    list_columns=["source", "target", "type", "classification", "strength", "origin", "start_date"],
    select_related=["source", "target"],
    menu_group=_("Ecosystem"),
    tabular_spec=tabular.RELATIONS,
))

register(ModelConfig(
    model=models.Cluster,
    filterset_class=filters.ClusterFilterSet,
    form_class=forms.ClusterForm,
    serializer_class=api.ClusterSerializer,
    list_columns=["name_fa", "name_en", "type", "stage", "tech_level", "member_count"],
    related_lists=[RelatedList(_("Members"), models.ClusterMembership, "cluster",
                               ["organization", "role", "joined_on"], limit=100)],
    detail_template="registry/cluster_extra.html",
    menu_group=_("Ecosystem"),
))

register(ModelConfig(
    model=models.ClusterMembership,
    filterset_class=filters.ClusterMembershipFilterSet,
    form_class=forms.ClusterMembershipForm,
    serializer_class=api.ClusterMembershipSerializer,
    list_columns=["organization", "cluster", "role", "joined_on"],
    select_related=["organization", "cluster"],
    slug="cluster-memberships",
))

register(ModelConfig(
    model=models.Agreement,
    filterset_class=filters.AgreementFilterSet,
    form_class=forms.AgreementForm,
    serializer_class=api.AgreementSerializer,
    list_columns=["title", "kind", "parties", "signed_on", "end_date"],
    prefetch_related=["parties"],
    related_lists=[RelatedList(_("Relations"), models.Relation, "agreement", ["source", "target", "type"])],
    menu_group=_("Ecosystem"),
    tabular_spec=tabular.AGREEMENTS,
))

register(ModelConfig(
    model=models.Sector,
    filterset_class=filters.SectorFilterSet,
    form_class=forms.SectorForm,
    serializer_class=api.SectorSerializer,
    list_columns=["code", "title_fa", "title_en", "level", "scheme"],
    related_lists=[RelatedList(_("Sub-sectors"), models.Sector, "parent", ["code", "title_fa", "title_en"])],
    menu_group=_("Reference data"),
))

register(ModelConfig(
    model=models.Region,
    filterset_class=filters.RegionFilterSet,
    form_class=forms.RegionForm,
    serializer_class=api.RegionSerializer,
    list_columns=["name_fa", "name_en", "kind", "parent", "code"],
    defer=["boundary", "parent__boundary"],
    select_related=["parent"],
    detail_fields=["code", "kind", "parent", "name_fa", "name_en", "latitude", "longitude"],
    related_lists=[RelatedList(_("Regions inside"), models.Region, "parent", ["name_fa", "name_en", "kind"],
                               limit=100)],
    menu_group=_("Reference data"),
))

register(ModelConfig(
    model=models.Role,
    filterset_class=filters.RoleFilterSet,
    form_class=forms.RoleForm,
    serializer_class=api.RoleSerializer,
    list_columns=["user", "kind", "organization", "cluster"],
    select_related=["user", "organization", "cluster"],
    menu_group=_("Administration"),
))
