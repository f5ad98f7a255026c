from fastapi import APIRouter

from . import admin, households, recipes

router = APIRouter(prefix="/api")

router.include_router(households.router)
router.include_router(recipes.router)
router.include_router(admin.router)
