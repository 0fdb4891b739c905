# Stands for :mod:`shipyard_example.observability` in the API docs (see sphinx_src/README.md).
from shipyard_example.observability import *  # noqa: F401,F403
from shipyard_example.observability import __all__, __doc__  # noqa: F401
