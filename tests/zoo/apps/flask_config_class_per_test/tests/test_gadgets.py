from tests.base import BaseTestCase


class GadgetTests(BaseTestCase):
    def test_first_page(self):
        answer = self.client.get("/api/gadgets")
        assert answer.status_code == 200
        assert [item["id"] for item in answer.json["items"]] == [1, 2, 3, 4, 5]

    def test_second_page(self):
        answer = self.client.get("/api/gadgets?page=2")
        assert [item["id"] for item in answer.json["items"]] == [6, 7, 8, 9, 10]

    def test_one_gadget(self):
        assert self.client.get("/api/gadgets/7").json["name"] == "gadget 7"
        assert self.client.get("/api/gadgets/99").status_code == 404
