from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from khooshe.core import views_account, views_autocomplete
from khooshe.core.api import build_router
from khooshe.hubs import api as hubs_api
from khooshe.insights import api as insights_api
from khooshe.matching import api as matching_api
from khooshe.missions import api as missions_api
from khooshe.programs import api as programs_api

api_router = build_router()

urlpatterns = [
    path("", include("khooshe.web.urls")),
    path("registry/", include("khooshe.registry.urls")),
    path("insights/", include("khooshe.insights.urls")),
    path("matching/", include("khooshe.matching.urls")),
    path("programs/", include("khooshe.programs.urls")),
    path("monitoring/", include("khooshe.monitoring.urls")),
    path("hubs/", include("khooshe.hubs.urls")),
    path("missions/", include("khooshe.missions.urls")),
    path("accounts/login/", views_account.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/language/", views_account.switch_language, name="switch_language"),
    path("accounts/token/", views_account.api_token, name="api_token"),
    path("autocomplete/<str:app_label>/<str:model_name>/", views_autocomplete.autocomplete, name="autocomplete"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/insights/", include(insights_api.urlpatterns)),  # analysis runs (datasets are in api_router)
    path("api/matching/", include(matching_api.urlpatterns)),  # workflow actions (models are in api_router)
    path("api/hubs/", include(hubs_api.urlpatterns)),  # booking actions (models are in api_router)
    path("api/hubs/", include("khooshe.hubs.residents.api")),
    path("api/hubs/", include("khooshe.hubs.cohorts.api")),
    path("api/hubs/", include("khooshe.hubs.events.api")),
    path("api/hubs/", include("khooshe.hubs.catalogue.api")),
    path("api/hubs/", include("khooshe.hubs.network.api")),
    path("api/hubs/", include("khooshe.hubs.siting.api")),
    path("api/programs/", include(programs_api.urlpatterns)),  # move, schedule, matrix, gate (models: api_router)
    path("api/missions/", include(missions_api.urlpatterns)),  # compose, gaps, what-if (models: api_router)
    path("api/", include(api_router.urls)),
    # Uploaded files (agreement documents): only to users who may see the record; see core.views_account.
    path("media/<path:path>", views_account.protected_media, name="media"),
]
