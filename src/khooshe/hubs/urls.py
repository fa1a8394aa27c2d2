from django.urls import path

from khooshe.core.generic import urlpatterns_for

from . import views

app_name = "hubs"

urlpatterns = [
    path("book/", views.book, name="book"),
    path("my-bookings/", views.my_bookings, name="my_bookings"),
    path("sites/<int:pk>/calendar/", views.calendar, name="calendar"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/confirm/", views.booking_confirm, name="booking_confirm"),
    path("ical/space/<str:token>.ics", views.space_ical, name="space_ical"),
    path("ical/member/<str:token>.ics", views.member_ical, name="member_ical"),
    *urlpatterns_for("hubs"),
]
