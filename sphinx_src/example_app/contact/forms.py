# Stands for :mod:`contact.forms` in the API docs (see sphinx_src/README.md).
from contact.forms import *  # noqa: F401,F403
from contact.forms import __all__, __doc__  # noqa: F401
