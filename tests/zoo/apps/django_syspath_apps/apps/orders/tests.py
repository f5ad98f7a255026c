import json
from decimal import Decimal

from django.test import TestCase

from accounts.models import User
from catalog.models import Category, Product
from orders.models import Order


class OrderFlowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        books = Category.objects.create(name="Books", slug="books")
        cls.dune = Product.objects.create(category=books, name="Dune", sku="BK-1", price=Decimal("9.99"), stock=5)
        cls.emma = Product.objects.create(category=books, name="Emma", sku="BK-2", price=Decimal("4.50"), stock=1)
        cls.user = User.objects.create_user(username="lin", email="lin@example.com", password="pw-lin-123")
        cls.other = User.objects.create_user(username="max", email="max@example.com", password="pw-max-123")

    def setUp(self):
        self.client.force_login(self.user)

    def add(self, product, quantity=1):
        return self.client.post(
            "/orders/cart/",
            data=json.dumps({"product": product.pk, "quantity": quantity}),
            content_type="application/json",
        )

    def test_cart_requires_login(self):
        self.client.logout()
        self.assertEqual(self.client.get("/orders/cart/").status_code, 401)

    def test_add_to_cart(self):
        self.assertEqual(self.add(self.dune, 2).status_code, 201)
        response = self.add(self.dune)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["total"], "29.97")
        self.assertEqual(self.client.get("/orders/cart/").json()["lines"][0]["quantity"], 3)

    def test_checkout_and_list(self):
        self.add(self.dune, 2)
        self.add(self.emma)
        response = self.client.post("/orders/checkout/")
        self.assertEqual(response.status_code, 201)
        order = response.json()
        self.assertEqual(order["total"], "24.48")
        self.assertEqual(len(order["lines"]), 2)
        self.assertEqual(self.client.get("/orders/cart/").json()["lines"], [])
        listing = self.client.get("/orders/").json()["results"]
        self.assertEqual([o["id"] for o in listing], [order["id"]])
        detail = self.client.get(f"/orders/{order['id']}/").json()
        self.assertEqual(detail["status"], "placed")

    def test_checkout_empty_cart(self):
        self.assertEqual(self.client.post("/orders/checkout/").status_code, 409)
        self.assertEqual(self.client.get("/orders/checkout/").status_code, 405)

    def test_cancel_restocks(self):
        self.add(self.emma)
        order_id = self.client.post("/orders/checkout/").json()["id"]
        self.emma.refresh_from_db()
        self.assertEqual(self.emma.stock, 0)
        response = self.client.post(f"/orders/{order_id}/cancel/")
        self.assertEqual(response.json()["status"], "cancelled")
        self.emma.refresh_from_db()
        self.assertEqual(self.emma.stock, 1)
        self.assertEqual(self.client.post(f"/orders/{order_id}/cancel/").status_code, 409)

    def test_cannot_see_other_users_orders(self):
        self.add(self.dune)
        order_id = self.client.post("/orders/checkout/").json()["id"]
        self.client.force_login(self.other)
        self.assertEqual(self.client.get(f"/orders/{order_id}/").status_code, 404)
        self.assertEqual(Order.objects.count(), 1)


class HealthTests(TestCase):
    def test_health_answers_any_method(self):
        self.assertEqual(self.client.get("/health/").json(), {"status": "ok"})
        self.assertEqual(self.client.post("/health/").status_code, 200)
