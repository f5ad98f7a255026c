"""Shortcuts and base classes shared by every model module."""
from datetime import datetime, timezone

from .extensions import db

# Aliases so model modules read like plain SQLAlchemy.
Column = db.Column
relationship = db.relationship
backref = db.backref
Model = db.Model


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class CRUDMixin:
    """create/update/save/delete in one call each."""

    @classmethod
    def create(cls, **kwargs):
        instance = cls(**kwargs)
        return instance.save()

    def update(self, commit=True, **kwargs):
        for attr, value in kwargs.items():
            setattr(self, attr, value)
        return self.save(commit=commit) if commit else self

    def save(self, commit=True):
        db.session.add(self)
        if commit:
            db.session.commit()
        return self

    def delete(self, commit=True):
        db.session.delete(self)
        if commit:
            db.session.commit()


class PkModel(CRUDMixin, Model):
    """Base model with an integer primary key called ``id``."""

    __abstract__ = True

    id = Column(db.Integer, primary_key=True)

    @classmethod
    def get_by_id(cls, record_id):
        try:
            return db.session.get(cls, int(record_id))
        except (TypeError, ValueError):
            return None


class TimestampMixin:
    created_at = Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


def reference_col(tablename, nullable=False, pk_name="id", ondelete=None, **kwargs):
    """A foreign key column to ``<tablename>.<pk_name>``.

    Usage: ``author_id = reference_col("users")``
    """
    return Column(db.ForeignKey(f"{tablename}.{pk_name}", ondelete=ondelete), nullable=nullable, **kwargs)
