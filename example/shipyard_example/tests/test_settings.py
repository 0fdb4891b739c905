"""The settings module under different environments.

In-process tests execute a fresh copy of ``settings.py`` with a controlled
environment (the live ``django.conf.settings`` is left alone). The tests that
matter most for a deploy - refusing to start without ``SECRET_KEY`` and a
clean ``check --deploy`` - start a real Python process, as production does.
"""

import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import shipyard_example.settings

SETTINGS_FILE = Path(shipyard_example.settings.__file__)
BASE_DIR = SETTINGS_FILE.parent.parent

# Every variable the settings read; cleared so the caller's shell cannot leak in.
SETTINGS_VARIABLES = [
    "DJANGO_ENV", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
    "RENDER_EXTERNAL_HOSTNAME", "DATABASE_URL", "SQLITE_PATH", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "EMAIL_BACKEND", "DEFAULT_FROM_EMAIL", "CONTACT_RECIPIENTS",
    "LOG_LEVEL", "SENTRY_DSN", "SENTRY_ENVIRONMENT", "SENTRY_RELEASE",
    "SENTRY_TRACES_SAMPLE_RATE", "SENTRY_VERIFY_TOKEN",
]

PRODUCTION_KEY = secrets.token_urlsafe(64)


@pytest.fixture
def load_settings(monkeypatch):
    """Return a function that executes settings.py with the given variables set."""
    dotenv_calls = []
    monkeypatch.setattr("dotenv.load_dotenv", lambda *args, **kwargs: dotenv_calls.append(args))

    def load(**environ):
        for name in SETTINGS_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        spec = importlib.util.spec_from_file_location(
            "shipyard_example._settings_under_test", SETTINGS_FILE
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.dotenv_loaded = bool(dotenv_calls)
        return module

    return load


def _clean_environ(**extra):
    environ = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environ["DJANGO_SETTINGS_MODULE"] = "shipyard_example.settings"
    environ.update(extra)
    return environ


def test_development_defaults(load_settings):
    settings = load_settings()
    assert settings.DJANGO_ENV == "development"
    assert settings.DEBUG is True
    assert settings.SECRET_KEY.startswith("django-insecure-")
    assert settings.dotenv_loaded
    assert settings.DATABASES["default"]["NAME"] == BASE_DIR / "db.sqlite3"
    assert not hasattr(settings, "SECURE_SSL_REDIRECT")
    assert settings.SENTRY_ENABLED is False


def test_production_hardening(load_settings):
    settings = load_settings(
        DJANGO_ENV="production",
        SECRET_KEY=PRODUCTION_KEY,
        DEBUG="true",
        RENDER_EXTERNAL_HOSTNAME="shipyard-example.onrender.com",
    )
    assert settings.DEBUG is False, "DEBUG must be forced off in production"
    assert not settings.dotenv_loaded, "production must not read a .env file"
    assert settings.SECURE_SSL_REDIRECT is True
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SECURE_HSTS_SECONDS == 31536000
    assert settings.ALLOWED_HOSTS[-1] == "shipyard-example.onrender.com"
    assert settings.STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise.")


def test_production_redirect_can_be_disabled_for_a_local_smoke_test(load_settings):
    settings = load_settings(
        DJANGO_ENV="production", SECRET_KEY=PRODUCTION_KEY, SECURE_SSL_REDIRECT="false"
    )
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is True


def test_database_url_wins_over_sqlite(load_settings):
    settings = load_settings(DATABASE_URL="postgres://app:secret@db.internal:5432/shop")
    database = settings.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.internal", "shop")


def test_sqlite_path_absolute_or_relative_to_the_project(load_settings, tmp_path):
    absolute = tmp_path / "data" / "app.sqlite3"
    assert load_settings(SQLITE_PATH=str(absolute)).DATABASES["default"]["NAME"] == absolute
    relative = load_settings(SQLITE_PATH="var/app.sqlite3").DATABASES["default"]["NAME"]
    assert relative == BASE_DIR / "var" / "app.sqlite3"


def test_lists_and_log_level_come_from_the_environment(load_settings):
    settings = load_settings(
        ALLOWED_HOSTS="app.example, www.app.example",
        CSRF_TRUSTED_ORIGINS="https://app.example",
        LOG_LEVEL="debug",
    )
    assert settings.ALLOWED_HOSTS == ["app.example", "www.app.example"]
    assert settings.CSRF_TRUSTED_ORIGINS == ["https://app.example"]
    assert settings.LOGGING["loggers"]["catalog"]["level"] == "DEBUG"
    assert settings.LOGGING["loggers"]["django"]["level"] == "INFO"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DJANGO_ENV": "staging"}, "Invalid DJANGO_ENV 'staging'"),
        ({"LOG_LEVEL": "loud"}, "Invalid LOG_LEVEL 'LOUD'"),
        ({"DJANGO_ENV": "production"}, "SECRET_KEY is not set"),
    ],
)
def test_invalid_configuration_is_refused(load_settings, environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(**environ)


def test_production_refuses_to_start_without_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=_clean_environ(DJANGO_ENV="production"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_clean_environ(DJANGO_ENV="production", SECRET_KEY=PRODUCTION_KEY),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
