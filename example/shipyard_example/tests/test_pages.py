from decimal import Decimal
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import RequestFactory

from catalog.models import Category, Product
from shipyard_example.views import server_error


@pytest.mark.django_db
def test_home_lists_available_products(client):
    tools = Category.objects.create(name="Tools", slug="tools")
    Product.objects.create(category=tools, name="Hammer", slug="hammer", price=Decimal("9.50"))
    Product.objects.create(
        category=tools, name="Broken saw", slug="broken-saw", price=1, is_available=False
    )
    response = client.get("/")
    assert response.status_code == 200
    assert b"Hammer" in response.content
    assert b"Broken saw" not in response.content


def test_home_survives_a_database_failure(client, caplog):
    with mock.patch.object(Product.objects, "available", side_effect=DatabaseError("down")):
        response = client.get("/")
    assert response.status_code == 200
    assert b"No products yet." in response.content
    assert "Could not load the latest products" in caplog.text


def test_unknown_url_renders_the_custom_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"/no/such/page/" in response.content


def test_server_error_handler_renders_the_standalone_500_page():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Reference:" not in response.content  # no Sentry event, no reference


def test_wsgi_and_asgi_entry_points_load():
    from shipyard_example import asgi, wsgi

    assert callable(wsgi.application)
    assert callable(asgi.application)
