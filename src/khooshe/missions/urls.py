from khooshe.core.generic import urlpatterns_for

app_name = "missions"

urlpatterns = [
    *urlpatterns_for("missions"),
]
