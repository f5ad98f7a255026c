from conftest import upload


def test_an_upload_reads_back_the_same_bytes(client):
    sent = upload(client, "pets", "cat.jpg", b"\xff\xd8 whiskers")
    assert sent.status_code == 201
    photo = sent.json()
    assert photo["album"] == "pets" and photo["name"] == "cat.jpg" and photo["size"] == 11
    assert client.get(f"/photos/{photo['id']}").json() == photo
    assert client.get(f"/photos/{photo['id']}/content").content == b"\xff\xd8 whiskers"


def test_delete_removes_the_file(client):
    photo = upload(client, "pets", "dog.jpg", b"woof").json()
    assert client.delete(f"/photos/{photo['id']}").json() == {"deleted": photo["id"], "file_removed": True}
    assert client.get(f"/photos/{photo['id']}").status_code == 404


def test_a_name_with_a_folder_is_refused(client):
    assert upload(client, "pets", "../escape.jpg").status_code == 400


def test_albums_are_created_and_listed(client):
    made = client.post("/albums", json={"title": "summer"})
    assert made.status_code == 201
    assert client.get("/albums").json() == [made.json()]
    assert client.get(f"/albums/{made.json()['id']}").json() == made.json()
    assert client.get("/albums/99").status_code == 404
