import sqlite3
from typing import Any

from shop.repositories.base import BaseRepository
from shop.repositories.errors import EntityAlreadyExists, EntityDoesNotExist


def _product(row) -> dict[str, Any]:
    product = dict(row)
    product["active"] = bool(product["active"])
    return product


class ProductsRepository(BaseRepository):
    async def get_by_id(self, product_id: int) -> dict[str, Any]:
        row = await self._queries.get_product_by_id(
            self.connection, product_id=product_id
        )
        if row is None:
            raise EntityDoesNotExist(f"product {product_id} does not exist")
        return _product(row)

    async def list_active(self, *, limit: int, offset: int) -> list[dict[str, Any]]:
        return [
            _product(row)
            async for row in self._queries.list_active_products(
                self.connection, limit=limit, offset=offset
            )
        ]

    async def create(
        self, *, sku: str, title: str, price_cents: int, stock: int
    ) -> dict[str, Any]:
        try:
            product_id = await self._queries.insert_product(
                self.connection, sku=sku, title=title, price_cents=price_cents, stock=stock
            )
        except sqlite3.IntegrityError as exc:
            await self.connection.rollback()
            raise EntityAlreadyExists(f"sku {sku} already exists") from exc
        await self.connection.commit()
        return await self.get_by_id(product_id)

    async def set_stock(self, product_id: int, stock: int) -> dict[str, Any]:
        await self.get_by_id(product_id)
        await self._queries.set_product_stock(
            self.connection, product_id=product_id, stock=stock
        )
        await self.connection.commit()
        return await self.get_by_id(product_id)

    async def deactivate(self, product_id: int) -> None:
        changed = await self._queries.deactivate_product(
            self.connection, product_id=product_id
        )
        await self.connection.commit()
        if not changed:
            raise EntityDoesNotExist(f"product {product_id} does not exist")
