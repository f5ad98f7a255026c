"""The comments domain."""
from . import models, views  # noqa: F401
