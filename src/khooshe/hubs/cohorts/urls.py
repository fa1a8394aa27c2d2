"""URLs of cohorts; included in the ``hubs`` namespace by khooshe.hubs.urls (before the generic pages, so
the detail pages of calls, applications and office hours here replace the generic ones at the same
addresses)."""

from django.urls import path, re_path

from . import views

_details = views.detail_views()

urlpatterns = [
    path("calls/<int:pk>/", _details["call"], name="cohorts_call_detail"),
    path("calls/<int:pk>/apply/", views.apply, name="cohorts_apply"),
    path("calls/<int:pk>/ranking/", views.ranking, name="cohorts_ranking"),
    path("applications/<int:pk>/", _details["application"], name="cohorts_application_detail"),
    re_path(r"^applications/(?P<pk>[0-9]+)/(?P<action>submit|withdraw)/$", views.application_action,
            name="cohorts_application_action"),
    path("applications/<int:pk>/assign/", views.assign_reviewer, name="cohorts_assign"),
    path("applications/<int:pk>/review/", views.review, name="cohorts_review"),
    path("applications/<int:pk>/decide/", views.decide, name="cohorts_decide"),
    path("my-applications/", views.my_applications, name="cohorts_my_applications"),
    path("office-hours/<int:pk>/", _details["office_hours"], name="cohorts_office_hours_detail"),
    path("office-hours/<int:pk>/book/", views.book_slot, name="cohorts_book_slot"),
    path("my-office-hours/", views.office_hours, name="cohorts_office_hours"),
    path("office-hour-meetings/<int:pk>/cancel/", views.cancel_meeting, name="cohorts_cancel_meeting"),
]
