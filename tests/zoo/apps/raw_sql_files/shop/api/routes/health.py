from typing import Annotated

import aiosqlite
from fastapi import APIRouter, Depends

from shop.api.dependencies import get_connection

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(conn: Annotated[aiosqlite.Connection, Depends(get_connection)]):
    async with conn.execute("SELECT 1") as cur:
        (one,) = await cur.fetchone()
    return {"status": "ok", "database": one == 1}
