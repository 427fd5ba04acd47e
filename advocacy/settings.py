"""
Settings for the advocacy letter tracker.

One file, read from the environment, so that a fresh checkout runs with
SQLite and no configuration at all, and production sets a handful of
variables (see README.md).
"""

from __future__ import annotations

import datetime as dt
import os
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "True")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_NAME = env("SITE_NAME", "Advocacy Letters")
SITE_ROOT = env("SITE_ROOT", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_countries",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "import_export",
    "simple_history",
    "recipients",
    "letters",
]

MIDDLEWARE = [
    # First, so that every later log line of the request carries its id.
    "advocacy.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "advocacy.urls"
WSGI_APPLICATION = "advocacy.wsgi.application"

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
                "advocacy.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections save a connect per request on PostgreSQL; the health
        # check reconnects at the start of a request if the server dropped one.
        conn_max_age=envint("CONN_MAX_AGE", env("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=envbool("CONN_HEALTH_CHECKS", "True"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and a task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Intergovernmental organisations are addressed beside states: see recipients/governments.py.
# (A module without Django imports, so the settings can read it.)
from recipients.governments import INTERGOVERNMENTAL  # noqa: E402

COUNTRIES_OVERRIDE = dict(INTERGOVERNMENTAL)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# The client's address: REMOTE_ADDR, unless the app runs behind this many proxies
# of ours, each appending to PROXY_IP_HEADER (see advocacy/proxy.py). Without
# it a client could pick its own address in X-Forwarded-For.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
PROXY_IP_HEADER = env("PROXY_IP_HEADER", "X-Forwarded-For")
AXES_CLIENT_IP_CALLABLE = "advocacy.proxy.client_ip"
RATELIMIT_IP_META_KEY = "advocacy.proxy.client_ip"

# Failed logins count per address and per username, separately: one password
# tried on many accounts from one address is stopped, and so is one account
# tried from many addresses. A pause, not a lock that needs an administrator,
# so nobody can shut a colleague out for long; a password reset by e-mail
# works meanwhile and lifts the pause on that account. Successes do not wipe
# the count, or an attacker with any account could keep its address unpaused.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "8")
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Password-reset requests, per address and per e-mail address (django-ratelimit rates).
PASSWORD_RESET_RATE_PER_ADDRESS = "10/h"
PASSWORD_RESET_RATE_PER_EMAIL = "3/h"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2  # the e-mailed link works for two hours

LANGUAGE_CODE = "en-gb"
# Letters print in their own language (letters/printing/ renders inside
# translation.override): the printed labels' catalogues live in locale/.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "static-collected")))
STATICFILES_DIRS: list[Path | tuple[str, str]] = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))


def media_storage() -> dict:
    """
    Uploads, sent copies, print batches and the PDF cache: on disk (MEDIA_ROOT,
    one machine) or in an S3 bucket that every web machine and worker shares.
    boto3 reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment.
    """
    backend = env("STORAGE_BACKEND", "disk")
    if backend == "disk":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if backend != "s3":
        raise ImproperlyConfigured(f"STORAGE_BACKEND must be disk or s3, not {backend!r}")
    if not env("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "location": env("AWS_LOCATION"),
            # Never reuse a name: the PDF cache keys and the renderer's image cache
            # take a stored name for one version of a file.
            "file_overwrite": False,
            # Every download goes through a view that checks who asks: the bucket
            # stays private and no page links to it.
            "default_acl": None,
            "querystring_auth": True,
        },
    }


STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads larger than this are refused by Django before our own checks run.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Every web process must see the same counts (sign-on rate limits): production uses
# the database cache (`manage.py createcachetable`), development the process's memory.
CACHES = {
    "default": {
        "BACKEND": env(
            "CACHE_BACKEND",
            "django.core.cache.backends.locmem.LocMemCache"
            if DEBUG
            else "django.core.cache.backends.db.DatabaseCache",
        ),
        "LOCATION": env("CACHE_LOCATION", "" if DEBUG else "django_cache"),
        # The tracker's figures and pages are cached per query string until the next
        # write (letters/tracking_cache.py); Django's default of 300 entries culled them
        # under load. Old entries expire after 10 minutes anyway.
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", "20000")},
    }
}

# Development prints mail to the console; production sends it over SMTP unless told otherwise.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "587")
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "letters@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who gets server errors by e-mail (DEBUG off, through Django's mail_admins handler):
# "Ann <ann@example.org>, ops@example.org".
ADMINS = [(name or addr, addr) for name, addr in getaddresses([env("ADMINS")]) if addr]

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

# /health/ reports the task workers as stale when none has claimed a task for this long.
WORKER_STALE_SECONDS = envint("WORKER_STALE_SECONDS", "300")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Positions not verified for this many days are flagged as stale.
STALE_AFTER_DAYS = envint("STALE_AFTER_DAYS", "180")

# No inline scripts or styles anywhere, so the policy can stay strict.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    # Load balancers probe each machine over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "True")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")

# Each request's id: taken from this header when a proxy of ours sets it (e.g.
# X-Request-ID), else made up; sent back in X-Request-ID and put on every log line.
REQUEST_ID_HEADER = env("REQUEST_ID_HEADER")

# Sign-on and password-reset tokens never reach a log line: Django's "Not Found:
# /sign/<token>/" warnings and runserver's request lines go through a filter that
# redacts them (gunicorn's access log does the same in gunicorn.conf.py). Every
# record is one line (a traceback too) with the request id, so the lines of several
# machines can be merged and grepped.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "advocacy.logs.RedactTokens"},
        "request_id": {"()": "advocacy.logs.RequestIdFilter"},
    },
    "formatters": {
        "one_line": {
            "()": "advocacy.logs.OneLineFormatter",
            "format": "{asctime} {levelname} {name} [{request_id}] {message}",
            "style": "{",
        },
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_tokens", "request_id"],
            "formatter": "one_line",
        },
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Filtered where the records are made, before any of Django's own handlers.
        # Django's own `django` logger mails errors to ADMINS when DEBUG is off.
        "django.request": {"filters": ["redact_tokens"]},
        "django.security.csrf": {"filters": ["redact_tokens"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_tokens"],
        },
        # WeasyPrint, fontTools and pikepdf (on import) are chatty at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
