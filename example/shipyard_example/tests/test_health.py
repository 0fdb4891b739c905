import logging
from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_health_reports_ok_as_json(client, settings):
    settings.SENTRY_RELEASE = "shipyard-example@1a2b3c4"
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "environment": "development",
        "release": "shipyard-example@1a2b3c4",
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_accepts_trailing_slash_and_head(client):
    assert client.get("/health/").status_code == 200
    assert client.head("/health").status_code == 200
    assert client.post("/health").status_code == 405


def test_health_answers_503_when_the_database_fails(client, caplog):
    with mock.patch("shipyard_example.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("unable to open database file")
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "unavailable"
    [record] = [r for r in caplog.records if r.name == "shipyard_example.views"]
    assert record.levelno == logging.WARNING
    assert "unable to open database file" in record.getMessage()


@pytest.mark.django_db
def test_health_is_exempt_from_the_https_redirect(client, settings):
    """In production /health answers plain-HTTP probes; everything else moves to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health").status_code == 200
    response = client.get("/catalog/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/catalog/"
