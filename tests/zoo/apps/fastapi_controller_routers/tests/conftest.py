import os
import tempfile
from pathlib import Path

import pytest

_tmpdir = tempfile.mkdtemp(prefix="pantry-tests-")
os.environ["PANTRY_DB"] = str(Path(_tmpdir) / "pantry.db")

from fastapi.testclient import TestClient  # noqa: E402

from pantry.app import app  # noqa: E402

HOME = {"X-Household": "smiths"}
ADMIN = {"X-Admin-Token": "let-me-in"}


@pytest.fixture(scope="session")
def client():
    with TestClient(app) as c:
        yield c
