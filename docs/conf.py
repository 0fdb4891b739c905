"""Sphinx configuration of the shipyard documentation.

The API pages are generated from ``sphinx_src/`` by ``sphinx-apidoc`` into
``docs/api/`` (not committed). autodoc then imports the example app, so Django
is configured here first.
"""

import json
import os
import sys
from pathlib import Path

DOCS_DIR = Path(__file__).resolve().parent
ROOT_DIR = DOCS_DIR.parent

# -- Make the example app importable -------------------------------------------

sys.path[:0] = [
    str(ROOT_DIR / "example"),
    str(ROOT_DIR / "sphinx_src"),
    str(DOCS_DIR / "_ext"),
]

# The docs only import code: always the development settings, never Sentry,
# whatever the shell building them exports.
os.environ["DJANGO_SETTINGS_MODULE"] = "shipyard_example.settings"
os.environ["DJANGO_ENV"] = "development"
os.environ["SENTRY_DSN"] = ""

import django  # noqa: E402  (needs sys.path and the environment above)

django.setup()

# -- API pages ------------------------------------------------------------------

# The pipeline runs `sphinx-apidoc -f -o docs/api sphinx_src` before building.
# A plain `sphinx-build` (Read the Docs, a quick local build) has no docs/api
# yet; generate it then, the same way, so the toctree is never dangling.
if not (DOCS_DIR / "api" / "modules.rst").exists():
    from sphinx.ext.apidoc import main as apidoc_main

    apidoc_main(["-q", "-o", str(DOCS_DIR / "api"), str(ROOT_DIR / "sphinx_src")])

# -- Project information --------------------------------------------------------

project = "shipyard"
author = "the shipyard contributors"
copyright = f"%Y, {author}"
release = json.loads((ROOT_DIR / "package.json").read_text(encoding="utf-8"))["version"]
version = ".".join(release.split(".")[:2])

# -- General configuration ------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "shipyard_reference",  # docs/_ext: tables generated from action.yml files
]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

autodoc_member_order = "bysource"

# -- HTML output ----------------------------------------------------------------

# Dashes stay as typed ("check --deploy" is an option, not an en dash).
smartquotes_action = "qe"

html_theme = "alabaster"
html_title = f"shipyard {release}"


# -- Django models in autodoc ---------------------------------------------------
#
# autodoc sees a model's fields as Django's descriptor objects and would print
# the descriptors' own docstrings ("A wrapper for a deferred-loading field...").
# Describe each field instead, and skip the generated get_next_by_* helpers.


def _describe_model_field(app, what, name, obj, options, lines):
    from django.db.models.fields.related_descriptors import (
        ForwardManyToOneDescriptor,
        ReverseManyToOneDescriptor,
    )
    from django.db.models.query_utils import DeferredAttribute

    if isinstance(obj, ReverseManyToOneDescriptor):
        remote = obj.field
        lines[:] = [
            f"The related ``{remote.model.__name__}`` objects "
            f"(reverse of ``{remote.model.__name__}.{remote.name}``)."
        ]
    elif isinstance(obj, (DeferredAttribute, ForwardManyToOneDescriptor)):
        field = obj.field
        kind = type(field).__name__
        if name.rsplit(".", 1)[-1] != field.name:  # e.g. category_id
            lines[:] = [f"Primary key of the related object in ``{field.name}``."]
            return
        target = f" to ``{field.related_model.__name__}``" if field.is_relation else ""
        lines[:] = [f"{str(field.verbose_name).capitalize()} (``{kind}``{target})."]
        if field.help_text:
            lines += ["", str(field.help_text)]


def _skip_generated_model_members(app, what, name, obj, skip, options):
    if name.startswith(("get_next_by_", "get_previous_by_")):
        return True
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _describe_model_field)
    app.connect("autodoc-skip-member", _skip_generated_model_members)
