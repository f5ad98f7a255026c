from pytest import MonkeyPatch, fixture

# The settings are read when kitchen is imported: choose them first (mealie's conftest does the same).
mp = MonkeyPatch()
mp.setenv("TESTING", "True")
mp.setenv("ALLOW_SIGNUP", "True")

from fastapi.testclient import TestClient  # noqa: E402

from kitchen.app import app  # noqa: E402


@fixture(scope="session")
def client():
    return TestClient(app)
