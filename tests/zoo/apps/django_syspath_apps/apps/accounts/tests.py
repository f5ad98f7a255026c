import json

from django.test import TestCase

from accounts.models import User


class RegistrationTests(TestCase):
    def test_register_creates_user(self):
        response = self.client.post(
            "/accounts/register/",
            data=json.dumps({"username": "ada", "email": "ada@example.com", "password": "s3cret-pass"}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["username"], "ada")
        self.assertTrue(User.objects.filter(email="ada@example.com").exists())

    def test_register_rejects_get(self):
        response = self.client.get("/accounts/register/")
        self.assertEqual(response.status_code, 405)

    def test_register_duplicate_username(self):
        User.objects.create_user(username="ada", email="a@example.com", password="x")
        response = self.client.post(
            "/accounts/register/",
            data=json.dumps({"username": "ada", "email": "b@example.com", "password": "y"}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 409)


class SessionTests(TestCase):
    def setUp(self):
        User.objects.create_user(username="grace", email="grace@example.com", password="hopper-123")

    def test_sign_in_and_out(self):
        self.assertEqual(self.client.get("/accounts/session/").json(), {"user": None})
        response = self.client.post(
            "/accounts/session/",
            data=json.dumps({"username": "grace", "password": "hopper-123"}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.client.get("/accounts/session/").json()["user"]["username"], "grace")
        self.assertEqual(self.client.delete("/accounts/session/").status_code, 204)
        self.assertIsNone(self.client.get("/accounts/session/").json()["user"])

    def test_bad_password(self):
        response = self.client.post(
            "/accounts/session/",
            data=json.dumps({"username": "grace", "password": "wrong"}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 401)

    def test_addresses(self):
        self.assertEqual(self.client.get("/accounts/addresses/").status_code, 401)
        self.client.login(username="grace", password="hopper-123")
        response = self.client.post(
            "/accounts/addresses/",
            data=json.dumps({"line1": "1 Navy Way", "city": "Arlington", "postcode": "22201"}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(len(self.client.get("/accounts/addresses/").json()["results"]), 1)
