"""API of siting beyond the generic model routes (khooshe.core.generic); mounted under /api/hubs/ by
khooshe.config.urls. The study itself is served by the generic viewset (``/api/hubs/sitingstudies/``); its
ranking by ``GET /api/hubs/siting/<id>/ranking/`` and the candidates' map data by the page's
``map.geojson`` (see views)."""

from __future__ import annotations

from django.urls import path

from khooshe.core.api import BaseModelSerializer

from . import services
from .models import SitingStudy

TIMESTAMPS = ["created_at", "updated_at"]


class SitingStudySerializer(BaseModelSerializer):
    class Meta:
        model = SitingStudy
        fields = ["id", "name", "region", "owner", "description", "method", "published", "consistency_ratio",
                  *TIMESTAMPS]
        read_only_fields = ["consistency_ratio", *TIMESTAMPS]

    def validate_owner(self, owner):
        from django.utils.translation import gettext as _
        from rest_framework.exceptions import ValidationError

        from khooshe.registry.access import access_for

        request = self.context.get("request")
        acc = access_for(request.user) if request is not None else None
        if acc is not None and not acc.is_admin and owner.pk not in (acc.organization_ids | acc.hub_ids):
            raise ValidationError(_("Choose as owner one of your own organizations."))
        return owner

    def create(self, validated_data):
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            validated_data["created_by"] = request.user
        study = super().create(validated_data)
        services.add_default_criteria(study=study)
        return study


def _ranking(request, pk):
    from .views import ranking_json

    return ranking_json(request, pk)


urlpatterns: list = [
    path("siting/<int:pk>/ranking/", _ranking, name="siting_api_ranking"),
]
