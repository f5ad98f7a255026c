from fastapi import APIRouter

from shop.api.routes import customers, health, orders, products

router = APIRouter()
router.include_router(health.router)
router.include_router(customers.router)
router.include_router(products.router)
router.include_router(orders.router)
