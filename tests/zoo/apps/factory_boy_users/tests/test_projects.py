from tasknotes.db import db
from tasknotes.models import Project

from conftest import login
from factories import ProjectFactory


def test_create_and_list_projects(client, user, auth_headers):
    ProjectFactory(name="Someone else's")
    response = client.post("/api/projects", json={"name": "Garden", "description": "Spring plans"}, headers=auth_headers)
    assert response.status_code == 201
    project = response.get_json()
    assert project["owner"] == user.email

    listed = client.get("/api/projects", headers=auth_headers).get_json()["projects"]
    assert [p["name"] for p in listed] == ["Garden"]
    assert client.get("/api/me", headers=auth_headers).get_json()["projects"] == 1


def test_create_project_needs_name(client, auth_headers):
    response = client.post("/api/projects", json={"name": " "}, headers=auth_headers)
    assert response.status_code == 400


def test_projects_are_private_until_shared(client, user, other_user, auth_headers):
    project = ProjectFactory(owner=user)
    other_headers = login(client, other_user)
    assert client.get(f"/api/projects/{project.id}", headers=other_headers).status_code == 404

    response = client.post(f"/api/projects/{project.id}/members", json={"email": other_user.email}, headers=auth_headers)
    assert response.status_code == 200
    assert response.get_json()["members"] == [other_user.email]
    assert client.get(f"/api/projects/{project.id}", headers=other_headers).get_json()["name"] == project.name
    assert [p["id"] for p in client.get("/api/projects", headers=other_headers).get_json()["projects"]] == [project.id]
    # members cannot delete
    assert client.delete(f"/api/projects/{project.id}", headers=other_headers).status_code == 403


def test_delete_project(client, user, auth_headers):
    project = ProjectFactory(owner=user)
    assert client.delete(f"/api/projects/{project.id}", headers=auth_headers).status_code == 204
    assert client.get(f"/api/projects/{project.id}", headers=auth_headers).status_code == 404


def test_share_with_unknown_user(client, user, auth_headers):
    project = ProjectFactory(owner=user)
    response = client.post(f"/api/projects/{project.id}/members", json={"email": "ghost@example.com"}, headers=auth_headers)
    assert response.status_code == 404


def test_a_project_handed_over_outside_http_between_requests(client, user, other_user, auth_headers):
    made = client.post("/api/projects", json={"name": "Garden"}, headers=auth_headers).get_json()
    project = db.session.get(Project, made["id"])
    project.owner_id = other_user.id  # the test changes a row the first request made, without HTTP
    db.session.commit()
    assert client.get(f"/api/projects/{made['id']}", headers=auth_headers).status_code == 404
