from django.urls import path

from khooshe.core.generic import urlpatterns_for

from . import views
from .catalogue import urls as catalogue_urls
from .cohorts import urls as cohorts_urls
from .events import urls as events_urls
from .network import urls as network_urls
from .residents import urls as residents_urls
from .siting import urls as siting_urls

app_name = "hubs"

urlpatterns = [
    path("book/", views.book, name="book"),
    path("my-bookings/", views.my_bookings, name="my_bookings"),
    path("sites/<int:pk>/calendar/", views.calendar, name="calendar"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/confirm/", views.booking_confirm, name="booking_confirm"),
    path("ical/space/<str:token>.ics", views.space_ical, name="space_ical"),
    path("ical/member/<str:token>.ics", views.member_ical, name="member_ical"),
    *residents_urls.urlpatterns,
    *cohorts_urls.urlpatterns,
    *events_urls.urlpatterns,
    *catalogue_urls.urlpatterns,
    *network_urls.urlpatterns,
    *siting_urls.urlpatterns,
    *urlpatterns_for("hubs"),
]
