"""Site-wide views: the home page, operations endpoints and error pages.

``/health``
    Liveness and readiness probe for the container, Render and the
    ``docker-publish`` / ``render-deploy`` actions.
``/_shipyard/sentry-verify/``
    Deliberately fails so that the ``sentry-verify`` action can prove that
    errors reach Sentry; disabled unless ``SENTRY_VERIFY_TOKEN`` is set.
"""

import hmac
import json
import logging
import re

import sentry_sdk
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponseNotAllowed, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist, loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from catalog.models import Product

__all__ = [
    "NONCE_PATTERN",
    "ShipyardVerificationError",
    "TOKEN_HEADER",
    "health",
    "home",
    "page_not_found",
    "sentry_verify",
    "server_error",
]

logger = logging.getLogger(__name__)

#: Header that carries the verification token (``Authorization: Bearer`` works too).
TOKEN_HEADER = "X-Shipyard-Verify-Token"

#: What a verification nonce may look like.
NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")


class ShipyardVerificationError(Exception):
    """Raised on purpose by :func:`sentry_verify`; its message contains the nonce."""


@require_safe
def home(request):
    """Home page: a short introduction and the newest available products."""
    try:
        latest = list(Product.objects.available().select_related("category")[:6])
    except DatabaseError:
        logger.exception("Could not load the latest products for the home page")
        latest = []
    return render(request, "home.html", {"latest_products": latest})


@never_cache
@require_safe
def health(request):
    """Report whether the app can serve requests.

    Runs one cheap query (``SELECT 1``) on the default database and answers
    JSON that is never cached. It is exempt from the HTTPS redirect
    (``SECURE_REDIRECT_EXEMPT``) so that probes over plain HTTP get an answer.

    * ``200 {"status": "ok", "database": "ok", "environment": ..., "release": ...}``
    * ``503 {"status": "error", "database": "unavailable", ...}`` when the
      database does not answer.
    """
    payload = {
        "status": "ok",
        "database": "ok",
        "environment": settings.DJANGO_ENV,
        "release": settings.SENTRY_RELEASE or None,
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        # A warning, not an error: probes repeat every few seconds and the
        # failing requests themselves already reach Sentry.
        logger.warning("Health check failed: database unavailable (%s)", exc)
        payload.update(status="error", database="unavailable")
        return JsonResponse(payload, status=503)
    return JsonResponse(payload)


def _presented_token(request) -> str:
    """Return the token sent in ``X-Shipyard-Verify-Token`` or as a bearer token."""
    token = request.headers.get(TOKEN_HEADER, "").strip()
    if token:
        return token
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def _token_matches(request) -> bool:
    """Compare the presented token with ``SENTRY_VERIFY_TOKEN`` in constant time."""
    return hmac.compare_digest(
        _presented_token(request).encode(), settings.SENTRY_VERIFY_TOKEN.encode()
    )


def _requested_nonce(request) -> str | None:
    """Return the nonce from the query string, a form body or a JSON body."""
    nonce = request.GET.get("nonce") or request.POST.get("nonce")
    if nonce is None and request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("nonce"), str):
            nonce = body["nonce"]
    return nonce


@csrf_exempt  # Authenticated by the token, not by a session cookie.
@never_cache
def sentry_verify(request):
    """Fail on purpose so that the ``sentry-verify`` action can find the error in Sentry.

    ``GET`` or ``POST /_shipyard/sentry-verify/?nonce=<nonce>``

    The endpoint exists only when the ``SENTRY_VERIFY_TOKEN`` setting (from
    the environment variable of the same name) is set; otherwise it answers
    404 like any unknown URL. Callers authenticate with that token, either in
    the ``X-Shipyard-Verify-Token`` header or as ``Authorization: Bearer
    <token>``; it is compared in constant time.

    The ``nonce`` comes from the query string, a form body or a JSON body
    (``{"nonce": "..."}``) and must match ``[A-Za-z0-9_-]{8,64}``. With a
    valid token and nonce the view

    1. sets the Sentry tag ``shipyard.nonce`` on the request's scope, so
       every event of this request carries it;
    2. logs an ``INFO`` record (a Sentry breadcrumb) and an ``ERROR`` record
       (a Sentry event of level ``error``) on the ``shipyard_example.views``
       logger;
    3. raises :class:`ShipyardVerificationError`, whose message contains the
       nonce; Django answers 500 and Sentry records the unhandled exception.

    Other answers: 404 (disabled; the site's 404 page), 405 (a method other
    than GET or POST), and JSON errors 403 (missing or wrong token) and 400
    (missing or malformed nonce).

    :raises ShipyardVerificationError: always, once the request is accepted.
    """
    # The token is deliberately never held in a local variable of this
    # frame: Sentry sends the local variables of the frame that raised.
    if not settings.SENTRY_VERIFY_TOKEN:
        raise Http404("Sentry verification is disabled.")
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not _token_matches(request):
        logger.warning("Sentry verification refused: missing or wrong token")
        return JsonResponse({"error": "forbidden", "detail": "Missing or wrong token."}, status=403)
    nonce = _requested_nonce(request)
    if nonce is None or not NONCE_PATTERN.fullmatch(nonce):
        logger.warning("Sentry verification refused: missing or malformed nonce")
        return JsonResponse(
            {"error": "invalid_nonce", "detail": f"nonce must match {NONCE_PATTERN.pattern}"},
            status=400,
        )

    # The request's isolation scope: the log event and the exception event
    # raised below are both sent from it, so both carry the tag.
    sentry_sdk.set_tag("shipyard.nonce", nonce)
    logger.info("Sentry verification started (nonce=%s)", nonce)
    logger.error("Sentry verification error record (nonce=%s)", nonce)
    raise ShipyardVerificationError(f"Shipyard Sentry verification (nonce={nonce})")


def page_not_found(request, exception):
    """Render ``404.html`` (the ``handler404`` of the URLconf)."""
    return render(request, "404.html", {"request_path": request.path}, status=404)


def server_error(request):
    """Render ``500.html`` (the ``handler500`` of the URLconf).

    The template is rendered without a request context (context processors
    could be what failed) and shows Sentry's event id, if any, so that users
    can quote it.
    """
    context = {"sentry_event_id": sentry_sdk.last_event_id()}
    try:
        body = loader.get_template("500.html").render(context)
    except TemplateDoesNotExist:  # pragma: no cover - the template ships with the app
        body = "<h1>Server Error (500)</h1>"
    return HttpResponseServerError(body)
