import logging
from unittest import mock

import pytest
from django.db import DatabaseError

from catalog import views
from catalog.models import Category, Product


def test_product_list_shows_available_products_and_categories(client, hammer, retired_saw):
    response = client.get("/catalog/")
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [hammer]
    assert b"Hammer" in response.content
    assert b"Old saw" not in response.content
    assert b'href="/catalog/category/tools/"' in response.content


def test_product_list_is_paginated(client, tools, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for number in range(5):
        Product.objects.create(
            category=tools, name=f"Item {number}", slug=f"item-{number}", price=1
        )
    response = client.get("/catalog/", {"page": 3})
    page = response.context["page_obj"]
    assert (page.number, page.paginator.num_pages, len(page)) == (3, 3, 1)
    assert b"Page 3 of 3" in response.content
    # Out of range or nonsense page numbers fall back to a real page.
    assert client.get("/catalog/", {"page": "x"}).context["page_obj"].number == 1


def test_category_detail(client, hammer, retired_saw):
    response = client.get("/catalog/category/tools/")
    assert response.status_code == 200
    assert response.context["category"] == hammer.category
    assert list(response.context["page_obj"]) == [hammer]
    assert b"Things that fix things." in response.content


def test_product_detail(client, hammer):
    response = client.get("/catalog/hammer/")
    assert response.status_code == 200
    assert response.context["product"] == hammer
    assert b"Claw hammer.<br>Steel head." in response.content


@pytest.mark.parametrize("url", ["/catalog/nope/", "/catalog/old-saw/", "/catalog/category/nope/"])
def test_unknown_or_retired_slugs_answer_404_and_are_logged(client, retired_saw, url, caplog):
    caplog.set_level(logging.INFO, logger="catalog")
    response = client.get(url)
    assert response.status_code == 404
    assert b"Page not found" in response.content
    [record] = [r for r in caplog.records if r.name == "catalog.views"]
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith("No ")


def test_successful_lookup_is_logged_at_debug(client, hammer, caplog):
    caplog.set_level(logging.DEBUG, logger="catalog")
    client.get("/catalog/hammer/")
    assert f"Loaded product 'hammer' (id={hammer.pk})" in caplog.messages


@pytest.mark.parametrize(
    ("url", "target", "what"),
    [
        ("/catalog/", Product.objects, "the product list"),
        ("/catalog/category/tools/", Category.objects, "category 'tools'"),
        ("/catalog/hammer/", Product.objects, "product 'hammer'"),
    ],
)
def test_database_failure_answers_503_and_logs_the_error(client, url, target, what, caplog):
    method = "available" if target is Product.objects else "all"
    with mock.patch.object(target, method, side_effect=DatabaseError("connection lost")):
        response = client.get(url)
    assert response.status_code == 503
    assert b"Temporarily unavailable" in response.content
    [record] = [r for r in caplog.records if r.name == "catalog.views"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == f"Database error while loading {what}"
    assert record.exc_info[0] is DatabaseError


def test_catalog_pages_are_read_only(client):
    assert client.post("/catalog/").status_code == 405
