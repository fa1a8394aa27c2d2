"""URLs of catalogue; included in the ``hubs`` namespace by khooshe.hubs.urls."""

urlpatterns: list = []
