from tests.base import BaseTestCase, TestConfigWithAuth


class AuthTests(BaseTestCase):
    config = TestConfigWithAuth

    def test_gadgets_need_a_token(self):
        assert self.client.get("/api/gadgets").status_code == 401
        answer = self.client.post("/api/tokens", json={"name": "ada", "password": "lovelace"})
        assert answer.status_code == 201
        token = answer.json["token"]
        listed = self.client.get("/api/gadgets", headers={"Authorization": f"Bearer {token}"})
        assert listed.json["user"] == "ada"
        assert len(listed.json["items"]) == 3

    def test_a_wrong_password_gets_no_token(self):
        assert self.client.post("/api/tokens", json={"name": "ada", "password": "nope"}).status_code == 401
