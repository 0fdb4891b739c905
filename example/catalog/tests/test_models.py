from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from catalog.models import Product


def test_string_forms_and_urls(hammer):
    assert str(hammer) == "Hammer"
    assert str(hammer.category) == "Tools"
    assert hammer.get_absolute_url() == "/catalog/hammer/"
    assert hammer.category.get_absolute_url() == "/catalog/category/tools/"


def test_available_excludes_retired_products(hammer, retired_saw):
    assert list(Product.objects.available()) == [hammer]
    assert list(hammer.category.products.available()) == [hammer]


def test_negative_price_is_refused_by_validation_and_by_the_database(tools):
    product = Product(category=tools, name="Gift", slug="gift", price=Decimal("-1"))
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        product.full_clean()
    with pytest.raises(IntegrityError):
        product.save()


def test_products_are_ordered_by_name(tools):
    for name in ["Wrench", "Anvil", "Pliers"]:
        Product.objects.create(category=tools, name=name, slug=name.lower(), price=1)
    assert [p.name for p in Product.objects.all()] == ["Anvil", "Pliers", "Wrench"]
