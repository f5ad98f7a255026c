import os
import shutil
import tempfile

import httpx
import pytest

os.environ["PURSE_DATA_FOLDER"] = FOLDER = tempfile.mkdtemp(prefix="purse-")  # before purse makes its databases

from purse import crud  # noqa: E402
from purse.app import create_app  # noqa: E402


@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="session")
async def app():
    """One app for the whole session, its lifespan (the migrations) entered by hand."""
    application = create_app()
    async with application.router.lifespan_context(application):
        yield application
    shutil.rmtree(FOLDER, ignore_errors=True)


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://purse.test") as c:
        yield c


@pytest.fixture(scope="session")
async def alan(app):
    """Made with raw SQL, never over HTTP: the account, its API key and a funded wallet."""
    account = await crud.create_account("alan", "correct horse")
    account["wallet"] = await crud.create_wallet(account["id"], "spending", balance=1000)
    return account


@pytest.fixture(scope="session")
async def bea(app):
    account = await crud.create_account("bea", "battery staple")
    account["wallet"] = await crud.create_wallet(account["id"], "savings", balance=50)
    return account


def key(account):
    return {"X-Api-Key": account["api_key"]}
