from fastapi import APIRouter
from sqlalchemy import text

from app.api.deps import SessionDep

router = APIRouter(prefix="/utils", tags=["utils"])


@router.get("/health-check/")
def health_check(session: SessionDep) -> dict[str, bool]:
    session.execute(text("SELECT 1"))
    return {"ok": True}
