import pytest

from pages.models import Page


@pytest.fixture
def faq(db):
    return Page.objects.create(slug="faq", title_en="Questions", title_es="Preguntas", body="...")


def test_home_speaks_the_language_of_its_path(client, faq):
    assert client.get("/en/").json() == {"language": "en", "greeting": "Welcome to the meetups", "pages": ["faq"]}
    assert client.get("/es/").json()["greeting"] == "Bienvenidas a los encuentros"


def test_about_and_a_page_in_both_languages(client, faq):
    assert b'<html lang="es">' in client.get("/es/about/").content
    assert client.get("/en/faq/").json()["title"] == "Questions"
    assert client.get("/es/faq/").json()["title"] == "Preguntas"
    assert client.get("/en/missing/").status_code == 404


def test_old_links_redirect(client, db):
    assert client.get("/home/").headers["Location"] == "/en/"
    assert client.get("/home/es/").headers["Location"] == "/es/"
    answer = client.get("/calendar/")
    assert answer.status_code == 301 and answer.headers["Location"] == "/en/events/"


def test_ping(client, db):
    assert client.get("/__ping__/").json() == {"pong": True}


def test_robots_are_kept_off_the_calendar(client, db):
    answer = client.get("/robots.txt")
    assert answer["Content-Type"] == "text/plain" and b"Disallow: /calendar/" in answer.content
