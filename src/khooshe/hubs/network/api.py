"""API of network beyond the generic model routes (khooshe.core.generic); mounted under /api/hubs/ by
khooshe.config.urls. The serializers below serve the generic routes of networks and link rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from khooshe.core.api import BaseModelSerializer
from khooshe.hubs.models import SpaceKind

from .models import HubNetwork, LinkRule, validate_members_are_hubs

TIMESTAMPS = ["created_at", "updated_at"]


class HubNetworkSerializer(BaseModelSerializer):
    class Meta:
        model = HubNetwork
        fields = ["id", "name", "coordinator", "members", "description", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def validate_members(self, members):
        try:
            validate_members_are_hubs(members)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["members"]) from None
        return members


class LinkRuleSerializer(BaseModelSerializer):
    space_kinds = serializers.ListField(child=serializers.ChoiceField(choices=SpaceKind.choices), required=False)

    class Meta:
        model = LinkRule
        fields = ["id", "site", "network", "space_kinds", "price_factor", "can_attend_events",
                  "can_request_services", "note", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


urlpatterns: list = []
