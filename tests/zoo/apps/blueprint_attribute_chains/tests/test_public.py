def test_home_page_greets_logged_in_user(client, products, customer_headers):
    anonymous = client.get("/")
    assert anonymous.status_code == 200
    assert b"<h1>Welcome</h1>" in anonymous.data
    assert b"2 products" in anonymous.data
    assert b"Welcome, Kim" in client.get("/", headers=customer_headers).data


def test_catalogue_hides_inactive_products(client, products):
    names = [p["name"] for p in client.get("/api/products").get_json()["products"]]
    assert names == ["Mug", "T-shirt"]
    assert client.get(f"/api/products/{products[2].id}").status_code == 404


def test_members_see_member_price(client, products, customer_headers):
    item = client.get(f"/api/products/{products[0].id}", headers=customer_headers).get_json()
    assert item["member_price"] == 1080
    assert "member_price" not in client.get(f"/api/products/{products[0].id}").get_json()


def test_login_rejects_bad_password(client, customer):
    response = client.post("/api/login", json={"email": "kim@example.com", "password": "nope"})
    assert response.status_code == 401
    assert response.get_json() == {"error": "bad credentials"}


def test_bad_token_is_anonymous_on_optional_routes(client, products):
    response = client.get("/api/products", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 200
    assert "member_price" not in response.get_json()["products"][0]
