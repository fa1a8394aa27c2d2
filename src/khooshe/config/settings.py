"""Settings read from the environment (django-environ).

Defaults are for a developer's machine: an embedded SQLite database under the data directory.
Production sets DJANGO_DEBUG=false, DJANGO_SECRET_KEY (no default then) and DATABASE_URL.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/khooshe
_checkout_root = PACKAGE_DIR.parent.parent
_default_data_dir = (
    _checkout_root / "var" if (_checkout_root / "pyproject.toml").exists() else Path.home() / ".local/share/khooshe"
)

env = environ.Env()
DATA_DIR = Path(env.str("KHOOSHE_DATA_DIR", default=str(_default_data_dir))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default in production: fail loudly
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "khooshe.core",
    "khooshe.registry",
    "khooshe.search",
    "khooshe.insights",
    "khooshe.matching",
    "khooshe.programs",
    "khooshe.monitoring",
    "khooshe.hubs",
    "khooshe.missions",
    "khooshe.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "khooshe.core.middleware.PersianFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "khooshe.core.middleware.ActiveUserLanguageMiddleware",
    "khooshe.core.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "khooshe.config.urls"
WSGI_APPLICATION = "khooshe.config.wsgi.application"
ASGI_APPLICATION = "khooshe.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "khooshe.core.context_processors.navigation",
                "khooshe.matching.context_processors.notifications",
            ],
            "builtins": ["khooshe.core.templatetags.khooshe"],
        },
    }
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'khooshe.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a CLI import share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: in-process by default; KHOOSHE_CACHE_URL=redis://127.0.0.1:6379/1 shares it between server
# processes (then cached anonymous pages are invalidated exactly on every write, see core.page_cache).
_cache_url = env.str("KHOOSHE_CACHE_URL", default="")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url,
                    "KEY_PREFIX": env.str("KHOOSHE_CACHE_PREFIX", default="khooshe")},
        # per-process layer in front of Redis for the anonymous pages a worker serves most (core.page_cache)
        "pages-local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "khooshe-pages",
                        "OPTIONS": {"MAX_ENTRIES": env.int("KHOOSHE_PAGE_CACHE_LOCAL_ENTRIES", default=3000)}},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "khooshe",
                          "OPTIONS": {"MAX_ENTRIES": env.int("KHOOSHE_PAGE_CACHE_LOCAL_ENTRIES", default=3000)}}}
# How long an anonymous visitor's page may be served from the cache (0 turns the page cache off). With a
# per-process cache a write reaches the other processes' cached pages only after this time.
KHOOSHE_PAGE_CACHE_SECONDS = env.int("KHOOSHE_PAGE_CACHE_SECONDS", default=86400 if _cache_url else 60)
# With a shared cache, how long a worker trusts its copy of the page-cache version: a write through another
# worker reaches that worker's anonymous visitors within this many seconds.
KHOOSHE_PAGE_CACHE_VERSION_SECONDS = env.float("KHOOSHE_PAGE_CACHE_VERSION_SECONDS", default=1.0)

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling against password guessing (django-axes): lock a username+IP after 5 failures.
AXES_FAILURE_LIMIT = env.int("KHOOSHE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_ENABLED = env.bool("KHOOSHE_LOGIN_THROTTLING", default=True)

LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "khooshe_language"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("KHOOSHE_TIME_ZONE", default="Asia/Tehran")
USE_TZ = True  # stored in UTC

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000  # bulk selection of a whole page

REST_FRAMEWORK = {
    # Token first: an API call without valid credentials gets 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["khooshe.core.api_policy.ScopedPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "khooshe.core.api_policy.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "khooshe.core.api_policy.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Khooshe API",
    "DESCRIPTION": "The ecosystem registry and every later part of Khooshe, as a REST API.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VisibilityEnum": "khooshe.registry.models.Visibility",
        "ChallengeVisibilityEnum": "khooshe.matching.models.Challenge.Visibility",
        "ChallengeStatusEnum": "khooshe.matching.models.Challenge.Status",
        "ProfileVisibilityEnum": "khooshe.matching.models.Profile.Visibility",
        "ProposalStatusEnum": "khooshe.matching.models.Proposal.Status",
        # the hubs app has several choice sets of fields named "kind"
        "SpaceKindEnum": "khooshe.hubs.models.SpaceKind",
        "HubPlanKindEnum": "khooshe.hubs.residents.models.PlanKind",
        "HubProgramKindEnum": "khooshe.hubs.cohorts.models.HubProgram.Kind",
        "CallQuestionKindEnum": "khooshe.hubs.cohorts.models.CallQuestion.Kind",
        "HubServiceKindEnum": "khooshe.hubs.catalogue.models.ServiceKind",
    },
}

# Background tasks (django-tasks): "db" (default) keeps the queue in the database and needs a worker
# process (`khooshe worker`; `khooshe serve`/`demo` start one themselves); "rq" uses Redis
# (KHOOSHE_CACHE_URL or REDIS_URL) and `rqworker --job-class django_tasks_rq.Job`; "immediate" runs each
# task inside the request that starts it (no worker at all; for a tiny install or tests).
KHOOSHE_TASKS_BACKEND = env.str("KHOOSHE_TASKS_BACKEND", default="db")
_TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if KHOOSHE_TASKS_BACKEND not in _TASK_BACKENDS:
    raise environ.ImproperlyConfigured(
        f"KHOOSHE_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {KHOOSHE_TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[KHOOSHE_TASKS_BACKEND]}}
if KHOOSHE_TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": env.str("REDIS_URL", default=_cache_url or "redis://127.0.0.1:6379/0"),
                             "DEFAULT_TIMEOUT": env.int("KHOOSHE_TASK_TIMEOUT", default=3600)}}
# Uploaded statistics and analysis results (insights app): <data dir>/insights/{datasets,runs,uploads}.
KHOOSHE_INSIGHTS_DIR = Path(env.str("KHOOSHE_INSIGHTS_DIR", default=str(DATA_DIR / "insights"))).resolve()
# Search indexes (khooshe.search): one folder per searchable model under KHOOSHE_SEARCH_DIR; embeddings for
# dense retrieval: "auto" (when the model package is installed), true or false (see docs/search.md).
KHOOSHE_SEARCH_DIR = Path(env.str("KHOOSHE_SEARCH_DIR", default=str(DATA_DIR / "search"))).resolve()
_search_dense = env.str("KHOOSHE_SEARCH_DENSE", default="auto").strip().lower()
KHOOSHE_SEARCH_DENSE = "auto" if _search_dense == "auto" else _search_dense in ("1", "true", "yes", "on")

# Validation of organization national IDs: "ir" checks the 11-digit Iranian legal-entity ID with its
# check digit; "any" accepts any 3-20 letters/digits (for another country's registry).
KHOOSHE_NATIONAL_ID_FORMAT = env.str("KHOOSHE_NATIONAL_ID_FORMAT", default="ir")

# Optional base-map tiles for the maps, e.g. "https://tile.example.org/{z}/{x}/{y}.png"; empty = offline
# (province boundaries only).
KHOOSHE_MAP_TILES_URL = env.str("KHOOSHE_MAP_TILES_URL", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("KHOOSHE_LOG_LEVEL", default="WARNING")},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 default, opted into now
