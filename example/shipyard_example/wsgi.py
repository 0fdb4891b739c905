"""WSGI entry point, served by gunicorn: ``shipyard_example.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shipyard_example.settings")

application = get_wsgi_application()
