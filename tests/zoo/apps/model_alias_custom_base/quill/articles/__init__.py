"""The articles domain."""
from . import models, views  # noqa: F401
