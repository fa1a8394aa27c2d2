"""Registry pages beyond the generic ones: the ecosystem map and the relation network.

Thin views: parse the query string, call one selector (``registry.selectors``), render.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from . import selectors
from .models import Cluster, Region


def _selected_cluster(request):
    """The visible cluster named by ``?cluster=``, or None."""
    value = request.GET.get("cluster", "")
    if not value.isdigit():
        return None
    return Cluster.objects.visible_to(request.user).filter(pk=value).first()


def _filter_error(errors: list[str]) -> JsonResponse:
    return JsonResponse({"error": _("Check the filters: %(errors)s") % {"errors": "; ".join(errors)},
                         "errors": errors}, status=400, json_dumps_params={"ensure_ascii": False})


@require_GET
def ecosystem_map(request):
    filterset = selectors.organization_filterset(request.user, request.GET)
    return render(request, "registry/map.html", {
        "filter_form": filterset.form,
        "cluster": _selected_cluster(request),
        "querystring": request.GET.urlencode(),
        "tiles_url": settings.KHOOSHE_MAP_TILES_URL,
        "feature_cap": selectors.MAP_FEATURE_CAP,
    })


@require_GET
@gzip_page
def map_organizations(request):
    """GeoJSON points of the organizations matching the list filters (see ``selectors.map_features``)."""
    try:
        data = selectors.map_features(request.user, request.GET, cap=selectors.MAP_FEATURE_CAP)
    except ValueError as exc:
        return _filter_error(exc.args[0])
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@gzip_page
def region_boundaries(request):
    """Province boundaries as GeoJSON (about 1 MB after rounding; gzip, ETag and an hour of caching)."""
    payload = selectors.region_boundaries(Region.Kind.PROVINCE)
    if payload.etag in [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(payload.body, content_type="application/geo+json")
    response["ETag"] = payload.etag
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_GET
def network(request):
    filterset = selectors.network_filterset(request.user, request.GET)
    limit = selectors.parse_limit(request.GET.get("limit"))
    return render(request, "registry/network.html", {
        "filter_form": filterset.form,
        "cluster": _selected_cluster(request),
        "limit": limit,
        "max_limit": selectors.NETWORK_MAX_NODES,
        "querystring": request.GET.urlencode(),
    })


@require_GET
@gzip_page
def network_graph(request):
    """Nodes and edges for Cytoscape.js (see ``selectors.network_graph``); ``?limit=`` caps the nodes."""
    try:
        data = selectors.network_graph(request.user, request.GET,
                                       max_nodes=selectors.parse_limit(request.GET.get("limit")))
    except ValueError as exc:
        return _filter_error(exc.args[0])
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    patch_cache_control(response, private=True, no_cache=True)
    return response
