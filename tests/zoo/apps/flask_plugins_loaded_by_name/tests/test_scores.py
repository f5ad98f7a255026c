def test_a_run_is_scored_by_its_game_s_rule_and_earns_a_badge(client):
    assert client.post("/scores/", json={"game": "snake", "hits": 11, "misses": 0}).get_json() == {
        "points": 121, "badge": "gold"}
    assert client.post("/scores/", json={"game": "asteroids", "hits": 3, "misses": 2}).get_json() == {
        "points": 20, "badge": "bronze"}


def test_an_unknown_game_is_refused(client):
    assert client.post("/scores/", json={"game": "pong"}).status_code == 400


def test_the_badge_levels(client):
    assert client.get("/scores/").get_json()["levels"][0] == {"name": "gold", "at": 100}
