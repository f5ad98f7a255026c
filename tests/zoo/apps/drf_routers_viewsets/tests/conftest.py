from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.models import Category, Product


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def customer(db):
    return get_user_model().objects.create_user("rider", "rider@example.com", "rider-pw-1")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("clerk", "clerk@example.com", "clerk-pw-1", is_staff=True)


@pytest.fixture
def customer_client(customer):
    client = APIClient()
    token = Token.objects.create(user=customer)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def staff_client(staff):
    client = APIClient()
    client.force_authenticate(user=staff)
    return client


@pytest.fixture
def catalog(db):
    bikes = Category.objects.create(name="Bikes", slug="bikes")
    parts = Category.objects.create(name="Parts", slug="parts")
    return {
        "bikes": bikes,
        "parts": parts,
        "roadster": Product.objects.create(category=bikes, name="Roadster", sku="BK-100", price=Decimal("499.00"), stock=3),
        "chain": Product.objects.create(category=parts, name="Chain", sku="PT-200", price=Decimal("19.50"), stock=10),
        "saddle": Product.objects.create(category=parts, name="Saddle", sku="PT-300", price=Decimal("35.00"), stock=0),
    }
