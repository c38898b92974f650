"""OneVoice settings, read from the environment.

Defaults run on a laptop (SQLite, embedded Huey, mail to the console). Production is selected by
``ONEVOICE_ENV=production`` and then refuses to start without a secret key.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
import ninja
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("ONEVOICE_ENV", "development")
PRODUCTION = ENV == "production"
TESTING = "pytest" in sys.modules or os.environ.get("ONEVOICE_TESTING") == "1"

DATA_DIR = Path(os.environ.get("ONEVOICE_DATA_DIR", BASE_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use the configured key; outside production, generate one once and keep it in the data dir."""
    configured = os.environ.get("ONEVOICE_SECRET_KEY", "").strip()
    if configured:
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured(
            "ONEVOICE_SECRET_KEY is not set. Production refuses to start without it: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` and put it in the environment."
        )
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("ONEVOICE_DEBUG", "0" if PRODUCTION else "1") == "1" and not TESTING
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ONEVOICE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
BASE_URL = os.environ.get("ONEVOICE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Keys for credentials at rest (MultiFernet): comma-separated, the first one encrypts, all decrypt.
ENCRYPTION_KEYS = [k.strip() for k in os.environ.get("ONEVOICE_ENCRYPTION_KEYS", "").split(",") if k.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "axes",
    "huey.contrib.djhuey",
    "onevoice.core",
    "onevoice.accounts",
    "onevoice.organization",
    "onevoice.networks",
    "onevoice.planning",
    "onevoice.publishing",
    "onevoice.strategy",
    "onevoice.guidelines",
    "onevoice.voice",
    "onevoice.inbox",
    "onevoice.workload",
    "onevoice.analytics",
    "onevoice.assessment",
    "onevoice.enablement",
    "onevoice.api",
    "onevoice.webhooks",
    "onevoice.sso",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "onevoice.core.middleware.AuditContextMiddleware",
    "onevoice.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onevoice.organization.context_processors.current_organization",
            ],
        },
    },
]

# Database: SQLite in the data dir by default, anything dj-database-url understands via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'onevoice.sqlite3'}",
        conn_max_age=int(os.environ.get("ONEVOICE_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web server and the worker read while the other writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login rate limit (django-axes): after 5 failures for one e-mail from one address, 15 minutes' pause.
AXES_FAILURE_LIMIT = int(os.environ.get("ONEVOICE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Internationalisation: German first, English second; Europe/Berlin by default.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "onevoice_language"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The Swagger UI files django-ninja ships, for the API's documentation page (served like every static file:
# by whitenoise, before any session or database work).
STATICFILES_DIRS = [BASE_DIR / "static", ("ninja", Path(ninja.__file__).parent / "static" / "ninja")]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Background work: Huey on SQLite by default (one file in the data dir), on Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Threads per `onevoice worker`: publishing waits on the networks, so threads, not processes.
WORKER_THREADS = int(os.environ.get("ONEVOICE_WORKER_THREADS", "0"))
# A claim still "running" after this long means its worker died: the sweeper looks the post up.
PUBLISHING_RUNNING_TIMEOUT_SECONDS = int(os.environ.get("ONEVOICE_PUBLISHING_RUNNING_TIMEOUT", "180"))
HUEY_IMMEDIATE = os.environ.get("ONEVOICE_HUEY_IMMEDIATE", "1" if TESTING else "0") == "1"
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "onevoice",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": WORKER_THREADS or 8, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "onevoice",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        # Idle threads poll the SQLite queue; without a cap they back off to 10 s and a post goes out late.
        "consumer": {"workers": WORKER_THREADS or 4, "worker_type": "thread", "max_delay": 1.0},
    }

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL and not TESTING
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Pieces of pages that depend only on code, translations and a few keys (the navigation by organisation,
    # role and language): in each process's memory, so a new release never shows an old piece.
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}

# Mail: SMTP when EMAIL_HOST is set, otherwise printed to the console (development).
_email_host = os.environ.get("EMAIL_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": os.environ.get("EMAIL_USE_TLS", "0") == "1",
                "use_ssl": os.environ.get("EMAIL_USE_SSL", "0") == "1",
                "timeout": 20,
            },
        }
        if _email_host
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "OneVoice <onevoice@localhost>")

SESSION_ENGINE = "onevoice.accounts.sessions"  # Django's database sessions, read with a written-out statement
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = os.environ.get("ONEVOICE_INSECURE_COOKIES", "0") != "1"
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INVITATION_VALID_DAYS = int(os.environ.get("ONEVOICE_INVITATION_VALID_DAYS", "7"))
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ONEVOICE_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"level": "INFO"}},
}

# Outbound HTTP (onevoice/core/http.py): hosts on internal addresses that may be reached anyway, e.g. a
# self-hosted Mastodon in the office network or the local Bluesky testbed ("localhost,127.0.0.1").
HTTP_ALLOWED_PRIVATE_HOSTS = [
    h.strip() for h in os.environ.get("ONEVOICE_HTTP_ALLOWED_PRIVATE_HOSTS", "").split(",") if h.strip()
]
# Under tests nothing beyond this machine may be reached.
HTTP_ALLOW_PUBLIC = not TESTING

# Outgoing webhooks and chat notifications: how long one delivery may take before it counts as failed.
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("ONEVOICE_WEBHOOK_TIMEOUT", "10"))

# The REST API: requests per minute and access token (beyond: 429 with Retry-After).
API_RATE_PER_MINUTE = int(os.environ.get("ONEVOICE_API_RATE_PER_MINUTE", "600"))
