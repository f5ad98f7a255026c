import aiosqlite
from fastapi import APIRouter, Depends

from journal.routers.notes import get_db

router = APIRouter(prefix="/tags", tags=["tags"])


@router.get("")
async def list_tags(db: aiosqlite.Connection = Depends(get_db)):
    async with db.execute(
        "SELECT t.name, COUNT(nt.note_id) AS notes FROM tags t "
        "LEFT JOIN note_tags nt ON nt.tag_id = t.id GROUP BY t.id ORDER BY t.name"
    ) as cur:
        return [dict(row) for row in await cur.fetchall()]
