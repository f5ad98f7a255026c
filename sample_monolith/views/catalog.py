"""Catalog routes: categories, product CRUD, search and product photos."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from sample_monolith.extensions import db
from sample_monolith.models.commerce import Product
from sample_monolith.models.media import Photo
from sample_monolith.services import shop
from sample_monolith.utils import (
    admin_required,
    bad_request,
    current_user,
    get_field,
    json_body,
    login_required,
    paginate,
    query_bool,
    query_choice,
    query_int,
    reject_unknown,
)

bp = Blueprint("catalog", __name__, url_prefix="/api/catalog")

PRODUCT_FIELDS: dict[str, dict[str, Any]] = {
    "title": {"kind": str, "max_length": 120},
    "description": {"kind": str, "min_length": 0, "max_length": 2000},
    "price_cents": {"kind": int, "min_value": 1, "max_value": 10_000_000},
    "category": {"kind": str, "max_length": 80},
    "tags": {"kind": list},
    "stock": {"kind": int, "min_value": 0, "max_value": 100_000},
}
REQUIRED_ON_CREATE = ("title", "price_cents")
UPDATABLE = ("title", "description", "price_cents", "category", "tags")


def _product_fields(data: dict[str, Any], allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    reject_unknown(data, allowed)
    fields = {}
    for name in allowed:
        if name in data or name in required:
            fields[name] = get_field(data, name, required=name in required, **PRODUCT_FIELDS[name])
    return {name: value for name, value in fields.items() if value is not None}


@bp.get("/categories")
def list_categories():
    if query_bool("flat"):
        return {"categories": shop.flat_categories()}
    return {"categories": shop.category_tree()}


@bp.post("/categories")
@admin_required
def create_category():
    data = json_body()
    reject_unknown(data, ("name", "parent_id"))
    category = shop.create_category(
        get_field(data, "name", str, max_length=80),
        get_field(data, "parent_id", int, required=False, min_value=1),
    )
    db.session.commit()
    return {"category": category.to_dict()}, 201


@bp.get("/products")
def search_products():
    stmt = shop.search_stmt(
        text=request.args.get("q", "").strip(),
        tags=request.args.getlist("tag"),
        category=request.args.get("category") or None,
        seller_id=query_int("seller_id", min_value=1),
        min_price=query_int("min_price", min_value=0),
        max_price=query_int("max_price", min_value=0),
        sort=query_choice("sort", tuple(shop.SORT_ORDERS), "newest"),
    )
    return paginate(stmt, Product.to_dict)


@bp.post("/products")
@login_required
def create_product():
    fields = _product_fields(json_body(), tuple(PRODUCT_FIELDS), REQUIRED_ON_CREATE)
    product = shop.create_product(current_user(), fields)
    db.session.commit()
    return {"product": product.to_dict()}, 201


@bp.get("/products/<int:product_id>")
def get_product(product_id: int):
    return {"product": shop.get_product(product_id).to_dict()}


@bp.patch("/products/<int:product_id>")
@login_required
def update_product(product_id: int):
    product = shop.get_product(product_id)
    fields = _product_fields(json_body(), UPDATABLE)
    if not fields:
        raise bad_request("no product fields to update")
    shop.update_product(product, current_user(), fields)
    db.session.commit()
    return {"product": product.to_dict()}


@bp.delete("/products/<int:product_id>")
@login_required
def delete_product(product_id: int):
    shop.delete_product(shop.get_product(product_id), current_user())
    db.session.commit()
    return "", 204


@bp.get("/products/<int:product_id>/photos")
def list_product_photos(product_id: int):
    product = shop.get_product(product_id)
    return paginate(shop.product_photos_stmt(product), Photo.to_dict)


@bp.post("/products/<int:product_id>/photos")
@login_required
def attach_photo(product_id: int):
    product = shop.get_product(product_id)
    data = json_body()
    photo = shop.attach_photo(product, current_user(), get_field(data, "photo_id", int, min_value=1))
    db.session.commit()
    return {"photo": photo.to_dict()}, 201


@bp.delete("/products/<int:product_id>/photos/<int:photo_id>")
@login_required
def detach_photo(product_id: int, photo_id: int):
    shop.detach_photo(shop.get_product(product_id), current_user(), photo_id)
    db.session.commit()
    return "", 204
