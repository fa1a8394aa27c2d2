from django.urls import path

from khooshe.core.generic import urlpatterns_for

from . import views

app_name = "insights"

urlpatterns = [
    # Before the generic patterns: adding a dataset is an upload with a column mapping, not a plain form.
    path("datasets/add/", views.DatasetUploadView.as_view(), name="dataset_upload"),
    path("datasets/from-registry/", views.RegistryDatasetView.as_view(), name="dataset_from_registry"),
    path("datasets/<int:pk>/download/<slug:kind>/", views.dataset_download, name="dataset_download"),
    path("datasets/<int:pk>/run/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/tables/<slug:name>/", views.run_table, name="run_table"),
    path("runs/<int:pk>/export/<slug:name>.<slug:fmt>", views.run_export, name="run_export"),
    path("runs/<int:pk>/map.json", views.run_map, name="run_map"),
    path("runs/<int:pk>/priorities/", views.run_priorities, name="run_priorities"),
    path("runs/<int:pk>/priorities/ahp/", views.run_ahp, name="run_ahp"),
    path("runs/<int:pk>/create-cluster/", views.CreateClusterView.as_view(), name="create_cluster"),
    *urlpatterns_for("insights"),
]
