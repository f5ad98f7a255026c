import json
from decimal import Decimal

from django.test import TestCase

from accounts.models import User
from catalog.models import Category, Product


class CatalogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.books = Category.objects.create(name="Books", slug="books")
        cls.games = Category.objects.create(name="Games", slug="games")
        cls.novel = Product.objects.create(category=cls.books, name="Dune", sku="BK-1", price=Decimal("9.99"), stock=5)
        Product.objects.create(category=cls.games, name="Go board", sku="GM-1", price=Decimal("45.00"), stock=2)
        Product.objects.create(category=cls.games, name="Sold out", sku="GM-2", price=Decimal("1.00"), stock=0)
        cls.staff = User.objects.create_user(username="staff", email="s@example.com", password="pw", is_staff=True)

    def test_categories(self):
        response = self.client.get("/catalog/categories/")
        self.assertEqual([c["slug"] for c in response.json()["results"]], ["books", "games"])

    def test_product_list_filters_category_and_stock(self):
        response = self.client.get("/catalog/products/", {"category": "games"})
        self.assertEqual([p["sku"] for p in response.json()["results"]], ["GM-1"])

    def test_product_detail_and_404(self):
        response = self.client.get(f"/catalog/products/{self.novel.pk}/")
        self.assertEqual(response.json()["price"], "9.99")
        self.assertEqual(self.client.get("/catalog/products/9999/").status_code, 404)

    def test_create_requires_staff(self):
        payload = {"name": "Chess", "sku": "GM-3", "price": "30", "category": "games", "stock": 3}
        response = self.client.post("/catalog/products/", data=json.dumps(payload), content_type="application/json")
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.staff)
        response = self.client.post("/catalog/products/", data=json.dumps(payload), content_type="application/json")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["price"], "30.00")

    def test_staff_updates_and_retires_product(self):
        self.client.force_login(self.staff)
        url = f"/catalog/products/{self.novel.pk}/"
        response = self.client.patch(url, data=json.dumps({"stock": 7}), content_type="application/json")
        self.assertEqual(response.json()["stock"], 7)
        self.assertEqual(self.client.delete(url).status_code, 204)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.put(url).status_code, 405)
