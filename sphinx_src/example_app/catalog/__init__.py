# Stands for the :mod:`catalog` package in the API docs (see sphinx_src/README.md).
from catalog import __doc__  # noqa: F401
