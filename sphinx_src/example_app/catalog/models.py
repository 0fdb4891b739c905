# Stands for :mod:`catalog.models` in the API docs (see sphinx_src/README.md).
from catalog.models import *  # noqa: F401,F403
from catalog.models import __all__, __doc__  # noqa: F401
