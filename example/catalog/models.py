"""Catalog data: categories and the products in them."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

__all__ = ["Category", "Product", "ProductQuerySet"]


class Category(models.Model):
    """A named group of products, addressed by its slug."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """Return the URL of the category's page."""
        return reverse("catalog:category_detail", args=[self.slug])


class ProductQuerySet(models.QuerySet):
    """Query helpers for :class:`Product`, available as ``Product.objects``."""

    def available(self):
        """Only the products that can be ordered (``is_available=True``)."""
        return self.filter(is_available=True)


class Product(models.Model):
    """Something the shop sells, in exactly one :class:`Category`."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    is_available = models.BooleanField(
        default=True, help_text="Unavailable products are hidden from the site."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="catalog_product_price_non_negative"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """Return the URL of the product's page."""
        return reverse("catalog:product_detail", args=[self.slug])
