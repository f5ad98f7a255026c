from fastapi import APIRouter, Depends
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pantry.db import get_session
from pantry.models import Food, Recipe

router = APIRouter(prefix="/about")


@router.get("/statistics")
def statistics(session: Session = Depends(get_session)):
    return {
        "recipes": session.scalar(select(func.count()).select_from(Recipe)),
        "foods": session.scalar(select(func.count()).select_from(Food)),
    }
