"""Template tags of the registry's detail-page extras (the generic detail view adds no context).

``{% load registry_tags %}`` then ``{% cluster_stakeholders object user as overview %}``,
``{% organization_overview object user as overview %}`` and ``{% map_tiles_url %}``.
"""

import json

from django import template
from django.conf import settings

from khooshe.registry import selectors

register = template.Library()


@register.simple_tag
def cluster_stakeholders(cluster, user):
    """The stakeholder table and relation counts of a cluster (``selectors.cluster_stakeholders``)."""
    return selectors.cluster_stakeholders(cluster, user)


@register.simple_tag
def organization_overview(organization, user):
    """Location and relation counts of an organization (``selectors.organization_overview``)."""
    overview = selectors.organization_overview(organization, user)
    if overview["has_location"]:
        overview["point"] = json.dumps({
            "lat": overview["latitude"], "lon": overview["longitude"], "approx": overview["approximate"],
            "color": overview["color"], "label": str(organization),
        }, ensure_ascii=False)
    return overview


@register.simple_tag
def map_tiles_url():
    """The optional base-map tile URL (setting KHOOSHE_MAP_TILES_URL); empty means offline."""
    return getattr(settings, "KHOOSHE_MAP_TILES_URL", "")
