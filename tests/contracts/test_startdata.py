"""Starting data: the rows a test's fixtures left before its first request, captured through
Flask-SQLAlchemy's metadata and loaded into a fresh app's database before replay."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from decompose.contracts import startdata


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Role(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)


class User(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(80))
    joined: Mapped[datetime.datetime]
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"))


def create_app(default_roles=("admin",)):
    """As many apps do: the tables and default rows come with the app; the test adds its users."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)
    with app.app_context():
        db.create_all()
        db.session.add_all([Role(name=name) for name in default_roles])
        db.session.commit()
    return app


def test_a_factory_made_user_is_captured_and_loaded_into_a_fresh_app():
    app = create_app()
    with app.app_context():  # what a factory_boy fixture does, in the test's app context
        db.session.add(User(id=7, email="ann@example.com", joined=datetime.datetime(2024, 5, 1, 12), role_id=1))
        db.session.commit()
        data = startdata.capture(app)
    assert data == {"role": [{"id": 1, "name": "admin"}],
                    "user": [{"id": 7, "email": "ann@example.com", "joined": {"$datetime": "2024-05-01T12:00:00"}, "role_id": 1}]}
    json.dumps(data)  # what the contract stores
    fresh = create_app(default_roles=("editor", "admin"))  # the same role under another id: skipped, not a crash
    assert startdata.load(fresh, json.loads(json.dumps(data))) == 1
    with fresh.app_context():
        user = db.session.get(User, 7)
        assert user.email == "ann@example.com" and user.joined == datetime.datetime(2024, 5, 1, 12)
        assert sorted(r.name for r in db.session.scalars(db.select(Role))) == ["admin", "editor"]
    assert startdata.load(fresh, data) == 0  # loading twice adds nothing


def test_an_app_without_a_database_has_no_starting_data_and_refuses_some():
    assert startdata.capture(Flask(__name__)) is None
    with pytest.raises(startdata.LoadError, match="no Flask-SQLAlchemy database"):
        startdata.load(Flask(__name__), {"user": []})
    with pytest.raises(startdata.LoadError, match="table 'payments', which the app's metadata does not have"):
        startdata.load(create_app(), {"payments": [{"id": 1}]})


@pytest.mark.parametrize("value", [datetime.date(2024, 1, 2), datetime.time(3, 4), decimal.Decimal("1.50"),
                                   uuid.UUID(int=5), b"\x00\xff", {"a": [1]}, None, 3, "x"])
def test_values_json_cannot_hold_are_tagged_and_come_back(value):
    assert startdata.decode(json.loads(json.dumps(startdata.encode(value)))) == value
