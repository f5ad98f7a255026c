from .base import BaseController
from .controller import controller
from .routers import AdminRouter

__all__ = ["AdminRouter", "BaseController", "controller"]
