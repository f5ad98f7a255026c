"""The back office."""
from . import views  # noqa: F401
