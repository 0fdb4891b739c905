# Stands for :mod:`shipyard_example.views` in the API docs (see sphinx_src/README.md).
from shipyard_example.views import *  # noqa: F401,F403
from shipyard_example.views import __all__, __doc__  # noqa: F401
