from fastapi import APIRouter

from . import controller_cookbooks, controller_shopping

router = APIRouter()

router.include_router(controller_cookbooks.router)
router.include_router(controller_shopping.router)
router.include_router(controller_shopping.item_router)
