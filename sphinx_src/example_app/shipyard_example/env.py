# Stands for :mod:`shipyard_example.env` in the API docs (see sphinx_src/README.md).
from shipyard_example.env import *  # noqa: F401,F403
from shipyard_example.env import __all__, __doc__  # noqa: F401
