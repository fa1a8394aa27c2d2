"""URLs of network; included in the ``hubs`` namespace by khooshe.hubs.urls."""

urlpatterns: list = []
