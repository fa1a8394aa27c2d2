"""URLs of network; included in the ``hubs`` namespace by khooshe.hubs.urls."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("network/<int:pk>/", views.network_page, name="network_page"),
    path("network/<int:pk>/houses.geojson", views.network_map, name="network_map"),
    path("network/<int:pk>/dashboard/", views.network_dashboard, name="network_dashboard"),
    path("sites/<int:pk>/dashboard/", views.site_dashboard, name="network_site_dashboard"),
    path("dashboards/", views.dashboards_index, name="network_dashboards"),
]
