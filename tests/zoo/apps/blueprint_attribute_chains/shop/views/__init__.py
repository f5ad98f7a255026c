"""Customer-facing blueprints."""
from . import account, public  # noqa: F401
