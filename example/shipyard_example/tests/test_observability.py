import logging

import pytest
import sentry_sdk
from django.core.exceptions import ImproperlyConfigured
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

from shipyard_example.observability import init_sentry, sentry_options

logger = logging.getLogger("shipyard_example.tests")


def test_options_without_a_dsn_disable_sentry():
    options = sentry_options({}, default_environment="production")
    assert options["dsn"] is None
    assert options["environment"] == "production"
    assert options["release"] is None
    assert options["traces_sample_rate"] == 0.0
    assert not options.get("send_default_pii")
    assert "data_collection" not in options
    kinds = {type(integration) for integration in options["integrations"]}
    assert kinds == {DjangoIntegration, LoggingIntegration}


def test_options_come_from_the_environment():
    options = sentry_options({
        "SENTRY_DSN": "https://key@o1.ingest.sentry.io/2",
        "SENTRY_ENVIRONMENT": "staging",
        "SENTRY_RELEASE": "shipyard-example@abc123",
        "SENTRY_TRACES_SAMPLE_RATE": "0.2",
    })
    assert options["dsn"] == "https://key@o1.ingest.sentry.io/2"
    assert (options["environment"], options["release"]) == ("staging", "shipyard-example@abc123")
    assert options["traces_sample_rate"] == 0.2


def test_invalid_sample_rate_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="SENTRY_TRACES_SAMPLE_RATE"):
        sentry_options({"SENTRY_TRACES_SAMPLE_RATE": "2"})


def test_init_reports_whether_events_are_sent():
    try:
        assert init_sentry({"SENTRY_DSN": "https://public@sentry.invalid/1"}) is True
        assert sentry_sdk.get_client().dsn == "https://public@sentry.invalid/1"
    finally:
        assert init_sentry({}) is False
    assert sentry_sdk.get_client().dsn is None


def test_info_is_a_breadcrumb_and_error_an_event(sentry_events):
    logger.info("step one")
    logger.warning("odd but fine")
    logger.error("it broke: %s", "disk full")
    [event] = sentry_events
    assert event["level"] == "error"
    assert event["logentry"]["formatted"] == "it broke: disk full"
    crumbs = [(c.get("level"), c["message"]) for c in event["breadcrumbs"]["values"]]
    assert ("info", "step one") in crumbs
    assert ("warning", "odd but fine") in crumbs


def test_disallowed_host_errors_stay_out_of_sentry(client, sentry_events):
    response = client.get("/health", headers={"Host": "attacker.example"})
    assert response.status_code == 400
    assert sentry_events == []
