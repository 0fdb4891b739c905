# Stands for :mod:`catalog.views` in the API docs (see sphinx_src/README.md).
from catalog.views import *  # noqa: F401,F403
from catalog.views import __all__, __doc__  # noqa: F401
