"""URLs of siting; included in the ``hubs`` namespace by khooshe.hubs.urls."""

urlpatterns: list = []
