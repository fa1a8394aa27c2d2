from django.urls import path

from khooshe.core.generic import urlpatterns_for

from . import views

app_name = "registry"

urlpatterns = [
    path("map/", views.ecosystem_map, name="map"),
    path("map/organizations.json", views.map_organizations, name="map_organizations"),
    path("map/regions.geojson", views.region_boundaries, name="region_boundaries"),
    path("network/", views.network, name="network"),
    path("network/graph.json", views.network_graph, name="network_graph"),
    *urlpatterns_for("registry"),
]
