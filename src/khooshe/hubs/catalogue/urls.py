"""URLs of catalogue; included in the ``hubs`` namespace by khooshe.hubs.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("services/<int:pk>/request/", views.request_service, name="catalogue_request"),
    path("service-requests/<int:pk>/assign/", views.assign, name="catalogue_assign"),
    path("service-requests/<int:pk>/status/", views.set_status, name="catalogue_status"),
    path("service-requests/<int:pk>/message/", views.message, name="catalogue_message"),
    path("service-requests/<int:pk>/rate/", views.rate, name="catalogue_rate"),
    path("service-queue/", views.queue, name="catalogue_queue"),
]
