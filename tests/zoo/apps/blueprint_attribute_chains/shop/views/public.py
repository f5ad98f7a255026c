"""Public pages and the catalogue."""
from flask import Blueprint, abort, jsonify, render_template_string, request

from shop.extensions import auth, db
from shop.models import Product, User

blueprint = Blueprint("public", __name__)

HOME = """<!doctype html>
<title>Shop</title>
<h1>Welcome{% if user %}, {{ user.name }}{% endif %}</h1>
<p>{{ count }} products in the catalogue.</p>
"""


@blueprint.route("/")
@auth.login_required(optional=True)
def home():
    count = Product.query.filter_by(active=True).count()
    return render_template_string(HOME, user=auth.current_user(), count=count)


@blueprint.route("/api/products")
@auth.login_required(optional=True)
def products():
    member = auth.current_user() is not None
    rows = Product.query.filter_by(active=True).order_by(Product.name).all()
    return jsonify({"products": [p.to_dict(member=member) for p in rows]})


@blueprint.route("/api/products/<int:product_id>")
@auth.login_required(optional=True)
def product(product_id):
    item = db.session.get(Product, product_id)
    if item is None or not item.active:
        abort(404, description="no such product")
    return jsonify(item.to_dict(member=auth.current_user() is not None))


@blueprint.route("/api/login", methods=["POST"])
def login():
    data = request.get_json(silent=True) or {}
    user = User.query.filter_by(email=(data.get("email") or "").lower()).first()
    if user is None or not user.check_password(data.get("password") or ""):
        return jsonify({"error": "bad credentials"}), 401
    token = user.issue_token()
    db.session.commit()
    return jsonify({"token": token, "user": user.to_dict()})
