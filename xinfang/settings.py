"""Settings for xinfang. Every environment variable is documented in .env.example."""

from __future__ import annotations

import base64
import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from xinfang.env import env_bool, env_choice, env_int, env_list, env_str, secret_from_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("XINFANG_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("XINFANG_DEBUG", False)
TESTING = env_bool("XINFANG_TESTING", "pytest" in sys.modules)

SECRET_KEY = env_str("XINFANG_SECRET_KEY", "") or (
    "test-secret-key-not-for-production" if TESTING else secret_from_file(VAR_DIR / "secret.key", generate=True)
)
ALLOWED_HOSTS = env_list("XINFANG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("XINFANG_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("XINFANG_SITE_URL", "http://127.0.0.1:8000")
TRUST_X_FORWARDED_FOR = env_bool("XINFANG_TRUST_X_FORWARDED_FOR", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    # Domain apps (see docs/development.md)
    "core",
    "orgs",
    "accounts",
    "audit",
    "petitions",
    "handling",
    "deadlines",
    "notifications",
    "documents",
    "insight",
    "reception",
    "leaders",
    "stats",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "xinfang.urls"
WSGI_APPLICATION = "xinfang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xinfang.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("XINFANG_DB_CONN_MAX_AGE", 60, minimum=0))
except Exception as exc:  # dj_database_url raises several types for malformed URLs
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} is not a valid database URL ({exc})") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if not TESTING:
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})["connect_timeout"] = env_int("XINFANG_DB_CONNECT_TIMEOUT", 5, minimum=1)
else:
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r}: only sqlite:// and postgres:// are supported")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when configured, otherwise the database (shared by all web workers) -----------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "xinfang_cache"}}

# Auth, sessions, passwords --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MixedCharactersValidator"},
]
LOGIN_FAILURE_LIMIT = env_int("XINFANG_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("XINFANG_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
# Idle sessions expire: the cookie age is refreshed on every request.
SESSION_COOKIE_AGE = env_int("XINFANG_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = False  # core.middleware.SessionIdleRefreshMiddleware refreshes the expiry
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("XINFANG_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static and uploaded files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
UPLOAD_MAX_BYTES = env_int("XINFANG_UPLOAD_MAX_MB", 20, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Personal data protection ---------------------------------------------------------------------
def _fernet_key_file(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")
    return path.read_text().strip()


# Comma-separated Fernet keys; the first encrypts, all decrypt (see docs/operations.md, rotation).
if TESTING:
    PII_KEYS = env_list("XINFANG_PII_KEYS", []) or [base64.urlsafe_b64encode(b"t" * 32).decode()]
    PII_BLIND_INDEX_KEY = env_str("XINFANG_BLIND_INDEX_KEY", "") or "test-blind-index-key"
else:
    PII_KEYS = env_list("XINFANG_PII_KEYS", []) or [_fernet_key_file(VAR_DIR / "pii.key")]
    PII_BLIND_INDEX_KEY = env_str("XINFANG_BLIND_INDEX_KEY", "") or secret_from_file(
        VAR_DIR / "blind_index.key", generate=True
    )

# Background jobs ------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_choice(
            "XINFANG_TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            {
                "django_tasks_db.DatabaseBackend",
                "django_tasks.backends.immediate.ImmediateBackend",
                "django_tasks.backends.dummy.DummyBackend",
            },
        ),
        "QUEUES": ["default"],
    }
}

if TESTING:
    TASKS["default"]["BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    MEDIA_ROOT = Path(tempfile.gettempdir()) / "xinfang-test-media"
    STATIC_ROOT = Path(tempfile.gettempdir()) / "xinfang-test-static"
    STATIC_ROOT.mkdir(exist_ok=True)

# API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.IsStaffMember"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "PAGE_SIZE": 20,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "xinfang 信访工作平台 API",
    "DESCRIPTION": "信访事项登记、办理、督办、统计的接口。所有接口的数据范围与网页一致。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One clear schema name per choice set that shares a field name with another.
    "ENUM_NAME_OVERRIDES": {
        "PetitionStatusEnum": "petitions.choices.Status",
        "PetitionKindEnum": "petitions.choices.Kind",
        "ChannelEnum": "petitions.choices.Channel",
        "UnitKindEnum": "orgs.choices.UnitKind",
        "DocumentKindEnum": "documents.choices.DocumentKind",
        "NotificationKindEnum": "notifications.choices.NotificationKind",
        "ReviewOutcomeEnum": "handling.choices.ReviewOutcome",
        "CaseOutcomeEnum": "leaders.choices.CaseOutcome",
        "TicketStatusEnum": "reception.choices.TicketStatus",
        "AppointmentStatusEnum": "reception.choices.AppointmentStatus",
        "HearingStatusEnum": "leaders.choices.HearingStatus",
        "InstructionKindEnum": "leaders.choices.InstructionKind",
        "IncidentKindEnum": "reception.choices.IncidentKind",
        "MessageStatusEnum": "notifications.choices.MessageStatus",
        "RoomKindEnum": "reception.choices.RoomKind",
        "DispatchKindEnum": "handling.choices.DispatchKind",
        "ClockKindEnum": "deadlines.choices.ClockKind",
    },
}

# Notifications --------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("XINFANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("XINFANG_FROM_EMAIL", "xinfang@localhost")
# SMS to petitioners: the console backend logs a masked number; a real gateway is one more class.
SMS_BACKEND = env_str("XINFANG_SMS_BACKEND", "notifications.sms.ConsoleSMSBackend")

# Logging: one line per event on stderr -------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_choice("XINFANG_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
