"""API of residents beyond the generic model routes (khooshe.core.generic); mounted under /api/hubs/ by khooshe.config.urls."""

urlpatterns: list = []
