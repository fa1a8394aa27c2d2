"""URLs of residents; included in the ``hubs`` namespace by khooshe.hubs.urls."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("residencies/<int:pk>/journey/", views.journey, name="residents_journey"),
    path("residencies/<int:pk>/move/", views.move, name="residents_move"),
    path("residencies/<int:pk>/kpi/", views.kpi, name="residents_kpi"),
    path("sites/<int:pk>/journey/", views.board, name="residents_board"),
]
