"""Flask extension singletons shared by every layer."""
from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base so models can use `Mapped` / `mapped_column`."""


db = SQLAlchemy(model_class=Base)
