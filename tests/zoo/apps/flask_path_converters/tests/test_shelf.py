import pytest

from shelf import create_app


@pytest.fixture
def client():
    return create_app().test_client()


def test_pages_at_any_depth(client):
    assert client.get("/about").json == {"route": "about", "text": "Who keeps the shelf."}
    assert client.get("/guides/install").json["text"] == "Unpack, then shelve."
    assert client.get("/guides/advanced/tuning").json["route"] == "guides/advanced/tuning"


def test_a_missing_page(client):
    assert client.get("/guides/missing").status_code == 404


def test_the_index_and_a_literal_route_beside_the_catch_all(client):
    assert client.get("/").json == {"pages": ["about", "guides/advanced/tuning", "guides/install"]}
    assert client.get("/api/notes").json == {"notes": ["dust the top shelf"]}


def test_files_by_a_path_with_slashes(client):
    assert client.get("/files/readme.txt").get_data(as_text=True) == "top level"
    assert client.get("/files/2024/reports/q1.csv").get_data(as_text=True) == "quarter,total\nq1,10\n"
    assert client.get("/files/2024/missing.csv").status_code == 404


def test_theme_assets_under_a_variable_and_a_path(client):
    answer = client.get("/themes/core/static/js/vendor/lib.js")
    assert answer.get_data(as_text=True) == "export const lib = 1;"
    assert client.get("/themes/core/static/css/main.css").mimetype == "text/css"
