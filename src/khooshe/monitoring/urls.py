from khooshe.core.generic import urlpatterns_for

app_name = "monitoring"

urlpatterns = [
    *urlpatterns_for("monitoring"),
]
