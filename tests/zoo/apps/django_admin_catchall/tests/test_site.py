import pytest

from pages.models import Page


@pytest.fixture
def pages(db):
    Page.objects.create(path="about", title="About us", body="A small documentation site.")
    Page.objects.create(path="guides/install", title="Installing", body="pip install it.")


def test_index_lists_the_pages(client, pages):
    assert client.get("/").json() == {"pages": ["about", "guides/install"]}


def test_a_page_at_any_depth(client, pages):
    assert client.get("/about/").json()["title"] == "About us"
    assert client.get("/guides/install/").json()["title"] == "Installing"
    assert client.get("/guides/missing/").status_code == 404


def test_notes_api(client, db):
    made = client.post("/api/notes/", {"text": "remember the milk"}, content_type="application/json")
    assert made.status_code == 201
    assert client.get("/api/notes/").json() == {"notes": [{"id": made.json()["id"], "text": "remember the milk"}]}
    assert client.get(f"/api/notes/{made.json()['id']}/").json()["text"] == "remember the milk"


def test_the_admin_is_beside_the_catch_all(client, pages):
    """/admin/ comes before the pages' catch-all in the URLconf: the admin answers, not a page's 404."""
    assert client.get("/admin/").status_code == 302  # to its login page
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/about/").json()["title"] == "About us"


def test_an_editor_sees_the_pages_in_the_admin(client, admin_user, pages):
    client.force_login(admin_user)
    listing = client.get("/admin/pages/page/")
    assert listing.status_code == 200 and b"guides/install" in listing.content
    assert client.get("/").json() == {"pages": ["about", "guides/install"]}
