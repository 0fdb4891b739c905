"""API of the shipyard example application.

The example is a small shop built with Django 5.2: a :mod:`catalog
<example_app.catalog>` of products, a :mod:`contact <example_app.contact>`
form, and the project package :mod:`shipyard_example
<example_app.shipyard_example>` with its operations endpoints (``/health``
and the Sentry verification endpoint) and its environment-driven settings.
"""
