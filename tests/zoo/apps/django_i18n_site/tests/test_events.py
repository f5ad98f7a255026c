import datetime

import pytest

from events.models import Event, Ticket


@pytest.fixture
def lisbon(db):
    return Event.objects.create(city="Lisbon", date=datetime.date(2027, 3, 6), seats=2)


def test_events_are_listed_in_the_path_s_language(client, lisbon):
    answer = client.get("/es/events/").json()
    assert answer["language"] == "es" and answer["events"] == [
        {"id": lisbon.id, "city": "Lisbon", "date": "2027-03-06", "seats_left": 2}]


def test_registering_fills_the_event(client, lisbon):
    url = f"/en/events/{lisbon.id}/register/"
    assert client.post(url, {"email": "ada@example.com"}, content_type="application/json").status_code == 201
    assert client.post(url, {"email": "ada@example.com"}, content_type="application/json").status_code == 200
    assert client.post(url, {"email": "grace@example.com"}, content_type="application/json").status_code == 201
    assert client.post(url, {"email": "joan@example.com"}, content_type="application/json").status_code == 409
    assert client.get(f"/es/events/{lisbon.id}/").json()["seats_left"] == 0


def test_registering_needs_an_email_and_a_post(client, lisbon):
    url = f"/en/events/{lisbon.id}/register/"
    assert client.post(url, {}, content_type="application/json").status_code == 400
    assert client.get(url).status_code == 405
    assert client.get("/en/events/999/").status_code == 404


def test_an_event_added_between_two_visits_is_listed(client, lisbon):
    assert [e["city"] for e in client.get("/en/events/").json()["events"]] == ["Lisbon"]
    Event.objects.create(city="Porto", date=datetime.date(2027, 4, 3))
    assert [e["city"] for e in client.get("/en/events/").json()["events"]] == ["Lisbon", "Porto"]


def test_each_visit_to_the_wait_list_takes_a_new_place(client, db):
    first, second = client.get("/en/events/waitlist/").json(), client.get("/es/events/waitlist/").json()
    assert len(first["ticket"]) == 36 and first["ticket"] != second["ticket"] and first["key"] != second["key"]
    assert Ticket.objects.count() == 2
