"""URLs of siting; included in the ``hubs`` namespace by khooshe.hubs.urls."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("siting/<int:pk>/criteria/", views.criteria, name="siting_criteria"),
    path("siting/<int:pk>/candidates/", views.candidates, name="siting_candidates"),
    path("siting/<int:pk>/ranking/", views.ranking, name="siting_ranking"),
    path("siting/<int:pk>/ranking.xlsx", views.ranking_xlsx, name="siting_ranking_xlsx"),
    path("siting/<int:pk>/map.geojson", views.map_geojson, name="siting_map"),
]
