"""Fixtures shared by the tests of every app."""

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from shipyard_example.observability import sentry_options


class CapturingTransport(Transport):
    """A Sentry transport that keeps events in memory instead of sending them."""

    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hash test passwords with MD5, as Django's testing docs advise.

    The production hasher (PBKDF2) is slow on purpose: each user the admin
    tests create would cost a quarter of a second. Tests of the hashers
    themselves would override this; the app has none.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _sentry_disabled():
    """Whatever the environment says, tests never send anything to a real Sentry."""
    sentry_sdk.init(**sentry_options({}))


@pytest.fixture
def sentry_events():
    """Enable Sentry with the app's options and collect the events it sends.

    The test runs in its own isolation scope (the Django test client does not
    create one per request, as the WSGI handler does), so tags set by a view
    do not leak into other tests.
    """
    transport = CapturingTransport()
    options = sentry_options({"SENTRY_DSN": "https://public@sentry.invalid/1"}, "test")
    sentry_sdk.init(**options, transport=transport)
    with sentry_sdk.isolation_scope():
        yield transport.events
    sentry_sdk.init(**sentry_options({}))
