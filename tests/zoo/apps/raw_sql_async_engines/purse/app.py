from contextlib import asynccontextmanager

from fastapi import FastAPI

from purse.migrations import migrate
from purse.routes import accounts, health, wallets


@asynccontextmanager
async def lifespan(app: FastAPI):
    await migrate()
    yield


def create_app() -> FastAPI:
    app = FastAPI(lifespan=lifespan)
    app.include_router(health.router)
    app.include_router(accounts.router)
    app.include_router(wallets.router)
    return app
