from conftest import login
from factories import NoteFactory, ProjectFactory


def test_create_and_list_notes(client, user, auth_headers):
    project = ProjectFactory(owner=user)
    response = client.post(f"/api/projects/{project.id}/notes", json={"title": "Buy seeds", "body": "tomatoes"}, headers=auth_headers)
    assert response.status_code == 201
    note = response.get_json()
    assert note["author"] == user.email
    assert note["done"] is False

    notes = client.get(f"/api/projects/{project.id}/notes", headers=auth_headers).get_json()["notes"]
    assert [n["title"] for n in notes] == ["Buy seeds"]


def test_note_validation(client, user, auth_headers):
    project = ProjectFactory(owner=user)
    response = client.post(f"/api/projects/{project.id}/notes", json={"body": "no title"}, headers=auth_headers)
    assert response.status_code == 400
    assert response.get_json() == {"error": "title is required"}


def test_mark_done_and_filter(client, user, auth_headers):
    project = ProjectFactory(owner=user)
    first, second = NoteFactory(project=project), NoteFactory(project=project)
    response = client.patch(f"/api/notes/{first.id}", json={"done": True}, headers=auth_headers)
    assert response.status_code == 200
    assert response.get_json()["done"] is True

    done = client.get(f"/api/projects/{project.id}/notes?done=1", headers=auth_headers).get_json()["notes"]
    todo = client.get(f"/api/projects/{project.id}/notes?done=0", headers=auth_headers).get_json()["notes"]
    assert [n["id"] for n in done] == [first.id]
    assert [n["id"] for n in todo] == [second.id]


def test_notes_of_other_people_are_hidden(client, other_user, auth_headers):
    note = NoteFactory(project__owner=other_user)
    assert client.patch(f"/api/notes/{note.id}", json={"done": True}, headers=auth_headers).status_code == 404
    assert client.get(f"/api/projects/{note.project_id}/notes", headers=auth_headers).status_code == 404


def test_delete_note_by_author_or_owner(client, user, other_user, auth_headers):
    project = ProjectFactory(owner=user, members=[other_user])
    note = NoteFactory(project=project, author=other_user)
    mine = NoteFactory(project=project)
    other_headers = login(client, other_user)
    assert client.delete(f"/api/notes/{mine.id}", headers=other_headers).status_code == 403
    assert client.delete(f"/api/notes/{note.id}", headers=auth_headers).status_code == 204
    assert client.delete(f"/api/notes/{note.id}", headers=auth_headers).status_code == 404
