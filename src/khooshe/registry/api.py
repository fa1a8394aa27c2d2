"""Serializers of the registry's REST API (viewsets are generic: core.api)."""

from rest_framework import serializers

from khooshe.core.api import BaseModelSerializer

from . import models

TIMESTAMPS = ["created_at", "updated_at"]


class SectorSerializer(BaseModelSerializer):
    class Meta:
        model = models.Sector
        fields = ["id", "scheme", "code", "level", "parent", "title_en", "title_fa", "path"]
        read_only_fields = ["path"]


class RegionSerializer(BaseModelSerializer):
    class Meta:
        model = models.Region
        fields = ["id", "code", "kind", "parent", "name_fa", "name_en", "latitude", "longitude"]


class OrganizationSerializer(BaseModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = models.Organization
        fields = [
            "id", "kind", "kind_display", "name_fa", "name_en", "national_id", "external_id", "website",
            "founding_year", "employee_band", "size_class", "sectors", "region", "address", "latitude",
            "longitude", "description", "capabilities", "capability_sectors", "needs", "need_sectors",
            "tech_level", "certification", "certified_from", "certified_until", "visibility", *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS


class PersonSerializer(BaseModelSerializer):
    class Meta:
        model = models.Person
        fields = ["id", "first_name_fa", "last_name_fa", "full_name_en", "kind", "external_id", "email", "phone",
                  "region", "expertise", "expertise_sectors", "visibility", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class PersonRoleSerializer(BaseModelSerializer):
    class Meta:
        model = models.PersonRole
        fields = ["id", "person", "organization", "role", "title", "start_date", "end_date"]


class RelationSerializer(BaseModelSerializer):
    class Meta:
        model = models.Relation
        fields = ["id", "source", "target", "type", "directed", "classification", "strength", "start_date",
                  "end_date", "origin", "agreement", "external_id", "note", *TIMESTAMPS]
        read_only_fields = ["directed", "classification", *TIMESTAMPS]


class ClusterSerializer(BaseModelSerializer):
    class Meta:
        model = models.Cluster
        fields = ["id", "name_fa", "name_en", "type", "stage", "tech_level", "origin", "sectors", "regions",
                  "development_agent", "description", "visibility", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class ClusterMembershipSerializer(BaseModelSerializer):
    class Meta:
        model = models.ClusterMembership
        fields = ["id", "cluster", "organization", "role", "joined_on"]


class AgreementSerializer(BaseModelSerializer):
    class Meta:
        model = models.Agreement
        fields = ["id", "title", "kind", "subject", "parties", "signed_on", "start_date", "end_date", "document",
                  "visibility", "external_id", *TIMESTAMPS]
        read_only_fields = ["document", *TIMESTAMPS]

    def validate_parties(self, parties):
        from django.utils.translation import gettext as _

        if len(parties) < 2:
            raise serializers.ValidationError(_("An agreement needs at least two parties."))
        return parties


class RoleSerializer(BaseModelSerializer):
    class Meta:
        model = models.Role
        fields = ["id", "user", "kind", "organization", "cluster"]
