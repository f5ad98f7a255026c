from conftest import upload


def test_upload_then_download_the_same_bytes(client):
    sent = upload(client, "reports", "report.pdf", b"%PDF-1.4 quarterly numbers")
    assert sent.status_code == 201
    document = sent.get_json()
    assert document["name"] == "report.pdf" and document["size"] == 26 and document["folder"] == "reports"
    assert document["location"].endswith("/report.pdf")
    fetched = client.get(f"/api/documents/{document['id']}/download")
    assert fetched.status_code == 200
    assert fetched.data == b"%PDF-1.4 quarterly numbers"
    assert "attachment" in fetched.headers["Content-Disposition"]
    assert [d["id"] for d in client.get("/api/documents?folder=reports").get_json()] == [document["id"]]
    assert client.get("/api/documents?folder=other").get_json() == []


def test_a_document_reads_back(client):
    document = upload(client, "reports").get_json()
    assert client.get(f"/api/documents/{document['id']}").get_json() == document


def test_delete_removes_the_file(client):
    document = upload(client, "reports", "gone.txt", b"bye").get_json()
    deleted = client.delete(f"/api/documents/{document['id']}")
    assert deleted.get_json() == {"deleted": document["id"], "file_removed": True}
    assert client.get(f"/api/documents/{document['id']}/download").status_code == 404


def test_an_upload_needs_a_folder_and_a_file(client):
    assert client.post("/api/documents", data={}).get_json() == {"error": "folder is required"}
    assert client.post("/api/documents", data={"folder": "reports"}).get_json() == {"error": "file is required"}
    assert upload(client, "reports", name="../../").status_code == 400
