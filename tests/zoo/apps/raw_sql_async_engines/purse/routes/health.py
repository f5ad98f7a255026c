from fastapi import APIRouter

from purse import crud

router = APIRouter()


@router.get("/health")
async def health():
    return {"status": "ok", "registration": await crud.setting("registration")}
