"""Sentry set-up, identical in every environment.

:func:`init_sentry` is called once from the settings module. It reads its
whole configuration from the environment, so development, CI, the container
smoke test and production all run the same code; only the variables differ.
Without ``SENTRY_DSN`` the SDK stays disabled and nothing is sent.

``SENTRY_DSN``
    The project's DSN. Unset or blank disables Sentry.
``SENTRY_ENVIRONMENT``
    Environment name; defaults to ``DJANGO_ENV``.
``SENTRY_RELEASE``
    Release name, e.g. the commit SHA; unset lets the SDK detect it.
``SENTRY_TRACES_SAMPLE_RATE``
    Share of requests traced, from 0 to 1 (default 0).
"""

import logging
import os
from collections.abc import Mapping
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration, ignore_logger
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

from .env import env_float, env_str

__all__ = ["SCRUBBED_KEYS", "init_sentry", "sentry_options"]

#: Keys (headers, form fields, local variables) never sent to Sentry, on top
#: of the SDK's defaults: the sentry-verify endpoint's token header.
SCRUBBED_KEYS = ["x-shipyard-verify-token", "x_shipyard_verify_token"]


def sentry_options(
    environ: Mapping[str, str] | None = None, default_environment: str = "development"
) -> dict[str, Any]:
    """Build the keyword arguments of :func:`sentry_sdk.init` from the environment.

    Log records at ``INFO`` and above become breadcrumbs; records at ``ERROR``
    and above become events. Personal data (cookies, user, IP address) is not
    sent, and the keys in ``SCRUBBED_KEYS`` are scrubbed from events.

    :param environ: where to read the variables (defaults to :data:`os.environ`).
    :param default_environment: environment name when ``SENTRY_ENVIRONMENT`` is unset.
    """
    environ = os.environ if environ is None else environ
    return {
        "dsn": env_str("SENTRY_DSN", environ=environ) or None,
        "environment": env_str("SENTRY_ENVIRONMENT", default_environment, environ=environ),
        # None lets the SDK fall back to its own release detection.
        "release": env_str("SENTRY_RELEASE", environ=environ) or None,
        "traces_sample_rate": env_float(
            "SENTRY_TRACES_SAMPLE_RATE", 0.0, minimum=0.0, maximum=1.0, environ=environ
        ),
        # No personal data: send_default_pii is left at its default (off).
        # Recent sentry-sdk releases deprecate passing it explicitly, in
        # favour of data_collection, which would also disable event_scrubber.
        "event_scrubber": EventScrubber(denylist=DEFAULT_DENYLIST + SCRUBBED_KEYS),
        "integrations": [
            DjangoIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
    }


def init_sentry(
    environ: Mapping[str, str] | None = None, default_environment: str = "development"
) -> bool:
    """Initialise the Sentry SDK from the environment.

    :returns: ``True`` when events will be sent (a DSN is configured).
    """
    options = sentry_options(environ, default_environment)
    sentry_sdk.init(**options)
    # Requests with a foreign Host header are scanners, not bugs: keep them
    # in the logs but out of Sentry's issues.
    ignore_logger("django.security.DisallowedHost")
    return options["dsn"] is not None
