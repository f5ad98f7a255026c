import aiosqlite
from fastapi import APIRouter, Depends

from journal.audit import AuditTrail
from journal.routers.notes import get_audit, get_db

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/events")
async def list_events(
    limit: int = 50,
    db: aiosqlite.Connection = Depends(get_db),
    audit: AuditTrail = Depends(get_audit),
):
    await audit.flush()
    async with db.execute(
        "SELECT id, action, subject FROM audit_events ORDER BY id DESC LIMIT ?",
        (limit,),
    ) as cur:
        return [dict(row) for row in await cur.fetchall()]
