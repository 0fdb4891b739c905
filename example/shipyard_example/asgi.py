"""ASGI entry point: ``shipyard_example.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shipyard_example.settings")

application = get_asgi_application()
