from django.urls import path

from khooshe.core.generic import urlpatterns_for

from . import views

app_name = "monitoring"

urlpatterns = [
    path("programs/<int:pk>/results/", views.results_framework, name="results_framework"),
    path("programs/<int:pk>/results/apply-set/", views.apply_indicator_set, name="apply_indicator_set"),
    path("programs/<int:pk>/results/compute/", views.compute_indicators, name="compute_indicators"),
    path("programs/<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("programs/<int:pk>/report/", views.program_report, name="program_report"),
    path("indicators/<int:pk>/record/", views.record_value, name="record_value"),
    path("periods/<int:pk>/review/", views.review_value, name="review_value"),
    path("clusters/<int:pk>/network/", views.network, name="network"),
    path("clusters/<int:pk>/network/graph.json", views.network_graph, name="network_graph"),
    path("questionnaires/from-template/", views.create_questionnaire, name="questionnaire_from_template"),
    path("questionnaires/<int:pk>/invite/", views.invite_members, name="invite_members"),
    path("survey/<str:token>/", views.survey_answer, name="survey_answer"),
    path("self-assessments/from-checklist/", views.create_self_assessment, name="selfassessment_from_checklist"),
    path("self-assessments/<int:pk>/score/", views.score_self_assessment, name="score_self_assessment"),
    path("self-assessments/compare/", views.compare_self_assessments, name="compare_self_assessments"),
    *urlpatterns_for("monitoring"),
]
