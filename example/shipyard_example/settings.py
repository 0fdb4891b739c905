"""Settings of the shipyard example project.

Everything that differs between machines comes from environment variables;
``example/.env.example`` lists them. ``DJANGO_ENV`` picks one of two modes:

``development`` (default)
    Reads ``example/.env`` if present (real environment variables win),
    ``DEBUG`` on unless ``DEBUG=false``, an insecure fallback ``SECRET_KEY``.
``production``
    Reads only the real environment, refuses to start without ``SECRET_KEY``,
    ``DEBUG`` forced off, HTTPS everywhere (secure cookies, HSTS, redirect),
    static files served by whitenoise from ``STATIC_ROOT``.
    ``manage.py check --deploy`` is clean with these settings.

See https://docs.djangoproject.com/en/5.2/ref/settings/ for each setting.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from .env import env_bool, env_int, env_list, env_str
from .observability import init_sentry

# example/ (the directory that holds manage.py).
BASE_DIR = Path(__file__).resolve().parent.parent

# --- Environment ------------------------------------------------------------

DJANGO_ENV = os.environ.get("DJANGO_ENV", "").strip().lower() or "development"
if DJANGO_ENV not in ("development", "production"):
    raise ImproperlyConfigured(
        f"Invalid DJANGO_ENV {DJANGO_ENV!r}. Expected 'development' or 'production'."
    )
IS_PRODUCTION = DJANGO_ENV == "production"

if not IS_PRODUCTION:
    # A developer's local configuration. DJANGO_ENV itself is read before
    # this file, so a .env file can never switch a machine to production.
    load_dotenv(BASE_DIR / ".env", override=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. It is required when DJANGO_ENV=production; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"

# Production ignores DEBUG entirely: it can only be turned on in development.
DEBUG = False if IS_PRODUCTION else env_bool("DEBUG", True)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
# Render tells each service its public host name.
if env_str("RENDER_EXTERNAL_HOSTNAME"):
    ALLOWED_HOSTS.append(env_str("RENDER_EXTERNAL_HOSTNAME"))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Applications -----------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: runserver then serves static files like production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "catalog",
    "contact",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shipyard_example.urls"
WSGI_APPLICATION = "shipyard_example.wsgi.application"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

# DATABASE_URL (e.g. postgres://...) wins; otherwise SQLite at SQLITE_PATH,
# which a container points at a writable volume.
if env_str("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL"), conn_max_age=600, conn_health_checks=True
        )
    }
else:
    SQLITE_PATH = Path(env_str("SQLITE_PATH", "db.sqlite3"))
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH if SQLITE_PATH.is_absolute() else BASE_DIR / SQLITE_PATH,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Filled by `manage.py collectstatic` when the image is built.
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production serves compressed, content-hashed files, which requires
    # collectstatic to have run; development and tests use the plain storage.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security ---------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
# Load balancers and Render's health checks probe /health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/?$"]

if IS_PRODUCTION:
    # Render (like most platforms) terminates TLS at its proxy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Overridable only so that a local container smoke test can run over
    # plain HTTP; check --deploy warns when it is off.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Email (the contact app notifies staff) ---------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "shipyard-example@localhost")
CONTACT_RECIPIENTS = env_list("CONTACT_RECIPIENTS")

# --- Logging ----------------------------------------------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"Invalid LOG_LEVEL {LOG_LEVEL!r}. Expected DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )

# One logger per app; each propagates to a single console handler on the
# root logger (stdout, which the platform collects). Sentry's logging
# integration sees every record independently of these handlers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "console": {"format": "%(asctime)s %(levelname)s [%(name)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "console",
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Django's DEBUG level is mostly SQL; keep it at INFO even when the
        # apps are debugged. Clearing the handlers routes it to the root.
        "django": {"level": "INFO" if LOG_LEVEL == "DEBUG" else LOG_LEVEL, "handlers": []},
        "shipyard_example": {"level": LOG_LEVEL},
        "catalog": {"level": LOG_LEVEL},
        "contact": {"level": LOG_LEVEL},
    },
}

# --- Sentry -----------------------------------------------------------------

SENTRY_RELEASE = env_str("SENTRY_RELEASE")
# Enables /_shipyard/sentry-verify/ (see shipyard_example.views.sentry_verify).
SENTRY_VERIFY_TOKEN = env_str("SENTRY_VERIFY_TOKEN")
SENTRY_ENABLED = init_sentry(default_environment=DJANGO_ENV)
