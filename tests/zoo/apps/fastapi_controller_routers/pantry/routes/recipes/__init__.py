from fastapi import APIRouter

from . import comments, recipe_crud

router = APIRouter(prefix="/recipes")

router.include_router(recipe_crud.router, tags=["Recipe: CRUD"])
router.include_router(comments.router)
