"""Catalog: categories, product CRUD, search and product photos."""
from __future__ import annotations

import pytest

from sample_monolith.services import shop


@pytest.fixture
def categories(api, admin):
    def create(name, parent_id=None):
        body = {"name": name} if parent_id is None else {"name": name, "parent_id": parent_id}
        return api.post("/api/catalog/categories", admin, json=body).get_json()["category"]

    landscape = create("Landscape")
    create("Mountains", landscape["id"])
    create("Portraits")
    return landscape


def test_category_tree(api, categories):
    response = api.get("/api/catalog/categories")
    assert response.status_code == 200
    assert response.get_json()["categories"] == [
        {
            "id": 1,
            "name": "Landscape",
            "slug": "landscape",
            "parent_id": None,
            "children": [{"id": 2, "name": "Mountains", "slug": "mountains", "parent_id": 1, "children": []}],
        },
        {"id": 3, "name": "Portraits", "slug": "portraits", "parent_id": None, "children": []},
    ]
    flat = api.get("/api/catalog/categories?flat=true").get_json()["categories"]
    assert [category["slug"] for category in flat] == ["landscape", "mountains", "portraits"]


def test_category_tree_is_memoised_until_a_category_is_created(api, admin, categories):
    api.get("/api/catalog/categories")
    assert len(shop._CATEGORY_TREE_CACHE) == 1
    api.post("/api/catalog/categories", admin, json={"name": "Street"})
    assert shop._CATEGORY_TREE_CACHE == {}
    slugs = [node["slug"] for node in api.get("/api/catalog/categories").get_json()["categories"]]
    assert slugs == ["landscape", "portraits", "street"]


def test_category_list_rejects_bad_flag(api):
    response = api.get("/api/catalog/categories?flat=maybe")
    assert response.status_code == 400
    assert response.get_json()["message"] == "query parameter 'flat' must be true or false"


def test_create_category_errors(api, admin, seller, categories):
    assert api.post("/api/catalog/categories", json={"name": "X"}).status_code == 401
    forbidden = api.post("/api/catalog/categories", seller, json={"name": "X"})
    assert forbidden.status_code == 403
    assert forbidden.get_json()["message"] == "administrator privileges required"
    assert api.post("/api/catalog/categories", admin, json={}).status_code == 400
    assert api.post("/api/catalog/categories", admin, json={"name": "!!!"}).status_code == 400
    missing_parent = api.post("/api/catalog/categories", admin, json={"name": "Lakes", "parent_id": 99})
    assert missing_parent.status_code == 404
    assert missing_parent.get_json()["message"] == "parent category not found"
    duplicate = api.post("/api/catalog/categories", admin, json={"name": "landscape"})
    assert duplicate.status_code == 409
    assert duplicate.get_json()["message"] == "category 'landscape' already exists"


def test_seller_creates_product(api, seller, categories):
    body = {
        "title": "Alpine dawn",
        "description": "Sunrise over the ridge",
        "price_cents": 2500,
        "category": "mountains",
        "tags": ["Sunrise", "alps", "sunrise"],
        "stock": 3,
    }
    response = api.post("/api/catalog/products", seller, json=body)
    assert response.status_code == 201
    assert response.get_json()["product"] == {
        "id": 1,
        "seller_id": 1,
        "title": "Alpine dawn",
        "description": "Sunrise over the ridge",
        "price_cents": 2500,
        "currency": "USD",
        "category": "mountains",
        "tags": ["alps", "sunrise"],
        "photo_ids": [],
        "in_stock": True,
        "status": "active",
        "created_at": "2024-05-01T12:00:00Z",
        "updated_at": "2024-05-01T12:00:00Z",
    }


def test_create_product_errors(api, seller, buyer):
    assert api.post("/api/catalog/products", json={"title": "x", "price_cents": 1}).status_code == 401
    not_seller = api.post("/api/catalog/products", buyer, json={"title": "x", "price_cents": 100})
    assert not_seller.status_code == 403
    assert not_seller.get_json()["message"] == "only sellers can list products"
    cases = [
        ({"price_cents": 100}, "'title' is required"),
        ({"title": "x", "price_cents": "100"}, "'price_cents' must be an integer"),
        ({"title": "x", "price_cents": 0}, "'price_cents' must be at least 1"),
        ({"title": "x", "price_cents": 100, "tags": "a,b"}, "'tags' must be a list"),
        ({"title": "x", "price_cents": 100, "tags": [1]}, "'tags' must be a list of non-empty strings"),
        ({"title": "x", "price_cents": 100, "category": "nowhere"}, "unknown category 'nowhere'"),
        ({"title": "x", "price_cents": 100, "colour": "red"}, "unknown field(s): colour"),
    ]
    for body, message in cases:
        response = api.post("/api/catalog/products", seller, json=body)
        assert response.status_code == 400, body
        assert response.get_json()["message"] == message


def test_get_product(api, seller):
    product = api.product(seller, title="Quiet pier")
    response = api.get(f"/api/catalog/products/{product['id']}")
    assert response.status_code == 200
    assert response.get_json()["product"]["title"] == "Quiet pier"
    missing = api.get("/api/catalog/products/404")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "not_found", "message": "product not found"}


def test_update_product(api, seller, clock, categories):
    product = api.product(seller, tags=["sea"])
    clock.advance(hours=1)
    response = api.patch(
        f"/api/catalog/products/{product['id']}",
        seller,
        json={"price_cents": 1800, "tags": ["sea", "pier"], "category": "landscape"},
    )
    assert response.status_code == 200
    updated = response.get_json()["product"]
    assert (updated["price_cents"], updated["tags"], updated["category"]) == (1800, ["pier", "sea"], "landscape")
    assert updated["updated_at"] == "2024-05-01T13:00:00Z"


def test_update_product_errors(api, seller, buyer):
    product = api.product(seller)
    path = f"/api/catalog/products/{product['id']}"
    assert api.patch(path, json={"title": "x"}).status_code == 401
    not_owner = api.patch(path, buyer, json={"title": "Mine now"})
    assert not_owner.status_code == 403
    assert not_owner.get_json()["message"] == "only the seller can modify this product"
    assert api.patch(path, seller, json={}).get_json()["message"] == "no product fields to update"
    assert api.patch(path, seller, json={"stock": 3}).get_json()["message"] == "unknown field(s): stock"
    assert api.patch(path, seller, json={"title": ""}).get_json()["message"] == "'title' must not be empty"
    assert api.patch("/api/catalog/products/999", seller, json={"title": "x"}).status_code == 404


def test_delete_product_is_soft_and_empties_carts(api, seller, buyer):
    product = api.product(seller)
    api.add_to_cart(buyer, product["id"])
    path = f"/api/catalog/products/{product['id']}"
    assert api.delete(path, buyer).status_code == 403
    assert api.delete(path, seller).status_code == 204
    assert api.get(path).status_code == 404
    assert api.delete(path, seller).status_code == 404
    assert api.get("/api/cart", buyer).get_json()["items"] == []


def test_admin_may_delete_any_product(api, seller, admin):
    product = api.product(seller)
    assert api.delete(f"/api/catalog/products/{product['id']}", admin).status_code == 204


def test_search_by_text_tags_and_price(api, seller):
    api.product(seller, title="Harbour at night", price_cents=1200, tags=["sea", "night"])
    api.product(seller, title="Harbour at noon", price_cents=900, tags=["sea"])
    api.product(seller, title="Forest path", description="quiet harbour nearby", price_cents=3000, tags=["forest"])
    by_text = api.get("/api/catalog/products?q=HARBOUR&sort=price_asc").get_json()
    assert [item["title"] for item in by_text["items"]] == ["Harbour at noon", "Harbour at night", "Forest path"]
    by_tags = api.get("/api/catalog/products?tag=sea&tag=night").get_json()
    assert [item["title"] for item in by_tags["items"]] == ["Harbour at night"]
    by_price = api.get("/api/catalog/products?min_price=1000&max_price=2000").get_json()
    assert [item["title"] for item in by_price["items"]] == ["Harbour at night"]


def test_search_by_category_includes_subcategories(api, seller, categories):
    api.product(seller, title="Peak", category="mountains")
    api.product(seller, title="Meadow", category="landscape")
    api.product(seller, title="Face", category="portraits")
    response = api.get("/api/catalog/products?category=landscape&sort=oldest")
    assert [item["title"] for item in response.get_json()["items"]] == ["Peak", "Meadow"]


def test_search_by_seller_and_pagination(api, seller):
    other = api.user("otto@example.com", role="seller")
    for index in range(3):
        api.product(seller, title=f"Sally {index}")
    api.product(other, title="Otto 0")
    page = api.get("/api/catalog/products?seller_id=1&per_page=2&page=1").get_json()
    assert [item["title"] for item in page["items"]] == ["Sally 2", "Sally 1"]
    assert (page["total"], page["pages"]) == (3, 2)


def test_search_hides_banned_sellers(api, seller, admin):
    api.product(seller, title="Hidden soon")
    api.post("/api/admin/users/1/ban", admin, json={"reason": "fraud"})
    assert api.get("/api/catalog/products").get_json()["total"] == 0


def test_search_validation(api):
    cases = [
        ("?min_price=abc", "query parameter 'min_price' must be an integer"),
        ("?min_price=500&max_price=100", "'min_price' must not exceed 'max_price'"),
        ("?sort=random", "query parameter 'sort' must be one of: newest, oldest, price_asc, price_desc"),
        ("?category=nowhere", "unknown category 'nowhere'"),
        ("?page=0", "'page' must be at least 1"),
    ]
    for query, message in cases:
        response = api.get(f"/api/catalog/products{query}")
        assert response.status_code == 400, query
        assert response.get_json()["message"] == message


def test_attach_and_list_product_photos(api, seller):
    product = api.product(seller)
    photo = api.photo(seller)
    attached = api.post(f"/api/catalog/products/{product['id']}/photos", seller, json={"photo_id": photo["id"]})
    assert attached.status_code == 201
    assert attached.get_json()["photo"]["product_id"] == product["id"]
    listing = api.get(f"/api/catalog/products/{product['id']}/photos").get_json()
    assert [item["id"] for item in listing["items"]] == [photo["id"]]
    assert api.get(f"/api/catalog/products/{product['id']}").get_json()["product"]["photo_ids"] == [photo["id"]]


def test_list_product_photos_errors(api, seller):
    assert api.get("/api/catalog/products/999/photos").status_code == 404
    product = api.product(seller)
    assert api.get(f"/api/catalog/products/{product['id']}/photos?per_page=0").status_code == 400


def test_attach_photo_errors(api, seller, buyer):
    product = api.product(seller)
    other_product = api.product(seller, title="Second")
    path = f"/api/catalog/products/{product['id']}/photos"
    mine = api.photo(seller)
    theirs = api.photo(buyer)
    assert api.post(path, json={"photo_id": mine["id"]}).status_code == 401
    assert api.post(path, seller, json={}).status_code == 400
    assert api.post(path, seller, json={"photo_id": 999}).status_code == 404
    assert api.post(path, buyer, json={"photo_id": theirs["id"]}).status_code == 403
    not_my_photo = api.post(path, seller, json={"photo_id": theirs["id"]})
    assert not_my_photo.get_json()["message"] == "you can only attach your own photos"
    assert api.post(path, seller, json={"photo_id": mine["id"]}).status_code == 201
    again = api.post(path, seller, json={"photo_id": mine["id"]})
    assert again.status_code == 409
    elsewhere = api.post(f"/api/catalog/products/{other_product['id']}/photos", seller, json={"photo_id": mine["id"]})
    assert elsewhere.get_json()["message"] == "photo is attached to another product"


def test_detach_photo(api, seller, buyer):
    product = api.product(seller)
    photo = api.photo(seller)
    path = f"/api/catalog/products/{product['id']}/photos"
    api.post(path, seller, json={"photo_id": photo["id"]})
    assert api.delete(f"{path}/{photo['id']}", buyer).status_code == 403
    assert api.delete(f"{path}/{photo['id']}", seller).status_code == 204
    missing = api.delete(f"{path}/{photo['id']}", seller)
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "photo on this product not found"
    assert api.get(f"/api/images/{photo['id']}").get_json()["photo"]["product_id"] is None
