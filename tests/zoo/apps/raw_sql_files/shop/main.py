from contextlib import asynccontextmanager

from fastapi import FastAPI

from shop.api.errors import register_error_handlers
from shop.api.router import router
from shop.config import get_settings
from shop.db.connection import connect


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = get_settings()
    app.state.db = await connect(settings.database_path)
    try:
        yield
    finally:
        await app.state.db.close()


def create_app() -> FastAPI:
    application = FastAPI(title=get_settings().app_name, lifespan=lifespan)
    register_error_handlers(application)
    application.include_router(router)
    return application


app = create_app()
