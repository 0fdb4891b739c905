# Stands for the :mod:`contact` package in the API docs (see sphinx_src/README.md).
from contact import __doc__  # noqa: F401
