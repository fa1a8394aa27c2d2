from khooshe.core.forms import BaseModelForm
from khooshe.core.widgets import AutocompleteSelect, AutocompleteSelectMultiple

from . import models


class OrganizationForm(BaseModelForm):
    class Meta:
        model = models.Organization
        fields = [
            "kind", "name_fa", "name_en", "national_id", "external_id", "website", "founding_year",
            "employee_band", "size_class", "sectors", "region", "address", "latitude", "longitude",
            "description", "capabilities", "capability_sectors", "needs", "need_sectors", "tech_level",
            "certification", "certified_from", "certified_until", "visibility",
        ]


class PersonForm(BaseModelForm):
    class Meta:
        model = models.Person
        fields = ["first_name_fa", "last_name_fa", "full_name_en", "kind", "external_id", "email", "phone",
                  "region", "expertise", "expertise_sectors", "visibility"]


class PersonRoleForm(BaseModelForm):
    class Meta:
        model = models.PersonRole
        fields = ["person", "organization", "role", "title", "start_date", "end_date"]
        widgets = {"person": AutocompleteSelect(), "organization": AutocompleteSelect()}


class RelationForm(BaseModelForm):
    class Meta:
        model = models.Relation
        fields = ["source", "target", "type", "strength", "start_date", "end_date", "origin", "agreement",
                  "external_id", "note"]
        widgets = {"source": AutocompleteSelect(), "target": AutocompleteSelect()}


class ClusterForm(BaseModelForm):
    class Meta:
        model = models.Cluster
        fields = ["name_fa", "name_en", "type", "stage", "tech_level", "origin", "sectors", "regions",
                  "development_agent", "description", "visibility"]
        widgets = {"development_agent": AutocompleteSelect()}


class ClusterMembershipForm(BaseModelForm):
    class Meta:
        model = models.ClusterMembership
        fields = ["cluster", "organization", "role", "joined_on"]
        widgets = {"organization": AutocompleteSelect()}


class AgreementForm(BaseModelForm):
    class Meta:
        model = models.Agreement
        fields = ["title", "kind", "subject", "parties", "signed_on", "start_date", "end_date", "document",
                  "visibility", "external_id"]
        widgets = {"parties": AutocompleteSelectMultiple()}

    def clean_parties(self):
        from django import forms
        from django.utils.translation import gettext as _

        parties = self.cleaned_data["parties"]
        if len(parties) < 2:
            raise forms.ValidationError(_("An agreement needs at least two parties."))
        return parties


class SectorForm(BaseModelForm):
    class Meta:
        model = models.Sector
        fields = ["scheme", "code", "level", "parent", "title_en", "title_fa"]


class RegionForm(BaseModelForm):
    class Meta:
        model = models.Region
        fields = ["code", "kind", "parent", "name_fa", "name_en", "latitude", "longitude"]


class RoleForm(BaseModelForm):
    class Meta:
        model = models.Role
        fields = ["user", "kind", "organization", "cluster"]
