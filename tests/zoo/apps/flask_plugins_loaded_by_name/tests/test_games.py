def test_games_are_listed_with_the_plugins_menu(client):
    assert client.get("/games/").get_json() == {
        "games": ["asteroids", "snake"],
        "menu": [{"title": "Badges", "route": "/scores/"},
                 {"title": "Scoring rules", "route": "/plugins/scoring/assets/rules.txt"}]}


def test_a_game_says_its_rule(client):
    assert client.get("/games/snake/rules").get_json() == {
        "game": "snake", "rule": "streak", "says": "a clean run scores hits squared; otherwise classic"}
    assert client.get("/games/pong/rules").status_code == 404


def test_a_plugin_serves_its_assets(client):
    answer = client.get("/plugins/scoring/assets/rules.txt")
    assert answer.status_code == 200 and answer.get_data(as_text=True).startswith("classic:")
    answer.close()
