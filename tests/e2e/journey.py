"""One request sequence through every route of the sample monolith, happy and error paths.

The same sequence is sent to the monolith and to the generated services; values a later request
needs (tokens, created ids) are read from the target's own earlier answers, so each run is
self-contained on a fresh database.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from decompose.contracts.compare import Answer, Exchange

PASSWORD = "correct horse battery"
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
ERROR_CARD = "4000000000000119"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00"
       b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

# send(method, path, headers, body) -> Answer
Send = Callable[[str, str, dict[str, str], bytes], Answer]


class Run:
    def __init__(self, send: Send) -> None:
        self.send = send
        self.exchanges: list[Exchange] = []

    def call(self, method: str, path: str, token: str | None = None, json_body: Any = None, body: bytes = b"",
             headers: dict[str, str] | None = None) -> Answer:
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        answer = self.send(method, path, headers, body)
        self.exchanges.append(Exchange(method, path, answer))
        return answer

    def data(self, answer: Answer) -> Any:
        return json.loads(answer.body)


def multipart(field: str, filename: str, data: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = "decompose-journey-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def journey(send: Send) -> list[Exchange]:
    """The exchanges, in order. A target that answers unlike the monolith may leave a later request
    without the value it needs (an id, a token): the sequence stops there, and the comparison shows
    the exchanges up to that point and a shorter sequence."""
    run = Run(send)
    try:
        _steps(run)
    except (KeyError, IndexError, TypeError, ValueError):
        pass
    return run.exchanges


def _steps(run: Run) -> None:
    tokens = _accounts(run)
    seller, buyer, admin = tokens["seller"], tokens["buyer"], tokens["admin"]
    products = _catalog(run, seller, admin)
    _images(run, seller, products[0])
    _inventory(run, seller, buyer, products[0])
    _cart(run, buyer, products)
    order = _orders(run, buyer, products)
    _payments(run, buyer, admin, order)
    _notifications(run, seller, admin)
    _admin(run, admin, buyer)
    run.call("GET", "/")
    run.call("DELETE", f"/api/catalog/products/{products[1]}", seller)
    run.call("POST", "/api/accounts/logout", buyer)
    run.call("GET", "/api/accounts/me", buyer)


def _accounts(run: Run) -> dict[str, str]:
    people = {"seller": ("sally@example.com", "seller"), "buyer": ("bob@example.com", "buyer"),
              "admin": ("admin@example.com", "buyer")}
    for email, role in people.values():
        run.call("POST", "/api/accounts/signup", json_body={"email": email, "password": PASSWORD,
                                                           "display_name": email.split("@")[0].title(), "role": role})
    run.call("POST", "/api/accounts/signup", json_body={"email": "bob@example.com", "password": PASSWORD,
                                                       "display_name": "Again"})  # taken
    run.call("POST", "/api/accounts/signup", json_body={"email": "x@example.com"})  # fields missing
    run.call("POST", "/api/accounts/login", json_body={"email": "bob@example.com", "password": "wrong password"})
    tokens = {}
    for who, (email, _) in people.items():
        answer = run.call("POST", "/api/accounts/login", json_body={"email": email, "password": PASSWORD})
        tokens[who] = run.data(answer)["token"]
    me = run.data(run.call("GET", "/api/accounts/me", tokens["seller"]))["user"]["id"]
    run.call("GET", "/api/accounts/me")  # no token
    run.call("PATCH", "/api/accounts/me", tokens["buyer"], json_body={"display_name": "Bobby", "theme": "dark"})
    run.call("PATCH", "/api/accounts/me", tokens["buyer"], json_body={"nickname": "b"})  # unknown field
    run.call("GET", f"/api/accounts/users/{me}")
    run.call("GET", "/api/accounts/users/9999")
    run.call("POST", f"/api/accounts/users/{me}/follow", tokens["buyer"])
    run.call("POST", f"/api/accounts/users/{me}/follow", tokens["admin"])
    run.call("GET", f"/api/accounts/users/{me}/followers")
    run.call("GET", "/api/accounts/me/following", tokens["buyer"])
    run.call("DELETE", f"/api/accounts/users/{me}/follow", tokens["admin"])
    run.call("DELETE", f"/api/accounts/users/{me}/follow", tokens["admin"])  # not following any more
    return tokens


def _catalog(run: Run, seller: str, admin: str) -> list[int]:
    prints = run.data(run.call("POST", "/api/catalog/categories", admin, json_body={"name": "Prints"}))
    run.call("POST", "/api/catalog/categories", admin, json_body={"name": "Harbours", "parent_id": prints["category"]["id"]})
    run.call("POST", "/api/catalog/categories", seller, json_body={"name": "Nope"})  # not an admin
    run.call("GET", "/api/catalog/categories")
    run.call("GET", "/api/catalog/categories?flat=1")
    ids = []
    for title, price, stock, tags in (("Misty harbour", 1500, 5, ["sea", "blue"]), ("Red barn", 900, 2, ["farm"]),
                                      ("Old pier", 2500, 1, ["sea"])):
        body = {"title": title, "price_cents": price, "stock": stock, "category": "harbours", "tags": tags}
        ids.append(run.data(run.call("POST", "/api/catalog/products", seller, json_body=body))["product"]["id"])
    run.call("POST", "/api/catalog/products", seller, json_body={"title": "No price"})
    run.call("GET", "/api/catalog/products")
    run.call("GET", "/api/catalog/products?q=harbour&tag=sea&tag=blue&sort=price_desc")
    run.call("GET", "/api/catalog/products?category=harbours&min_price=1000&per_page=1&page=2")
    run.call("GET", "/api/catalog/products?sort=sideways")
    run.call("GET", f"/api/catalog/products/{ids[0]}")
    run.call("GET", "/api/catalog/products/9999")
    run.call("PATCH", f"/api/catalog/products/{ids[0]}", seller, json_body={"price_cents": 1700, "tags": ["sea"]})
    run.call("PATCH", f"/api/catalog/products/{ids[0]}", seller, json_body={"price_cents": -1})
    return ids


def _images(run: Run, seller: str, product: int) -> None:
    body, kind = multipart("file", "harbour.png", PNG, "image/png")
    photo = run.data(run.call("POST", "/api/images", seller, body=body, headers={"Content-Type": kind}))["photo"]["id"]
    other = run.data(run.call("POST", "/api/images?filename=barn.gif", seller, body=GIF,
                              headers={"Content-Type": "image/gif"}))["photo"]["id"]
    run.call("POST", "/api/images?filename=notes.txt", seller, body=b"plain text", headers={"Content-Type": "text/plain"})
    run.call("GET", "/api/images", seller)
    run.call("GET", "/api/images?unattached=1", seller)
    run.call("GET", f"/api/images/{photo}")
    raw = run.call("GET", f"/api/images/{photo}/raw")
    etags = raw.header("etag")
    run.call("GET", f"/api/images/{photo}/raw", headers={"If-None-Match": etags[0]} if etags else {})
    run.call("POST", f"/api/catalog/products/{product}/photos", seller, json_body={"photo_id": photo})
    run.call("POST", f"/api/catalog/products/{product}/photos", seller, json_body={"photo_id": 9999})
    run.call("GET", f"/api/catalog/products/{product}/photos")
    run.call("POST", f"/api/catalog/products/{product}/photos", seller, json_body={"photo_id": other})
    run.call("DELETE", f"/api/catalog/products/{product}/photos/{other}", seller)
    run.call("DELETE", f"/api/images/{other}", seller)
    run.call("GET", f"/api/images/{other}")


def _inventory(run: Run, seller: str, buyer: str, product: int) -> None:
    run.call("GET", f"/api/inventory/{product}", seller)
    run.call("POST", f"/api/inventory/{product}/restock", seller, json_body={"quantity": 4, "note": "spring batch"})
    run.call("POST", f"/api/inventory/{product}/restock", buyer, json_body={"quantity": 4})  # not the seller
    run.call("POST", f"/api/inventory/{product}/restock", seller, json_body={"quantity": 0})
    run.call("GET", f"/api/inventory/{product}/movements", seller)
    run.call("GET", "/api/inventory/low-stock", seller)
    run.call("GET", "/api/inventory/low-stock?threshold=10", seller)


def _cart(run: Run, buyer: str, products: list[int]) -> None:
    run.call("GET", "/api/cart", buyer)
    run.call("POST", "/api/cart/items", buyer, json_body={"product_id": products[0], "quantity": 2})
    run.call("POST", "/api/cart/items", buyer, json_body={"product_id": products[1]})
    run.call("POST", "/api/cart/items", buyer, json_body={"product_id": products[2], "quantity": 50})  # too many
    run.call("PATCH", f"/api/cart/items/{products[0]}", buyer, json_body={"quantity": 3})
    run.call("DELETE", f"/api/cart/items/{products[1]}", buyer)
    run.call("DELETE", f"/api/cart/items/{products[1]}", buyer)  # already gone
    run.call("GET", "/api/cart", buyer)
    run.call("DELETE", "/api/cart", buyer)
    run.call("GET", "/api/cart")  # no token


def _orders(run: Run, buyer: str, products: list[int]) -> int:
    run.call("POST", "/api/orders/checkout", buyer, json_body={"card_number": GOOD_CARD})  # empty cart
    run.call("POST", "/api/cart/items", buyer, json_body={"product_id": products[0], "quantity": 2})
    run.call("POST", "/api/orders/checkout", buyer, json_body={"card_number": DECLINED_CARD})
    run.call("POST", "/api/orders/checkout", buyer, json_body={"card_number": ERROR_CARD})
    placed = run.call("POST", "/api/orders/checkout", buyer, json_body={"card_number": GOOD_CARD})
    order = run.data(placed)["order"]["id"]
    run.call("POST", "/api/cart/items", buyer, json_body={"product_id": products[2]})
    second = run.data(run.call("POST", "/api/orders/checkout", buyer, json_body={"card_number": GOOD_CARD}))["order"]["id"]
    run.call("GET", "/api/orders", buyer)
    run.call("GET", "/api/orders?status=paid", buyer)
    run.call("GET", f"/api/orders/{order}", buyer)
    run.call("GET", "/api/orders/9999", buyer)
    run.call("POST", f"/api/orders/{second}/cancel", buyer)
    run.call("POST", f"/api/orders/{second}/cancel", buyer)  # already cancelled
    return order


def _payments(run: Run, buyer: str, admin: str, order: int) -> None:
    listed = run.data(run.call("GET", "/api/payments", buyer))
    paid = [p["id"] for p in listed.get("items", []) if p.get("order_id") == order]
    payment = paid[0] if paid else 1
    run.call("GET", f"/api/payments/{payment}", buyer)
    run.call("GET", "/api/payments/9999", buyer)
    run.call("POST", f"/api/payments/{payment}/refund", buyer, json_body={"reason": "mine"})  # not an admin
    run.call("POST", f"/api/payments/{payment}/refund", admin, json_body={"amount_cents": 500, "reason": "scratched"})
    run.call("POST", f"/api/payments/{payment}/refund", admin, json_body={"amount_cents": 10_000_000, "reason": "too much"})


def _notifications(run: Run, seller: str, admin: str) -> None:
    inbox = run.data(run.call("GET", "/api/notifications", seller))
    first = inbox["items"][0]["id"] if inbox.get("items") else 1
    run.call("POST", f"/api/notifications/{first}/read", seller)
    run.call("GET", "/api/notifications?unread=1", seller)
    run.call("POST", "/api/notifications/read-all", seller)
    run.call("POST", "/api/notifications/9999/read", seller)
    run.call("GET", "/api/notifications/outbox", admin)
    run.call("GET", "/api/notifications/outbox", seller)  # not an admin


def _admin(run: Run, admin: str, buyer: str) -> None:
    run.call("GET", "/api/admin/users", admin)
    run.call("GET", "/api/admin/users?q=bob&banned=0", admin)
    run.call("GET", "/api/admin/users", buyer)  # not an admin
    me = run.data(run.call("GET", "/api/accounts/me", buyer))["user"]["id"]
    run.call("POST", f"/api/admin/users/{me}/ban", admin, json_body={"reason": "testing bans"})
    run.call("GET", "/api/accounts/me", buyer)  # banned
    run.call("GET", "/api/admin/users?banned=1", admin)
    run.call("POST", f"/api/admin/users/{me}/unban", admin)
    run.call("GET", "/api/admin/stats", admin)
    run.call("GET", "/api/reports/sales", admin)
    run.call("GET", "/api/reports/sales?days=7", admin)
