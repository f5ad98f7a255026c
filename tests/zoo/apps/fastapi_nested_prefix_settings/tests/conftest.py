import os
import tempfile
from collections.abc import Generator
from pathlib import Path

import pytest

# The settings are read once (lru_cache) when app.core.config is first imported,
# so the test database must be chosen before anything from `app` is imported.
_tmpdir = tempfile.mkdtemp(prefix="inventory-tests-")
os.environ["SQLITE_PATH"] = str(Path(_tmpdir) / "test.db")
os.environ.setdefault("SECRET_KEY", "test-secret-key")

from fastapi.testclient import TestClient  # noqa: E402

from app.core.config import settings  # noqa: E402
from app.main import app  # noqa: E402


@pytest.fixture(scope="session")
def client() -> Generator[TestClient, None, None]:
    with TestClient(app) as c:
        yield c


def _token_headers(client: TestClient, email: str, password: str) -> dict[str, str]:
    r = client.post(
        f"{settings.API_V1_STR}/login/access-token",
        data={"username": email, "password": password},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="session")
def superuser_token_headers(client: TestClient) -> dict[str, str]:
    return _token_headers(
        client, settings.FIRST_SUPERUSER, settings.FIRST_SUPERUSER_PASSWORD
    )


@pytest.fixture(scope="session")
def normal_user_token_headers(client: TestClient) -> dict[str, str]:
    email, password = "alice@example.com", "alice-password"
    r = client.post(
        f"{settings.API_V1_STR}/users/signup",
        json={"email": email, "password": password, "full_name": "Alice"},
    )
    assert r.status_code == 200, r.text
    return _token_headers(client, email, password)
