from pantry.routes._base import AdminRouter

from . import admin_about, admin_foods

router = AdminRouter(prefix="/admin")

router.include_router(admin_about.router, tags=["Admin: About"])
router.include_router(admin_foods.router, tags=["Admin: Foods"])
