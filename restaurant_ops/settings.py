"""Settings, all from the environment, with development defaults.

The embedded default (no DATABASE_URL, no CELERY_BROKER_URL) is the laptop demo: SQLite and a real
Celery worker on a filesystem broker under ./var. Set DATABASE_URL (postgres://...) and
CELERY_BROKER_URL (redis://...) for PostgreSQL and Redis; set DJANGO_PRODUCTION=1 behind a
TLS-terminating proxy: production refuses to start without those two and DJANGO_SECRET_KEY, and
has no demo app.

Importing this module has no side effects: the folders under ./var are made by whatever first
needs them (the SQLite backend, the embedded broker, the e-mail and storage backends).
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RESTAURANT_OPS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


PRODUCTION = env_bool("DJANGO_PRODUCTION")
# Production never falls back to the laptop defaults (SQLite, the filesystem broker, a known key).
REQUIRED_IN_PRODUCTION = ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY")
if PRODUCTION and (missing := [name for name in REQUIRED_IN_PRODUCTION if not os.environ.get(name)]):
    raise ImproperlyConfigured(
        f"DJANGO_PRODUCTION=1 needs {', '.join(missing)} in the environment (missing: not starting). "
        "See README.md, 'Pointing the app at PostgreSQL and Redis'."
    )
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
SECRET_KEY = (
    os.environ.get("DJANGO_SECRET_KEY")
    or "dev-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH"  # noqa: S105
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# The address printed in table QR codes: the restaurant's LAN address or its public domain.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Outgoing webhooks and chat robots (connections/urlguard.py): in production a URL whose host resolves to a
# loopback, private, link-local or other non-public address is refused (at save and at each delivery),
# unless private targets are allowed (a back office on the LAN) or the host is listed.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", default=not PRODUCTION)
WEBHOOK_ALLOWED_HOSTS = [h.lower() for h in env_list("WEBHOOK_ALLOWED_HOSTS")]

INSTALLED_APPS = [
    "restaurant_ops.admin_site.OpsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "phonenumber_field",
    "restaurant_ops",
    "orders",
    "kitchen",
    "staffing",
    "analytics",
    "customers",
    "dashboard",
    "connections",
    # After every other listener of orders' events: its order_placed listener takes the ingredient
    # row locks, so taking them last holds them for the shortest time (tests/foundation/test_events).
    "inventory",
    # The demo loader sets published passwords: it does not exist in production.
    *([] if PRODUCTION else ["demo"]),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "restaurant_ops.middleware.ApiBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "restaurant_ops.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "restaurant_ops.middleware.UniqueConflictMiddleware",
    "restaurant_ops.middleware.StoreTimeZoneMiddleware",
    "restaurant_ops.middleware.DomainErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "restaurant_ops.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into its page
]

ROOT_URLCONF = "restaurant_ops.urls"
WSGI_APPLICATION = "restaurant_ops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "restaurant_ops.context_processors.stores",
                "connections.context_processors.notifications",  # the bell's unread count
            ],
            # {{ amount|money:store }} and {{ allergen|food_word }} everywhere
            "builtins": ["restaurant_ops.templatetags.money", "restaurant_ops.templatetags.food"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend that makes ./var on first connection.
            "ENGINE": "restaurant_ops.sqlite",
            "NAME": VAR_DIR / "db.sqlite3",
            # IMMEDIATE + WAL: a web process and a worker can both write without "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# A PostgreSQL read replica for the owner's analyses and dashboard reads (restaurant_ops/routers.py).
# In tests it stands in as a mirror of the test database.
if DATABASE_REPLICA_URL := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["restaurant_ops.routers.ReadReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttles, idempotency locks, de-bouncing): shared across processes --------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Fails open: with Redis down, throttles and de-bouncing let requests through (one log line a
    # minute), and orders, payments and the kitchen display go on.
    CACHES = {
        "default": {
            "BACKEND": "restaurant_ops.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            # One Redis may serve several databases (staging beside production, a benchmark beside the
            # tests): cached recipes and marks are facts of one database, so its name prefixes them.
            "KEY_PREFIX": str(DATABASES["default"]["NAME"]),
        }
    }
else:
    # The database cache is shared by every web and worker process, unlike locmem.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_table"}
    }

# --- Auth, i18n, time ------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Logins resist guessing (django-axes): five wrong passwords for one username lock that username's
# logins for 15 minutes (or until `manage.py axes_reset_username NAME`); each failure and lock also
# goes into the audit trail of the person's stores (restaurant_ops.receivers). PIN locks are separate.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("LOGIN_LOCK_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
# axes.W006 asks for the IP in the lockout key; we limit per username on purpose (staff share one
# restaurant IP, and an attacker rotating IPs must still not get more guesses at one name).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# Scripts only from our own origin or carrying the request's nonce (`nonce="{{ request.csp_nonce }}"`):
# no inline handlers (onclick=, hx-on), no eval (htmx runs with allowEval off, see base.html).
# style-src allows 'unsafe-inline' on purpose: plotly.js and htmx swaps write style attributes and
# <style> elements at run time, and plotly has no way to carry a nonce; a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # the QR codes and plotly's icons
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# plotly.js is our own bundle of only the traces the dashboard draws (static/vendor, built by
# `make plotly` from assets/plotly): 1.3 MB instead of the full 4.8 MB, and never from a CDN.
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION  # hashed names cached for a year; needs collectstatic (the image runs it)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DJANGO_MAX_BODY_BYTES", 1_048_576))

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "restaurant_ops.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["restaurant_ops.api.permissions.HasStoreAccess"],
    "DEFAULT_PAGINATION_CLASS": "restaurant_ops.api.pagination.UpdatedCursorPagination",
    "DEFAULT_PARSER_CLASSES": [
        "restaurant_ops.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "restaurant_ops.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "restaurant_ops.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"table": os.environ.get("TABLE_ORDER_RATE", "10/min")},
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Restaurant Ops API",
    "DESCRIPTION": "POS integration API. Authenticate with `Authorization: Api-Key <key>`; send "
    "`Idempotency-Key` on every POST that creates something.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CustomerSourceEnum": "customers.models.Source",
        "ConsentChannelEnum": "customers.models.Consent.Channel",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "restaurant_ops.api.schema.document_errors",
        "restaurant_ops.api.schema.document_times_of_day",
    ],
}
IDEMPOTENCY_TTL_HOURS = 24
# An order a till queued offline (`placed_at` in the API): how far its clock may run ahead of ours,
# and how old it may be. Back-dated stock (receipts, counts, movements) may be as old as the last count.
ORDER_PLACED_AT_SKEW_SECONDS = int(os.environ.get("ORDER_PLACED_AT_SKEW_SECONDS", 120))
ORDER_PLACED_AT_MAX_DAYS = int(os.environ.get("ORDER_PLACED_AT_MAX_DAYS", 7))
# The largest sales file the API's asynchronous import takes (`POST /api/v1/sales-imports/`).
SALES_IMPORT_MAX_BYTES = int(os.environ.get("SALES_IMPORT_MAX_BYTES", 20_000_000))

# Templates other apps add to orders' pages (orders never imports them; the project wires them here).
# Each is included with the page's context: the guest page (table, session, store), the till's
# check page (check, store) and the receipt (check, receipt, store).
ORDERS_GUEST_PANELS = ["customers/_guest_panel.html"]
ORDERS_CHECK_PANELS = ["customers/_till_panel.html"]
ORDERS_RECEIPT_PANELS = ["customers/_receipt_panel.html"]

# --- Customers ---------------------------------------------------------------------------------
# The country assumed for a phone number typed without its +country code (the demo is in China).
PHONENUMBER_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION", "CN")
PHONENUMBER_DB_FORMAT = "E164"
SMS_BACKEND = os.environ.get("SMS_BACKEND", "customers.sms.FileBackend")
SMS_FILE_PATH = VAR_DIR / "sms"
SMS_PROVIDER_URL = os.environ.get("SMS_PROVIDER_URL", "")
SMS_PROVIDER_KEY = os.environ.get("SMS_PROVIDER_KEY", "")
# The shared secret the provider sends with inbound replies (STOP) in the X-Sms-Secret header.
SMS_INBOUND_SECRET = os.environ.get("SMS_INBOUND_SECRET", "")

# --- Celery ----------------------------------------------------------------------------------
# The hard time limit of the longest job; the broker's visibility timeout and the sweeper of JobRuns
# left "running" by a dead worker follow from it.
JOB_TIME_LIMIT_SECONDS = int(os.environ.get("JOB_TIME_LIMIT_SECONDS", 300))
# A sales-history upload (orders.tasks.sales_import_run) may run longer than an analysis: a million lines.
SALES_IMPORT_TIME_LIMIT_SECONDS = int(os.environ.get("SALES_IMPORT_TIME_LIMIT_SECONDS", 1500))
# "localhost" only names the embedded broker: without a host kombu warns on every connection.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker"
    # kombu's stock filesystem transport can hand a worker a half-written file (kombu #1551):
    # ours writes to a hidden file and renames it into place (and makes these folders).
    CELERY_BROKER_TRANSPORT = "restaurant_ops.broker:AtomicFilesystemTransport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
    CELERY_RESULT_BACKEND = None
else:
    # Redis: an unacknowledged task (acks_late) goes back to the queue when its worker is gone for as
    # long as the longest job may run, not the default hour; countdowns and retries stay below it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": max(JOB_TIME_LIMIT_SECONDS, SALES_IMPORT_TIME_LIMIT_SECONDS) + 60,
        "socket_connect_timeout": 2,
        "health_check_interval": 10,
    }
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "analytics.tasks.*": {"queue": "analytics"},
    "customers.tasks.*": {"queue": "analytics"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# The worker survives a broker outage: it retries forever (startup included) and picks up again.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A task in flight when the connection drops is cancelled and re-delivered (acks_late), not run twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "outbox"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
# A mail provider's SMTP relay: port 587 with STARTTLS (EMAIL_USE_TLS) or 465 with TLS (EMAIL_USE_SSL).
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10  # a slow relay delays a worker's task, never a request
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "orders@restaurant-ops.local")

# --- Logging: one JSON object a line in production ------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"no_4xx_traceback": {"()": "restaurant_ops.log_filters.NoTracebackFor4xx"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if PRODUCTION else "plain",
            "filters": ["no_4xx_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Production hardening (behind a TLS-terminating proxy) -----------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
