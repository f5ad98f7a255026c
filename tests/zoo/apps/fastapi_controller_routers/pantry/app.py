from contextlib import asynccontextmanager

from fastapi import FastAPI

from pantry.db import create_tables
from pantry.routes import router
from pantry.routes.health import router as health_router


@asynccontextmanager
async def lifespan(_: FastAPI):
    create_tables()
    yield


app = FastAPI(title="Pantry", lifespan=lifespan)


def api_routers() -> None:
    app.include_router(router)
    app.include_router(health_router)


api_routers()
