"""Registry pages beyond the generic ones: the ecosystem map and the relation network."""

from django.http import JsonResponse
from django.shortcuts import render


def ecosystem_map(request):
    return render(request, "registry/map.html", {})


def map_organizations(request):
    return JsonResponse({"type": "FeatureCollection", "features": []})


def region_boundaries(request):
    return JsonResponse({"type": "FeatureCollection", "features": []})


def network(request):
    return render(request, "registry/network.html", {})


def network_graph(request):
    return JsonResponse({"nodes": [], "edges": []})
