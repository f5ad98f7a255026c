def test_a_file_at_the_top_and_one_two_folders_down(client):
    assert client.get("/files/notes.txt").text == "top"
    assert client.get("/files/2024/q1/summary.md").text == "# Q1"


def test_a_missing_file(client):
    answer = client.get("/files/2024/q2/summary.md")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "no file 2024/q2/summary.md"}


def test_an_object_key_with_slashes_under_its_bucket(client):
    assert client.get("/buckets/photos/objects/2023/summer/beach.jpg").json() == {
        "bucket": "photos", "key": "2023/summer/beach.jpg", "size": 2048, "depth": 3}
    assert client.get("/buckets/photos/objects/db/daily/monday.tar").status_code == 404


def test_the_literal_api_route_beside_the_catch_all(client):
    assert client.get("/api/health").json() == {"ok": True}


def test_front_end_pages_at_any_depth(client):
    assert client.get("/settings/profile/avatar").json() == {"page": "settings/profile/avatar", "shell": "index.html"}
    assert client.get("/about").json()["page"] == "about"
