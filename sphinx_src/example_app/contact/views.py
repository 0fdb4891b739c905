# Stands for :mod:`contact.views` in the API docs (see sphinx_src/README.md).
from contact.views import *  # noqa: F401,F403
from contact.views import __all__, __doc__  # noqa: F401
