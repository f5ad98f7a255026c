from collections.abc import AsyncIterator

import httpx
import pytest

from shop.config import get_settings
from shop.main import app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(tmp_path, monkeypatch) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh database per test; the lifespan opens it (ASGITransport does not run lifespans)."""
    monkeypatch.setenv("SHOP_DATABASE_PATH", str(tmp_path / "shop.db"))
    get_settings.cache_clear()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as c:
            yield c
    get_settings.cache_clear()


@pytest.fixture
async def customer(client) -> dict:
    r = await client.post("/customers", json={"email": "ada@example.com", "name": "Ada"})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
async def products(client) -> list[dict]:
    created = []
    for sku, title, price, stock in [
        ("KB-01", "Keyboard", 4500, 5),
        ("MS-01", "Mouse", 1500, 2),
    ]:
        r = await client.post(
            "/products",
            json={"sku": sku, "title": title, "price_cents": price, "stock": stock},
        )
        assert r.status_code == 201, r.text
        created.append(r.json())
    return created
