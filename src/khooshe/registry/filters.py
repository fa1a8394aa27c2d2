"""One FilterSet per model, shared by the list pages and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from khooshe.core.filters import SearchFilterSet, ordering

from . import models


def visible_clusters(request):
    """Cluster choices of a filter: only the clusters the visitor may see (private ones stay hidden)."""
    user = getattr(request, "user", None)
    return models.Cluster.objects.visible_to(user) if user is not None else models.Cluster.objects.filter(
        visibility=models.Visibility.PUBLIC)


class SectorTreeFilter(django_filters.ModelChoiceFilter):
    """Matches records tagged with the chosen sector or any sector below it in the tree."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path}).distinct()


class RegionTreeFilter(django_filters.ModelChoiceFilter):
    """Matches records in the chosen region or any region inside it (province -> its counties)."""

    def get_queryset(self, request):
        # The choices of the filter form: never load every region's GeoJSON boundary for a <select>.
        return super().get_queryset(request).defer("boundary")

    def filter(self, qs, value):
        if not value:
            return qs
        ids = [value.pk, *models.Region.objects.filter(parent=value).values_list("pk", flat=True)]
        return qs.filter(**{f"{self.field_name}__in": ids})


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A record's id: a number input, not a <select> listing every organization (there may be 100,000)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        # Beyond a 64-bit id the database cannot even compare: a 400 that says so, not a 500.
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


def _sector_choices(request):
    return models.Sector.objects.filter(level__lte=2)


class OrganizationFilterSet(SearchFilterSet):
    # distinct=False: a plain column needs no DISTINCT (it made the count of a filtered list 3x slower).
    kind = django_filters.MultipleChoiceFilter(choices=models.OrganizationKind.choices, label=_("kind"),
                                               distinct=False)
    region = RegionTreeFilter(queryset=models.Region.objects.all(), label=_("region"))
    sector = SectorTreeFilter(field_name="sectors", queryset=models.Sector.objects.all(), label=_("sector"))
    size_class = django_filters.ChoiceFilter(choices=models.SizeClass.choices, label=_("size class"))
    tech_level = django_filters.ChoiceFilter(choices=models.TechLevel.choices, label=_("tech level"))
    certification = django_filters.ChoiceFilter(choices=models.Certification.choices[1:], label=_("certification"))
    cluster = django_filters.ModelChoiceFilter(field_name="clusters", queryset=visible_clusters, label=_("cluster"))
    visibility = django_filters.ChoiceFilter(choices=models.Visibility.choices, label=_("visibility"))
    founded_after = django_filters.NumberFilter(field_name="founding_year", lookup_expr="gte",
                                                label=_("founded in or after"))
    # ?sort=name_fa sorts by the folded name (one spelling of ک/ك, ی/ي...), as the list is sorted by default.
    sort = ordering("name_en", "kind", "founding_year", "size_class", "created_at",
                    name_fa="name_key", region="region__name_fa")

    class Meta:
        model = models.Organization
        fields = ["q", "kind", "region", "sector", "size_class", "tech_level", "certification", "cluster",
                  "visibility", "founded_after"]


class PersonFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=models.Person.Kind.choices, label=_("main role"))
    organization = IdFilter(field_name="roles__organization", label=_("organization"), distinct=True)
    region = RegionTreeFilter(queryset=models.Region.objects.all(), label=_("region"))
    sort = ordering("last_name_fa", "first_name_fa", "full_name_en", "kind", "created_at")

    class Meta:
        model = models.Person
        fields = ["q", "kind", "organization", "region"]


class PersonRoleFilterSet(django_filters.FilterSet):
    person = IdFilter(label=_("person"))
    organization = IdFilter(label=_("organization"))
    role = django_filters.ChoiceFilter(choices=models.PersonRole.Role.choices, label=_("role"))
    sort = ordering("role", "start_date", "created_at")

    class Meta:
        model = models.PersonRole
        fields = ["person", "organization", "role"]


class RelationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    type = django_filters.MultipleChoiceFilter(choices=models.RelationType.choices, label=_("type"), distinct=False)
    classification = django_filters.ChoiceFilter(choices=models.RelationClass.choices, label=_("classification"))
    origin = django_filters.ChoiceFilter(choices=models.Relation.Origin.choices, label=_("source"))
    organization = IdFilter(method="filter_organization", label=_("organization"))
    cluster = IdFilter(method="filter_cluster", label=_("cluster"))
    # The "see all" links of an organization's and an agreement's detail page.
    source = IdFilter(label=_("from"))
    target = IdFilter(label=_("to"))
    agreement = IdFilter(label=_("agreement"))
    strength_min = django_filters.NumberFilter(field_name="strength", lookup_expr="gte", label=_("strength at least"))
    sort = ordering("type", "strength", "start_date", "created_at")

    class Meta:
        model = models.Relation
        fields = ["q", "type", "classification", "origin", "organization", "cluster", "source", "target",
                  "agreement", "strength_min"]

    def filter_search(self, queryset, name, value):
        from khooshe.core.text import query_terms

        for term in query_terms(value):
            queryset = queryset.filter(Q(source__search_text__contains=term) | Q(target__search_text__contains=term))
        return queryset

    def filter_organization(self, queryset, name, value: int):
        return queryset.filter(Q(source_id=value) | Q(target_id=value))

    def filter_cluster(self, queryset, name, value: int):
        members = models.ClusterMembership.objects.filter(cluster_id=value).values("organization_id")
        return queryset.filter(source__in=members, target__in=members)


class ClusterFilterSet(SearchFilterSet):
    type = django_filters.ChoiceFilter(choices=models.Cluster.Type.choices, label=_("type"))
    stage = django_filters.ChoiceFilter(choices=models.Cluster.Stage.choices, label=_("life-cycle stage"))
    tech_level = django_filters.ChoiceFilter(choices=models.TechLevel.choices, label=_("tech level"))
    region = RegionTreeFilter(field_name="regions", queryset=models.Region.objects.all(), label=_("region"))
    sort = ordering("name_fa", "type", "stage", "created_at")

    class Meta:
        model = models.Cluster
        fields = ["q", "type", "stage", "tech_level", "region"]


class ClusterMembershipFilterSet(django_filters.FilterSet):
    cluster = django_filters.ModelChoiceFilter(queryset=visible_clusters, label=_("cluster"))
    organization = IdFilter(label=_("organization"))
    role = django_filters.ChoiceFilter(choices=models.ClusterMembership.Role.choices, label=_("role"))
    sort = ordering("role", "joined_on", "created_at")

    class Meta:
        model = models.ClusterMembership
        fields = ["cluster", "organization", "role"]


class AgreementFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=models.Agreement.Kind.choices, label=_("kind"))
    party = IdFilter(field_name="parties", label=_("party"))
    sort = ordering("title", "signed_on", "start_date", "end_date")

    class Meta:
        model = models.Agreement
        fields = ["q", "kind", "party"]


class SectorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    scheme = django_filters.CharFilter(label=_("classification"))
    level = django_filters.ChoiceFilter(choices=models.Sector.Level.choices, label=_("level"))
    parent = django_filters.ModelChoiceFilter(queryset=models.Sector.objects.all(), label=_("parent"))
    sort = ordering("code", "path", "title_en")

    class Meta:
        model = models.Sector
        fields = ["q", "scheme", "level", "parent"]

    def filter_search(self, queryset, name, value):
        from khooshe.core.text import normalize

        value = normalize(value)
        return queryset.filter(Q(code__istartswith=value) | Q(title_en__icontains=value) | Q(title_fa__icontains=value))


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=models.Region.Kind.choices, label=_("kind"))
    parent = django_filters.ModelChoiceFilter(queryset=models.Region.objects.all(), label=_("parent"))
    sort = ordering("name_fa", "code", "kind")

    class Meta:
        model = models.Region
        fields = ["q", "kind", "parent"]

    def filter_search(self, queryset, name, value):
        from khooshe.core.text import normalize

        value = normalize(value)
        return queryset.filter(Q(name_fa__icontains=value) | Q(name_en__icontains=value) | Q(code=value))


class RoleFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=models.Role.Kind.choices, label=_("kind"))
    user = IdFilter(label=_("user"))
    organization = IdFilter(label=_("organization or hub"))
    sort = ordering("kind", "created_at")

    class Meta:
        model = models.Role
        fields = ["kind", "user", "organization", "cluster"]
