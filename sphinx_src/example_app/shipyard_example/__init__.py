# Stands for the :mod:`shipyard_example` package in the API docs (see sphinx_src/README.md).
from shipyard_example import __doc__  # noqa: F401
