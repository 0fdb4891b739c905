# Stands for :mod:`contact.notifications` in the API docs (see sphinx_src/README.md).
from contact.notifications import *  # noqa: F401,F403
from contact.notifications import __all__, __doc__  # noqa: F401
