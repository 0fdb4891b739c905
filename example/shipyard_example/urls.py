"""URL configuration of the shipyard example project."""

from django.contrib import admin
from django.urls import include, path, re_path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # Probes and automation often omit the trailing slash; accept both.
    re_path(r"^health/?$", views.health, name="health"),
    re_path(r"^_shipyard/sentry-verify/?$", views.sentry_verify, name="sentry_verify"),
    path("catalog/", include("catalog.urls")),
    path("contact/", include("contact.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "shipyard_example.views.page_not_found"
handler500 = "shipyard_example.views.server_error"
