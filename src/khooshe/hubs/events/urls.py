"""URLs of events; included in the ``hubs`` namespace by khooshe.hubs.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("events/<int:pk>/register/", views.register, name="event_register"),
    path("events/<int:pk>/publish/", views.publish, name="event_publish"),
    path("events/<int:pk>/cancel/", views.cancel, name="event_cancel"),
    path("events/<int:pk>/check-in/", views.check_in, name="event_check_in"),
    path("events/<int:pk>/event.ics", views.ical, name="event_ical"),
    path("events/registration/<str:code>/", views.registration, name="event_registration"),
    path("events/registration/<str:code>/cancel/", views.registration_cancel, name="event_registration_cancel"),
]
