from tests.conftest import ADMIN


def test_admin_needs_token(client):
    assert client.get("/api/admin/foods").status_code == 403
    assert client.get("/api/admin/about/statistics").status_code == 403


def test_foods_and_statistics(client):
    r = client.post("/api/admin/foods", json={"name": "flour"}, headers=ADMIN)
    assert r.status_code == 201, r.text
    assert "flour" in [f["name"] for f in client.get("/api/admin/foods", headers=ADMIN).json()]
    stats = client.get("/api/admin/about/statistics", headers=ADMIN).json()
    assert stats["foods"] >= 1


def test_health(client):
    assert client.get("/health").json() == {"status": "ok"}
