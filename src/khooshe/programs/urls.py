from khooshe.core.generic import urlpatterns_for

app_name = "programs"

urlpatterns = [
    *urlpatterns_for("programs"),
]
