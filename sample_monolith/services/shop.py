"""Shop service: the catalog (categories, products, search, photos) and the shopping cart."""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import Select, delete, func, or_, select

from sample_monolith.extensions import db
from sample_monolith.models.commerce import CartItem, Category, Product, ProductTag
from sample_monolith.models.media import Photo
from sample_monolith.models.user import User
from sample_monolith.services import images, inventory
from sample_monolith.utils import bad_request, conflict, forbidden, not_found, now, slugify

_CATEGORY_TREE_CACHE: dict[str, list[dict[str, Any]]] = {}

MAX_TAGS = 10
MAX_TAG_LENGTH = 40
MAX_CART_QUANTITY = 99
SORT_ORDERS = {
    "newest": (Product.id.desc(),),
    "oldest": (Product.id,),
    "price_asc": (Product.price_cents, Product.id),
    "price_desc": (Product.price_cents.desc(), Product.id),
}


def category_tree() -> list[dict[str, Any]]:
    """Nested categories, memoised per database for the life of the process."""
    key = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if key not in _CATEGORY_TREE_CACHE:
        _CATEGORY_TREE_CACHE[key] = _build_category_tree()
    return _CATEGORY_TREE_CACHE[key]


def _build_category_tree() -> list[dict[str, Any]]:
    categories = db.session.scalars(select(Category).order_by(Category.name, Category.id)).all()
    by_parent: dict[int | None, list[Category]] = {}
    for category in categories:
        by_parent.setdefault(category.parent_id, []).append(category)

    def node(category: Category) -> dict[str, Any]:
        children = [node(child) for child in by_parent.get(category.id, [])]
        return {**category.to_dict(), "children": children}

    return [node(category) for category in by_parent.get(None, [])]


def clear_category_cache() -> None:
    _CATEGORY_TREE_CACHE.clear()


def flat_categories() -> list[dict[str, Any]]:
    categories = db.session.scalars(select(Category).order_by(Category.slug)).all()
    return [category.to_dict() for category in categories]


def create_category(name: str, parent_id: int | None = None) -> Category:
    slug = slugify(name)
    if not slug:
        raise bad_request("'name' must contain letters or digits", field="name")
    if parent_id is not None and db.session.get(Category, parent_id) is None:
        raise not_found("parent category")
    if db.session.scalar(select(Category.id).where(Category.slug == slug)) is not None:
        raise conflict(f"category '{slug}' already exists")
    category = Category(name=name, slug=slug, parent_id=parent_id)
    db.session.add(category)
    db.session.flush()
    clear_category_cache()
    return category


def _subtree_ids(nodes: list[dict[str, Any]], slug: str) -> list[int] | None:
    for node in nodes:
        if node["slug"] == slug:
            return _collect_ids(node)
        found = _subtree_ids(node["children"], slug)
        if found is not None:
            return found
    return None


def _collect_ids(node: dict[str, Any]) -> list[int]:
    ids = [node["id"]]
    for child in node["children"]:
        ids.extend(_collect_ids(child))
    return ids


def _category_id(slug: str) -> int:
    category_id = db.session.scalar(select(Category.id).where(Category.slug == slug))
    if category_id is None:
        raise bad_request(f"unknown category '{slug}'", field="category")
    return category_id


def normalize_tags(tags: list[Any]) -> list[str]:
    names: list[str] = []
    for tag in tags:
        if not isinstance(tag, str) or not slugify(tag):
            raise bad_request("'tags' must be a list of non-empty strings", field="tags")
        name = slugify(tag)[:MAX_TAG_LENGTH]
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise bad_request(f"a product can have at most {MAX_TAGS} tags", field="tags")
    return names


def _set_tags(product: Product, names: list[str]) -> None:
    existing = {tag.name: tag for tag in product.tags}
    product.tags = [existing.get(name) or ProductTag(name=name) for name in names]


def get_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or product.status != "active":
        raise not_found("product")
    return product


def ensure_owner(product: Product, user: User) -> None:
    if product.seller_id != user.id and not user.is_admin:
        raise forbidden("only the seller can modify this product")


def create_product(seller: User, fields: dict[str, Any]) -> Product:
    if not seller.is_seller:
        raise forbidden("only sellers can list products")
    timestamp = now()
    product = Product(
        seller_id=seller.id,
        title=fields["title"],
        description=fields.get("description", ""),
        price_cents=fields["price_cents"],
        currency=current_app.config["CURRENCY"],
        status="active",
        created_at=timestamp,
        updated_at=timestamp,
    )
    if fields.get("category"):
        product.category_id = _category_id(fields["category"])
    db.session.add(product)
    _set_tags(product, normalize_tags(fields.get("tags", [])))
    db.session.flush()
    inventory.ensure_stock(product, fields.get("stock", 0))
    return product


def update_product(product: Product, user: User, fields: dict[str, Any]) -> Product:
    ensure_owner(product, user)
    for name in ("title", "description", "price_cents"):
        if name in fields:
            setattr(product, name, fields[name])
    if "category" in fields:
        product.category_id = _category_id(fields["category"])
    if "tags" in fields:
        _set_tags(product, normalize_tags(fields["tags"]))
    product.updated_at = now()
    return product


def delete_product(product: Product, user: User) -> None:
    """Soft-delete: orders keep pointing at the row, carts drop it."""
    ensure_owner(product, user)
    product.status = "deleted"
    product.updated_at = now()
    db.session.execute(delete(CartItem).where(CartItem.product_id == product.id))


def search_stmt(
    *,
    text: str = "",
    tags: list[str] | None = None,
    category: str | None = None,
    seller_id: int | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    sort: str = "newest",
) -> Select:
    if min_price is not None and max_price is not None and min_price > max_price:
        raise bad_request("'min_price' must not exceed 'max_price'")
    stmt = (
        select(Product)
        .join(User, User.id == Product.seller_id)
        .where(Product.status == "active", User.is_banned.is_(False))
    )
    if text:
        pattern = f"%{text.lower()}%"
        stmt = stmt.where(or_(func.lower(Product.title).like(pattern), func.lower(Product.description).like(pattern)))
    for tag in normalize_tags(tags or []):
        stmt = stmt.where(Product.tags.any(ProductTag.name == tag))
    if category:
        stmt = stmt.where(Product.category_id.in_(_category_filter(category)))
    return _price_and_seller_filters(stmt, seller_id, min_price, max_price).order_by(*SORT_ORDERS[sort])


def _category_filter(slug: str) -> list[int]:
    ids = _subtree_ids(category_tree(), slug)
    if ids is None:
        raise bad_request(f"unknown category '{slug}'", parameter="category")
    return ids


def _price_and_seller_filters(stmt: Select, seller_id: int | None, min_price: int | None,
                              max_price: int | None) -> Select:
    if seller_id is not None:
        stmt = stmt.where(Product.seller_id == seller_id)
    if min_price is not None:
        stmt = stmt.where(Product.price_cents >= min_price)
    if max_price is not None:
        stmt = stmt.where(Product.price_cents <= max_price)
    return stmt


def product_photos_stmt(product: Product) -> Select:
    return select(Photo).where(Photo.product_id == product.id).order_by(Photo.id)


def attach_photo(product: Product, user: User, photo_id: int) -> Photo:
    ensure_owner(product, user)
    photo = images.get_photo(photo_id)
    if photo.owner_id != user.id:
        raise forbidden("you can only attach your own photos")
    if photo.product_id == product.id:
        raise conflict("photo is already attached to this product")
    if photo.product_id is not None:
        raise conflict("photo is attached to another product")
    photo.product_id = product.id
    return photo


def detach_photo(product: Product, user: User, photo_id: int) -> None:
    ensure_owner(product, user)
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.product_id != product.id:
        raise not_found("photo on this product")
    photo.product_id = None


def cart_items(user: User) -> list[CartItem]:
    stmt = select(CartItem).where(CartItem.user_id == user.id).order_by(CartItem.id)
    return list(db.session.scalars(stmt))


def cart_summary(user: User) -> dict[str, Any]:
    items = cart_items(user)
    return {
        "items": [item.to_dict() for item in items],
        "item_count": sum(item.quantity for item in items),
        "total_cents": sum(item.line_total_cents for item in items),
        "currency": current_app.config["CURRENCY"],
    }


def _find_cart_item(user_id: int, product_id: int) -> CartItem | None:
    stmt = select(CartItem).where(CartItem.user_id == user_id, CartItem.product_id == product_id)
    return db.session.scalar(stmt)


def _check_quantity(product: Product, quantity: int) -> None:
    if quantity > MAX_CART_QUANTITY:
        raise bad_request(f"at most {MAX_CART_QUANTITY} of one product fit in a cart", field="quantity")
    in_stock = inventory.available(product.id)
    if quantity > in_stock:
        raise conflict("not enough stock", product_id=product.id, available=in_stock)


def add_to_cart(user: User, product_id: int, quantity: int) -> tuple[CartItem, bool]:
    product = get_product(product_id)
    if product.seller_id == user.id:
        raise bad_request("you cannot buy your own product")
    item = _find_cart_item(user.id, product_id)
    _check_quantity(product, quantity + (item.quantity if item else 0))
    if item is None:
        item = CartItem(user_id=user.id, product_id=product_id, quantity=quantity, added_at=now())
        db.session.add(item)
        return item, True
    item.quantity += quantity
    return item, False


def update_cart_item(user: User, product_id: int, quantity: int) -> CartItem:
    item = _find_cart_item(user.id, product_id)
    if item is None:
        raise not_found("cart item")
    _check_quantity(item.product, quantity)
    item.quantity = quantity
    return item


def remove_from_cart(user: User, product_id: int) -> None:
    item = _find_cart_item(user.id, product_id)
    if item is None:
        raise not_found("cart item")
    db.session.delete(item)


def clear_cart(user: User) -> int:
    result = db.session.execute(delete(CartItem).where(CartItem.user_id == user.id))
    return result.rowcount
