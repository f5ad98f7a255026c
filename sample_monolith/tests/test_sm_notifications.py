"""Notifications: outbox, inbox, read flags and the background worker."""
from __future__ import annotations

import time

import pytest

from sample_monolith.app import create_app
from sample_monolith.extensions import db
from sample_monolith.services import notifications
from sample_monolith.tests.conftest import Api


def follow(api, follower_token, seller_token):
    seller_id = api.user_id(seller_token)
    assert api.post(f"/api/accounts/users/{seller_id}/follow", follower_token).status_code == 201


def test_inbox_lists_newest_first(api, seller, buyer):
    follow(api, buyer, seller)
    follow(api, api.user("nina@example.com"), seller)
    response = api.get("/api/notifications", seller)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [(n["kind"], n["body"]) for n in items] == [
        ("new_follower", "Nina started following you"),
        ("new_follower", "Bob started following you"),
    ]
    assert items[1] == {
        "id": 1,
        "kind": "new_follower",
        "body": "Bob started following you",
        "payload": {"follower_id": 2},
        "read": False,
        "read_at": None,
        "created_at": "2024-05-01T12:00:00Z",
    }


def test_inbox_errors(api, buyer):
    assert api.get("/api/notifications").status_code == 401
    assert api.get("/api/notifications?unread=sometimes", buyer).status_code == 400


def test_mark_read_and_filter_unread(api, seller, buyer, clock):
    follow(api, buyer, seller)
    clock.advance(minutes=5)
    response = api.post("/api/notifications/1/read", seller)
    assert response.status_code == 200
    notification = response.get_json()["notification"]
    assert (notification["read"], notification["read_at"]) == (True, "2024-05-01T12:05:00Z")
    assert api.get("/api/notifications?unread=true", seller).get_json()["total"] == 0


def test_mark_read_errors(api, seller, buyer):
    follow(api, buyer, seller)
    assert api.post("/api/notifications/1/read").status_code == 401
    other = api.post("/api/notifications/1/read", buyer)
    assert other.status_code == 403
    assert other.get_json()["message"] == "this notification belongs to another user"
    assert api.post("/api/notifications/99/read", seller).status_code == 404


def test_mark_all_read(api, seller, buyer):
    follow(api, buyer, seller)
    follow(api, api.user("nina@example.com"), seller)
    response = api.post("/api/notifications/read-all", seller)
    assert response.status_code == 200
    assert response.get_json() == {"updated": 2}
    assert api.post("/api/notifications/read-all", seller).get_json() == {"updated": 0}
    assert api.post("/api/notifications/read-all").status_code == 401


def test_admin_outbox(api, seller, buyer, admin):
    follow(api, buyer, seller)
    response = api.get("/api/notifications/outbox?status=delivered", admin)
    assert response.status_code == 200
    message = response.get_json()["items"][0]
    assert (message["kind"], message["recipient_id"], message["status"]) == ("new_follower", 1, "delivered")
    assert message["delivered_at"] == "2024-05-01T12:00:00Z"
    assert api.get("/api/notifications/outbox?status=pending", admin).get_json()["total"] == 0


def test_admin_outbox_errors(api, buyer, admin):
    assert api.get("/api/notifications/outbox").status_code == 401
    assert api.get("/api/notifications/outbox", buyer).status_code == 403
    assert api.get("/api/notifications/outbox?status=lost", admin).status_code == 400


@pytest.fixture
def async_api(test_config):
    notifications.reset_queue()
    app = create_app({**test_config, "NOTIFICATIONS_SYNC": False, "AUTO_CREATE_TABLES": True})
    yield Api(app.test_client())
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_background_worker_delivers_after_commit(async_api):
    seller = async_api.user("sally@example.com", role="seller")
    buyer = async_api.user("bob@example.com")
    follow(async_api, buyer, seller)
    assert wait_for(lambda: async_api.get("/api/notifications", seller).get_json()["total"] == 1)
    assert notifications._worker is not None and notifications._worker.daemon
    assert notifications.queue_depth() == 0
