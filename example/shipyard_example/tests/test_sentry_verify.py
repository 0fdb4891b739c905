import logging
from wsgiref.util import setup_testing_defaults

import pytest
from django.test import Client

from shipyard_example.views import ShipyardVerificationError
from shipyard_example.wsgi import application

URL = "/_shipyard/sentry-verify/"
TOKEN = "verify-token-for-tests"
NONCE = "nonce_1234-abcd"


@pytest.fixture
def verify_token(settings):
    settings.SENTRY_VERIFY_TOKEN = TOKEN
    return TOKEN


def test_disabled_without_a_token_setting(client, settings):
    settings.SENTRY_VERIFY_TOKEN = ""
    response = client.get(URL, {"nonce": NONCE}, headers={"X-Shipyard-Verify-Token": "anything"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Shipyard-Verify-Token": "wrong"}, {"Authorization": f"Basic {TOKEN}"}],
    ids=["missing", "wrong", "not-bearer"],
)
def test_refuses_a_missing_or_wrong_token(client, verify_token, headers, caplog):
    response = client.post(URL, {"nonce": NONCE}, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert "missing or wrong token" in caplog.text


@pytest.mark.parametrize("nonce", [None, "short", "x" * 65, "bad nonce!", "ünïcode-nonce"])
def test_rejects_a_missing_or_malformed_nonce(client, verify_token, nonce):
    data = {} if nonce is None else {"nonce": nonce}
    response = client.get(URL, data, headers={"X-Shipyard-Verify-Token": TOKEN})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_nonce"


def test_only_get_and_post(client, verify_token):
    response = client.put(URL, headers={"X-Shipyard-Verify-Token": TOKEN})
    assert response.status_code == 405


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get(URL, {"nonce": NONCE}, headers={"X-Shipyard-Verify-Token": TOKEN}),
        lambda c: c.post(URL, {"nonce": NONCE}, headers={"Authorization": f"Bearer {TOKEN}"}),
        lambda c: c.post(
            URL, {"nonce": NONCE}, content_type="application/json",
            headers={"X-Shipyard-Verify-Token": TOKEN},
        ),
    ],
    ids=["get-query", "post-form-bearer", "post-json"],
)
def test_raises_with_the_nonce_once_accepted(client, verify_token, send):
    with pytest.raises(ShipyardVerificationError, match=NONCE):
        send(client)


def test_malformed_json_body_counts_as_missing_nonce(client, verify_token):
    response = client.post(
        URL, "{not json", content_type="application/json",
        headers={"X-Shipyard-Verify-Token": TOKEN},
    )
    assert response.status_code == 400


def test_logs_an_info_and_an_error_record(client, verify_token, caplog):
    caplog.set_level(logging.INFO, logger="shipyard_example")
    with pytest.raises(ShipyardVerificationError):
        client.get(URL, {"nonce": NONCE}, headers={"X-Shipyard-Verify-Token": TOKEN})
    records = [(r.levelno, r.getMessage()) for r in caplog.records if r.name.startswith("shipyard")]
    assert (logging.INFO, f"Sentry verification started (nonce={NONCE})") in records
    assert (logging.ERROR, f"Sentry verification error record (nonce={NONCE})") in records


def test_sends_two_tagged_events_to_sentry(client, verify_token, sentry_events):
    with pytest.raises(ShipyardVerificationError):
        client.get(URL, {"nonce": NONCE}, headers={"X-Shipyard-Verify-Token": TOKEN})

    assert len(sentry_events) == 2
    log_event, exception_event = sentry_events
    for event in sentry_events:
        assert event["tags"]["shipyard.nonce"] == NONCE
        assert event["level"] == "error"
        assert event["environment"] == "test"
    assert log_event["logentry"]["formatted"] == f"Sentry verification error record (nonce={NONCE})"
    exception = exception_event["exception"]["values"][-1]
    assert exception["type"] == "ShipyardVerificationError"
    assert NONCE in exception["value"]
    breadcrumbs = [crumb["message"] for crumb in exception_event["breadcrumbs"]["values"]]
    assert f"Sentry verification started (nonce={NONCE})" in breadcrumbs
    assert TOKEN not in str(sentry_events)


@pytest.mark.django_db  # the WSGI handler closes stale connections around requests
def test_through_the_wsgi_stack_the_token_header_is_scrubbed(verify_token, sentry_events, settings):
    """As in production: Sentry's WSGI middleware adds the request headers to events."""
    settings.ALLOWED_HOSTS = ["testserver"]
    environ = {}
    setup_testing_defaults(environ)
    environ.update(
        PATH_INFO=URL, QUERY_STRING=f"nonce={NONCE}", HTTP_HOST="testserver",
        HTTP_X_SHIPYARD_VERIFY_TOKEN=TOKEN,
    )
    statuses = []
    b"".join(application(environ, lambda status, headers, exc_info=None: statuses.append(status)))

    assert statuses == ["500 Internal Server Error"]
    assert [event["tags"]["shipyard.nonce"] for event in sentry_events] == [NONCE, NONCE]
    headers = sentry_events[-1]["request"]["headers"]
    assert headers["X-Shipyard-Verify-Token"] == "[Filtered]"
    assert TOKEN not in str(sentry_events)


def test_the_user_gets_the_500_page_with_the_sentry_reference(verify_token, sentry_events):
    client = Client(raise_request_exception=False)
    response = client.get(URL, {"nonce": NONCE}, headers={"X-Shipyard-Verify-Token": TOKEN})
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert sentry_events[-1]["event_id"].encode() in response.content
