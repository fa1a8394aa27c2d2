from khooshe.core.generic import urlpatterns_for

app_name = "hubs"

urlpatterns = [
    *urlpatterns_for("hubs"),
]
