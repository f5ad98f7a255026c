"""SQLAlchemy and Flask-SQLAlchemy vocabulary: declarative bases, the `db` object, table names."""

from __future__ import annotations

import re

DECLARATIVE_BASES = (
    "sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api.DeclarativeBase",
)
SQLMODEL_BASES = ("sqlmodel.SQLModel", "sqlmodel.main.SQLModel")  # a table only with `table=True`
BASE_FACTORIES = (
    "sqlalchemy.orm.declarative_base", "sqlalchemy.ext.declarative.declarative_base",
    "sqlalchemy.orm.decl_api.declarative_base",
)
FLASK_SQLALCHEMY = ("flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy")
TABLE_CALLEES = ("sqlalchemy.Table", "sqlalchemy.schema.Table")


def camel_to_snake(name: str) -> str:
    """Flask-SQLAlchemy 3's default __tablename__: "OrderLine" -> "order_line"."""
    name = re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name)
    return name.lower().lstrip("_")
