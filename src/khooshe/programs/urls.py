from django.urls import path

from khooshe.core.generic import urlpatterns_for

from . import views

app_name = "programs"

urlpatterns = [
    path("new/", views.program_from_template, name="from_template"),
    path("programs/<int:pk>/gantt/", views.gantt, name="gantt"),
    path("programs/<int:pk>/gantt/move/", views.gantt_move, name="gantt_move"),
    path("programs/<int:pk>/matrix/", views.matrix, name="matrix"),
    path("programs/<int:pk>/matrix/cell/", views.matrix_cell, name="matrix_cell"),
    path("programs/<int:pk>/plan.xlsx", views.plan_export, name="plan_export"),
    path("programs/<int:pk>/matrix.xlsx", views.matrix_export, name="matrix_export"),
    path("phaseoutputs/<int:pk>/deliver/", views.output_deliver, name="output_deliver"),
    path("phaseoutputs/<int:pk>/document/", views.output_document, name="output_document"),
    path("phases/<int:pk>/gate/<str:action>/", views.phase_action, name="phase_action"),
    path("programtemplates/import/", views.template_import, name="template_import"),
    path("programtemplates/<int:pk>/export.<str:fmt>", views.template_export, name="template_export"),
    *urlpatterns_for("programs"),
]
