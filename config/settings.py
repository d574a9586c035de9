"""One settings module for every profile, driven by environment variables.

- ``DATABASE_URL``: default a SQLite file in ``var/``; ``sqlite:////abs/path.sqlite3`` or ``postgres://…``.
- ``REDIS_URL``: when set, django-q2 uses Redis as its broker; otherwise the ORM broker (the database).
- ``DJANGO_PROFILE``: ``development`` (default) or ``production`` (secure cookies, HSTS, no debug).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("THIDUA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PROFILE = os.environ.get("DJANGO_PROFILE", "development")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in the production profile.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if not PRODUCTION else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The link to the source that every page's footer carries (AGPL-3.0 §13).
SOURCE_URL = os.environ.get("THIDUA_SOURCE_URL", "https://github.com/thidua-khenthuong/thidua")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_fsm",
    "viewflow",
    "viewflow.workflow",
    "import_export",
    "django_q",
    # The integration API (issue 8 item 9): see the "Integration API" block at the end of this file.
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "workflows",
    "accounts",
    "competition",
    "scoring",
    "nominations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit chain's head, which keys the data cache, read at most once per request (workflows/datacache.py).
    "workflows.datacache.DataVersionMiddleware",
    "workflows.health.RequestLogMiddleware",
    "accounts.middleware.MustChangePasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context_processors.site",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'thidua.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", DEFAULT_SQLITE)
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0 if DATABASE_URL.startswith("sqlite") else 60)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two writers queue
    # instead of failing half-way; 20 s is how long a write waits for the lock.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    if _db["NAME"] and _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and permissions ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while its username and address are locked out (login throttling, below).
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Password sign-in; grants no permission of its own (accounts/backends.py).
    "accounts.backends.PasswordBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time -----------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# The board's working country: its public holidays come from the `holidays` package.
WORKDAY_COUNTRY = "VN"

# --- Static and media ------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("THIDUA_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing directory
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.AppDirectoriesWithoutNodeModules",  # see config/staticfiles.py
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("THIDUA_MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files: a folder (MEDIA_ROOT, shared between the machines of a cluster) or, with THIDUA_MEDIA_STORAGE=s3,
# an S3-compatible bucket (django-storages): AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL (MinIO, Viettel, FPT …),
# AWS_S3_REGION_NAME, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY. Files are private: downloads go through the views,
# which check who may read them.
MEDIA_STORAGE = os.environ.get("THIDUA_MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "s3":
    _media = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (import files) above this size are refused with a message.
THIDUA_MAX_UPLOAD_BYTES = int(os.environ.get("THIDUA_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Import files with more data rows than this are checked and written by a background task, with visible progress.
THIDUA_IMPORT_BACKGROUND_ROWS = int(os.environ.get("THIDUA_IMPORT_BACKGROUND_ROWS", 5000))
# Units are reminded this many working days before a deadline (workflows/reminders.py).
THIDUA_REMINDER_WORKING_DAYS = int(os.environ.get("THIDUA_REMINDER_WORKING_DAYS", 3))
# A bulk action on the board's filtered list of dossiers over more dossiers than this runs as a background task,
# with visible progress (nominations/services/board.py).
THIDUA_BULK_BACKGROUND = int(os.environ.get("THIDUA_BULK_BACKGROUND", 200))
# The public address printed on certificates (their QR codes lead to its verification page), e.g.
# "https://thiduakhenthuong.thainguyen.gov.vn": paper must not depend on who printed it. Empty: the address of the
# request that prints.
THIDUA_PUBLIC_URL = os.environ.get("THIDUA_PUBLIC_URL", "")
# The guides, built by scripts/docs.py into THIDUA_GUIDE_DIR and served at THIDUA_GUIDE_URL (every page links to
# its section: config/guide.py). Behind a reverse proxy the built folder can be served directly at that address.
THIDUA_GUIDE_DIR = Path(os.environ.get("THIDUA_GUIDE_DIR", VAR_DIR / "guide"))
THIDUA_GUIDE_URL = os.environ.get("THIDUA_GUIDE_URL", "/huong-dan/")
# The LibreOffice binary that renders the PDF copies of decisions, submission letters and council minutes
# (workflows/pdf.py): a name on PATH or a path. Empty: "soffice", then "libreoffice", on PATH; no PDF links without.
THIDUA_SOFFICE = os.environ.get("THIDUA_SOFFICE", "")
# Personal data (Decree 13/2023/NĐ-CP): erased this many years after a dossier closes by
# `manage.py purge_personal_data` (nominations/services/retention.py). The register of awards is a permanent
# record and is kept unless THIDUA_PURGE_AWARD_RECORDS is on.
THIDUA_PERSONAL_DATA_RETENTION_YEARS = int(os.environ.get("THIDUA_PERSONAL_DATA_RETENTION_YEARS", 10))
THIDUA_PURGE_AWARD_RECORDS = env_bool("THIDUA_PURGE_AWARD_RECORDS")

# --- Mail ------------------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "thidua@localhost")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# --- Background work (django-q2) -------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": "thidua",
    "workers": int(os.environ.get("Q_WORKERS", 2)),
    "timeout": 600,
    # retry must exceed timeout, or a long task runs twice; failures are acknowledged so they do not loop.
    "retry": 720,
    "max_attempts": 3,
    "ack_failures": True,
    "save_limit": 500,
    "catch_up": True,
    "label": _("Tác vụ nền"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Cache -----------------------------------------------------------------------------------------------
# With REDIS_URL, one cache shared by every web process (the API's rate limits count across processes too);
# otherwise each process's memory. workflows/datacache.py keeps there what many pages read (the inbox, the campaign
# dashboard, permissions), keyed by the audit chain's head so that any change is seen at once; THIDUA_DATA_CACHE=false
# turns that off, and THIDUA_DATA_CACHE_SECONDS bounds how long a value is kept.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",  # Django's, one client per pool (config/cache.py)
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("THIDUA_CACHE_PREFIX", "thidua"),
            # A Redis that does not answer must not hold a page up: the data cache then computes afresh.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}}
    }
THIDUA_DATA_CACHE = env_bool("THIDUA_DATA_CACHE", True)
THIDUA_DATA_CACHE_SECONDS = int(os.environ.get("THIDUA_DATA_CACHE_SECONDS", 300))
if env_bool("THIDUA_Q_SYNC"):
    Q_CLUSTER["sync"] = True

# --- Logging ---------------------------------------------------------------------------------------------
# Production: one JSON object a line on standard output (for journald, Docker or a log shipper), with one line per
# request from workflows.health.RequestLogMiddleware (no query strings, no personal data). Development: plain text,
# and request lines only when THIDUA_REQUEST_LOG is on (runserver prints its own).
LOG_FORMAT = os.environ.get("THIDUA_LOG_FORMAT", "json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django-q": {"level": "WARNING"},
        "thidua.request": {"level": "INFO" if PRODUCTION or env_bool("THIDUA_REQUEST_LOG") else "WARNING"},
    },
}

# --- Security --------------------------------------------------------------------------------------------
# Login throttling (django-axes): after THIDUA_LOGIN_FAILURES failed sign-ins for one username from one address,
# that pair is locked for THIDUA_LOGIN_LOCKOUT_MINUTES; a successful sign-in resets the count.
AXES_ENABLED = env_bool("THIDUA_LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = int(os.environ.get("THIDUA_LOGIN_FAILURES", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("THIDUA_LOGIN_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# Content Security Policy (django-csp): scripts, fonts, images and forms from this site only; no framing. Inline
# style attributes are allowed (layout only); inline scripts are not, so pages carry none.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Integration API (issue 8 item 9: config/api.py, docs/api.md) -------------------------------------------------
# Token (header "Authorization: Token <key>", manage.py api_token) or the web's session (with its CSRF check);
# JSON only; requests per user (or per address, without authentication) limited by THIDUA_API_RATE_USER and
# THIDUA_API_RATE_ANON ("<n>/<second|minute|hour|day>").
THIDUA_API_RATE_USER = os.environ.get("THIDUA_API_RATE_USER", "600/min")
THIDUA_API_RATE_ANON = os.environ.get("THIDUA_API_RATE_ANON", "60/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without valid credentials gets 401 with "WWW-Authenticate: Token".
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.PasswordChanged",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": THIDUA_API_RATE_USER, "anon": THIDUA_API_RATE_ANON},
    # Each resource paginates with competition.api.ApiPagination (50 a page, ?page_size= up to 200).
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Thi đua - Khen thưởng API",
    "VERSION": "1",
    "DESCRIPTION": (
        "API tích hợp của phần mềm quản lý thi đua, khen thưởng: phong trào, đơn vị, chỉ tiêu và tiến độ, phiếu chấm "
        "điểm, hồ sơ đề nghị khen thưởng, quyết định khen thưởng. Xác thực bằng mã truy cập (Authorization: Token "
        "<mã>) hoặc phiên đăng nhập.\n\n"
        "Integration API of the emulation and rewards workflow engine: campaigns, units, indicators and progress, "
        "scorecards, nomination dossiers, award decisions. Authenticate with a token (Authorization: Token <key>) "
        "or the web session. Messages are in Vietnamese."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets named once (several fields share them).
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "competition.enums.UnitKind",
        "SubjectKindEnum": "competition.enums.SubjectKind",  # a nominee's kind has the same choices
    },
}
# --- end of the integration API block ---------------------------------------------------------------------------
