import secrets
from datetime import datetime, timezone

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from shop.extensions import db


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120), unique=True, nullable=False)
    name = db.Column(db.String(80), nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)
    is_admin = db.Column(db.Boolean, default=False, nullable=False)
    token = db.Column(db.String(64), unique=True, index=True)
    orders = db.relationship("Order", back_populates="customer", order_by="Order.id")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def issue_token(self):
        self.token = secrets.token_hex(current_app.config["TOKEN_BYTES"])
        return self.token

    def to_dict(self):
        return {"id": self.id, "email": self.email, "name": self.name, "admin": self.is_admin}


class Product(db.Model):
    __tablename__ = "products"
    id = db.Column(db.Integer, primary_key=True)
    sku = db.Column(db.String(32), unique=True, nullable=False)
    name = db.Column(db.String(120), nullable=False)
    price_cents = db.Column(db.Integer, nullable=False)
    stock = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)

    def to_dict(self, member=False):
        data = {"id": self.id, "sku": self.sku, "name": self.name, "price": self.price_cents, "stock": self.stock}
        if member:
            discount = current_app.config["MEMBER_DISCOUNT_PERCENT"]
            data["member_price"] = self.price_cents * (100 - discount) // 100
        return data


class Order(db.Model):
    __tablename__ = "orders"
    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    status = db.Column(db.String(16), nullable=False, default="placed")
    created_at = db.Column(db.DateTime, nullable=False, default=_now)
    customer = db.relationship("User", back_populates="orders")
    lines = db.relationship("OrderLine", cascade="all, delete-orphan", back_populates="order")

    @property
    def total_cents(self):
        return sum(line.quantity * line.unit_cents for line in self.lines)

    def to_dict(self):
        return {
            "id": self.id,
            "status": self.status,
            "customer": self.customer.email,
            "total": self.total_cents,
            "lines": [{"sku": l.product.sku, "quantity": l.quantity, "unit_price": l.unit_cents} for l in self.lines],
        }


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    quantity = db.Column(db.Integer, nullable=False)
    unit_cents = db.Column(db.Integer, nullable=False)
    order = db.relationship("Order", back_populates="lines")
    product = db.relationship("Product")
