from typing import Any

from shop.repositories.base import BaseRepository
from shop.repositories.errors import (
    EntityDoesNotExist,
    InvalidTransition,
    OutOfStock,
)


class OrdersRepository(BaseRepository):
    async def get_by_id(self, order_id: int) -> dict[str, Any]:
        row = await self._queries.get_order_by_id(
            self.connection, order_id=order_id
        )
        if row is None:
            raise EntityDoesNotExist(f"order {order_id} does not exist")
        order = dict(row)
        order["lines"] = [
            dict(line)
            async for line in self._queries.get_order_lines(
                self.connection, order_id=order_id
            )
        ]
        return order

    async def list_for_customer(self, customer_id: int) -> list[dict[str, Any]]:
        return [
            dict(row)
            async for row in self._queries.list_orders_for_customer(
                self.connection, customer_id=customer_id
            )
        ]

    async def list_by_status(
        self, status: str, *, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        return [
            dict(row)
            async for row in self._queries.list_orders_by_status(
                self.connection, status=status, limit=limit, offset=offset
            )
        ]

    async def place(
        self, *, customer_id: int, lines: list[tuple[int, int]]
    ) -> dict[str, Any]:
        """Reserve stock and write the order and its lines in one transaction."""
        q = self._queries
        conn = self.connection
        try:
            order_id = await q.insert_order(conn, customer_id=customer_id)
            total = 0
            for product_id, quantity in lines:
                product = await q.get_product_by_id(conn, product_id=product_id)
                if product is None or not product["active"]:
                    raise EntityDoesNotExist(f"product {product_id} does not exist")
                taken = await q.take_stock(
                    conn, product_id=product_id, quantity=quantity
                )
                if not taken:
                    raise OutOfStock(product_id)
                await q.insert_order_line(
                    conn,
                    order_id=order_id,
                    product_id=product_id,
                    quantity=quantity,
                    unit_cents=product["price_cents"],
                )
                total += quantity * product["price_cents"]
            await q.set_order_total(conn, order_id=order_id, total_cents=total)
        except Exception:
            await conn.rollback()
            raise
        await conn.commit()
        return await self.get_by_id(order_id)

    async def cancel(self, order_id: int) -> dict[str, Any]:
        order = await self.get_by_id(order_id)
        q = self._queries
        conn = self.connection
        changed = await q.set_order_status(
            conn, order_id=order_id, from_status="placed", to_status="cancelled"
        )
        if not changed:
            raise InvalidTransition(f"order {order_id} is {order['status']}")
        for line in order["lines"]:
            await q.return_stock(
                conn, product_id=line["product_id"], quantity=line["quantity"]
            )
        await conn.commit()
        return await self.get_by_id(order_id)
