from tests.helpers import analyse, edges

MODELS = {
    "shop/__init__.py": "",
    "shop/ext.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
    "shop/models.py": """
        from sqlalchemy import ForeignKey, Table, Column
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
        from shop.ext import db

        class Base(DeclarativeBase):
            pass

        class TimestampMixin:
            created = 1

        class User(TimestampMixin, Base):
            __tablename__ = "users"
            orders = relationship("Order", back_populates="user")

        class Admin(User):          # single-table inheritance: no table of its own
            pass

        class Abstract(Base):
            __abstract__ = True

        class Order(db.Model):
            __tablename__ = "orders"
            user_id = mapped_column(ForeignKey("users.id"))

        class OrderLine(db.Model):  # Flask-SQLAlchemy names it order_line
            pass

        tags = Table("product_tags", Base.metadata, Column("id"))
        links = db.Table("links", Column("id"))
    """,
    "shop/services.py": """
        import sqlalchemy as sa
        from sqlalchemy import delete, select, update
        from shop.ext import db
        from shop.models import Order, OrderLine, User

        def place(user_id):
            order = Order(user_id=user_id)
            db.session.add(order)

        def count() -> Order:
            return Order.query.count()

        def typed(order: Order) -> User:
            return order

        def rename(user_id, name):
            user = db.session.get(User, user_id)
            user.name = name
            db.session.commit()

        def clear(user_id):  # Core statements write without a commit of their own
            db.session.execute(delete(Order).where(Order.user_id == user_id))

        def close(user_id):
            db.session.execute(update(OrderLine).values(open=False))

        def purge():
            db.session.execute(sa.delete(User))

        def lookup(user_id):
            return db.session.scalars(select(Order).where(Order.user_id == user_id)).all()
    """,
}


def test_tables_of_declarative_flask_sqlalchemy_and_table_objects(tmp_path):
    a = analyse(tmp_path, MODELS)
    assert {(t.name, t.model, t.framework) for t in a.tables} == {
        ("users", "shop.models:User", "sqlalchemy"),
        ("users", "shop.models:Admin", "sqlalchemy"),
        ("orders", "shop.models:Order", "flask-sqlalchemy"),
        ("order_line", "shop.models:OrderLine", "flask-sqlalchemy"),
        ("product_tags", "shop.models:tags", "sqlalchemy"),
        ("links", "shop.models:links", "sqlalchemy"),
    }


def test_reads_and_writes(tmp_path):
    a = analyse(tmp_path, MODELS)
    assert ("shop.services:place", "table:orders") in edges(a, "table-write")
    assert ("shop.services:count", "table:orders") in edges(a, "table-read")
    assert ("shop.services:count", "table:orders") not in edges(a, "table-write")
    assert ("shop.services:rename", "table:users") in edges(a, "table-write")  # read + commit
    writes = edges(a, "table-write")
    assert {("shop.services:clear", "table:orders"), ("shop.services:close", "table:order_line"),
            ("shop.services:purge", "table:users")} <= writes
    assert ("shop.services:lookup", "table:orders") not in writes
    assert not {dst for src, dst in edges(a) if src == "shop.services:typed" and dst.startswith("table:")}
    assert ("shop.services:typed", "shop.models:Order") in edges(a, "reference")


def test_relationship_strings_and_foreign_keys(tmp_path):
    a = analyse(tmp_path, MODELS)
    assert ("shop.models:User", "shop.models:Order") in edges(a, "string-ref")
    assert ("shop.models:Order", "table:users") in edges(a, "foreign-key")


def test_sqlmodel_tables_need_table_true(tmp_path):
    a = analyse(tmp_path, {
        "models.py": """
            from sqlmodel import Field, SQLModel

            class UserBase(SQLModel):
                email: str

            class User(UserBase, table=True):
                id: int | None = Field(default=None, primary_key=True)

            class UserPublic(UserBase):
                id: int

            class Item(SQLModel, table=True):
                __tablename__ = "items"
                id: int | None = Field(default=None, primary_key=True)
        """,
    })
    assert {(t.name, t.model, t.framework) for t in a.tables} == {
        ("user", "models:User", "sqlmodel"), ("items", "models:Item", "sqlmodel"),
    }
