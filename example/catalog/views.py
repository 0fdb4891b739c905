"""Catalog pages: the product list, a category's products, a product.

Only available products are shown. Unknown slugs answer 404; a database
failure answers 503 with the ``503.html`` page and is logged (and so reported
to Sentry) with what was being loaded.
"""

import logging

from django.core.paginator import Page, Paginator
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import Category, Product

__all__ = ["PAGE_SIZE", "category_detail", "product_detail", "product_list"]

logger = logging.getLogger(__name__)

#: Products per page in lists.
PAGE_SIZE = 12


def _paginate(request, queryset) -> Page:
    """Return the requested page of ``queryset``, its rows already fetched."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    # Fetch here, inside the caller's error handling, not during rendering.
    page.object_list = list(page.object_list)
    return page


def _get_by_slug(queryset, slug: str):
    """Return the object of ``queryset`` with this slug, or raise :class:`~django.http.Http404`."""
    label = queryset.model._meta.verbose_name
    try:
        obj = queryset.get(slug=slug)
    except queryset.model.DoesNotExist:
        logger.info("No %s with slug %r", label, slug)
        raise Http404(f"No {label} matches the given query.") from None
    logger.debug("Loaded %s %r (id=%s)", label, slug, obj.pk)
    return obj


def _unavailable(request, what: str):
    """Log the current database error and answer 503."""
    logger.exception("Database error while loading %s", what)
    return render(request, "503.html", status=503)


@require_safe
def product_list(request):
    """List the available products, ``PAGE_SIZE`` per page, with the categories."""
    try:
        page = _paginate(request, Product.objects.available().select_related("category"))
        categories = list(Category.objects.all())
    except DatabaseError:
        return _unavailable(request, "the product list")
    return render(
        request, "catalog/product_list.html", {"page_obj": page, "categories": categories}
    )


@require_safe
def category_detail(request, slug):
    """Show a category and its available products."""
    try:
        category = _get_by_slug(Category.objects.all(), slug)
        page = _paginate(request, category.products.available())
    except DatabaseError:
        return _unavailable(request, f"category {slug!r}")
    return render(request, "catalog/category_detail.html", {"category": category, "page_obj": page})


@require_safe
def product_detail(request, slug):
    """Show one available product."""
    try:
        product = _get_by_slug(Product.objects.available().select_related("category"), slug)
    except DatabaseError:
        return _unavailable(request, f"product {slug!r}")
    return render(request, "catalog/product_detail.html", {"product": product})
