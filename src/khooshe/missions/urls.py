from django.urls import path

from khooshe.core.generic import urlpatterns_for

from . import views

app_name = "missions"

urlpatterns = [
    path("missions/<int:pk>/compose/", views.mission_compose, name="mission_compose"),
    path("missions/<int:pk>/apply-template/", views.mission_apply_template, name="mission_apply_template"),
    path("missions/<int:pk>/gap-challenge/", views.gap_challenge, name="mission_gap_challenge"),
    path("missions/<int:pk>/gap-task/", views.gap_task, name="mission_gap_task"),
    path("compositions/<int:pk>/what-if/", views.composition_what_if, name="composition_what_if"),
    path("chain-templates/import/", views.chaintemplate_import, name="chaintemplate_import"),
    path("chain-templates/<int:pk>/export.json", views.chaintemplate_export, name="chaintemplate_export"),
    *urlpatterns_for("missions"),
]
