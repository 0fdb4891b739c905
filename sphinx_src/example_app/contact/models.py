# Stands for :mod:`contact.models` in the API docs (see sphinx_src/README.md).
from contact.models import *  # noqa: F401,F403
from contact.models import __all__, __doc__  # noqa: F401
