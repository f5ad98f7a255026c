"""The users domain."""
from . import models, views  # noqa: F401
