def test_shelves_page_names_the_unit(client):
    page = client.get("/stock/").get_data(as_text=True)
    assert "<h1>Depot stock</h1>" in page
    assert "<li>apples: 40 kg</li>" in page


def test_one_shelf(client):
    assert client.get("/stock/pears").get_json() == {"name": "pears", "level": 15}


def test_unknown_shelf(client):
    assert client.get("/stock/kiwis").status_code == 404


def test_restock(client):
    answer = client.post("/stock/restock", json={"amount": 5})
    assert answer.get_json() == {"apples": 45, "pears": 20, "plums": 5}


def test_restock_command(app):
    result = app.test_cli_runner().invoke(args=["restock", "2"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["apples: 42", "pears: 17", "plums: 2"]
