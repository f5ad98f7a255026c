from typing import Any

from shop.repositories.base import BaseRepository
from shop.repositories.errors import EntityAlreadyExists, EntityDoesNotExist


class CustomersRepository(BaseRepository):
    async def get_by_id(self, customer_id: int) -> dict[str, Any]:
        row = await self._queries.get_customer_by_id(
            self.connection, customer_id=customer_id
        )
        if row is None:
            raise EntityDoesNotExist(f"customer {customer_id} does not exist")
        return dict(row)

    async def list(self, *, limit: int, offset: int) -> list[dict[str, Any]]:
        return [
            dict(row)
            async for row in self._queries.list_customers(
                self.connection, limit=limit, offset=offset
            )
        ]

    async def create(self, *, email: str, name: str) -> dict[str, Any]:
        existing = await self._queries.get_customer_by_email(
            self.connection, email=email
        )
        if existing is not None:
            raise EntityAlreadyExists(f"customer {email} already exists")
        customer_id = await self._queries.insert_customer(
            self.connection, email=email, name=name
        )
        await self.connection.commit()
        return await self.get_by_id(customer_id)

    async def rename(self, customer_id: int, *, name: str) -> dict[str, Any]:
        await self.get_by_id(customer_id)
        await self._queries.rename_customer(
            self.connection, customer_id=customer_id, name=name
        )
        await self.connection.commit()
        return await self.get_by_id(customer_id)
