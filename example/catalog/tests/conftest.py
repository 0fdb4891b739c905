from decimal import Decimal

import pytest

from catalog.models import Category, Product


@pytest.fixture
def tools(db):
    return Category.objects.create(
        name="Tools", slug="tools", description="Things that fix things."
    )


@pytest.fixture
def hammer(tools):
    return Product.objects.create(
        category=tools, name="Hammer", slug="hammer", price=Decimal("12.50"),
        description="Claw hammer.\nSteel head.",
    )


@pytest.fixture
def retired_saw(tools):
    return Product.objects.create(
        category=tools, name="Old saw", slug="old-saw", price=Decimal("3"), is_available=False
    )
