"""ORM models and their tables (SQLAlchemy, Flask-SQLAlchemy, SQLModel, Django), found by following
each class's bases through the index to a known root: a declarative base, `db.Model`, `SQLModel`
(whose subclasses are tables only with `table=True`), or `django.db.models.Model`. Abstract classes and declarative bases have no table; a SQLAlchemy
subclass without `__tablename__` shares its parent's table (single-table inheritance).
"""

from __future__ import annotations

from dataclasses import dataclass

from decompose.analysis.index import Index, split_id, symbol_id
from decompose.analysis.model import Table
from decompose.frameworks.django import app_labels, django_table, is_django_base
from decompose.frameworks.sqlalchemy import (
    BASE_FACTORIES,
    DECLARATIVE_BASES,
    FLASK_SQLALCHEMY,
    SQLMODEL_BASES,
    TABLE_CALLEES,
    camel_to_snake,
)


@dataclass(frozen=True)
class Kind:
    role: str  # model | base
    framework: str  # sqlalchemy | flask-sqlalchemy | django
    table: str | None = None


class ModelFinder:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.memo: dict[str, Kind | None] = {}
        self.bases, self.db_objects = self._roots()
        self.labels = app_labels(index)

    def _roots(self) -> tuple[set[str], set[str]]:
        bases: set[str] = set()
        db_objects: set[str] = set()
        for facts in self.index.files.values():
            for call in facts.assigned_calls:
                if call.scope is None and call.callee in BASE_FACTORIES:
                    bases.add(symbol_id(facts.module, call.name))
                elif call.scope is None and call.callee in FLASK_SQLALCHEMY:
                    db_objects.add(symbol_id(facts.module, call.name))
        return bases, db_objects

    def tables(self) -> list[Table]:
        out: list[Table] = []
        for class_id in sorted(self.index.classes):
            kind = self.classify(class_id)
            if kind is not None and kind.role == "model" and kind.table:
                module, _ = split_id(class_id)
                out.append(Table(kind.table, class_id, kind.framework, module, self._line(class_id)))
        return out + self._plain_tables()

    def _line(self, node: str) -> int:
        module, name = split_id(node)
        return self.index.symbols[module][name or ""].line

    def _plain_tables(self) -> list[Table]:
        out = []
        for facts in self.index.files.values():
            for call in facts.assigned_calls:
                if call.scope is None and call.args and self._is_table_call(facts.module, call.callee):
                    out.append(Table(call.args[0], symbol_id(facts.module, call.name), "sqlalchemy", facts.module, call.line))
        return out

    def _is_table_call(self, module: str, callee: str) -> bool:
        if callee in TABLE_CALLEES:
            return True
        owner, _, attr = callee.rpartition(".")
        resolved = self.index.resolve(owner) if attr == "Table" and owner else None
        return resolved is not None and resolved.node in self.db_objects and not resolved.rest

    # ---- classification ----------------------------------------------------------------------
    def classify(self, class_id: str) -> Kind | None:
        if class_id not in self.memo:
            self.memo[class_id] = None  # cycle guard
            self.memo[class_id] = self._classify(class_id)
        return self.memo[class_id]

    def _classify(self, class_id: str) -> Kind | None:
        info = self.index.classes[class_id]
        module, name = split_id(class_id)
        for base in info.bases:
            parent = self._base_kind(module, base)
            if parent is None:
                continue
            if parent.framework == "django":
                role = "base" if info.abstract else "model"
                return Kind(role, "django", django_table(class_id, info.tablename, self.labels) if role == "model" else None)
            if parent.framework == "sqlmodel":  # only `class X(Base, table=True)` maps a table
                if ("table", "True") in info.keywords:
                    return Kind("model", "sqlmodel", info.tablename or (name or "").lower())
                return Kind("base", "sqlmodel")
            if info.abstract:
                return Kind("base", parent.framework)
            if parent.role == "root":
                return Kind("base", parent.framework)
            return Kind("model", parent.framework, self._sqla_table(info.tablename, name or "", parent))
        return None

    def _sqla_table(self, own: str | None, name: str, parent: Kind) -> str | None:
        if own:
            return own
        if parent.role == "model" and parent.table:
            return parent.table  # single-table inheritance
        return camel_to_snake(name) if parent.framework == "flask-sqlalchemy" else None

    def _base_kind(self, module: str, base: str) -> Kind | None:
        absolute = self.index.expand(module, None, base) or base
        if is_django_base(absolute):
            return Kind("model", "django")
        if absolute in DECLARATIVE_BASES:
            return Kind("root", "sqlalchemy")
        if absolute in SQLMODEL_BASES:
            return Kind("base", "sqlmodel")
        resolved = self.index.resolve(absolute)
        if resolved is None:
            return None
        if resolved.node in self.db_objects and resolved.rest == ("Model",):
            return Kind("base", "flask-sqlalchemy")
        if resolved.node in self.bases and not resolved.rest:
            return Kind("base", "sqlalchemy")
        if resolved.node in self.index.classes and not resolved.rest:
            return self.classify(resolved.node)  # a model or a base (classify never says "root")
        return None
