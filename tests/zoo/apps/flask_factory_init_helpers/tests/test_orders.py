def test_price_list_names_the_units(client):
    page = client.get("/orders/").get_data(as_text=True)
    assert "<h1>Depot prices</h1>" in page
    assert "<li>pears: 4 per kg, packed by the crate</li>" in page


def test_quote(client):
    answer = client.post("/orders/quote", json={"fruit": "plums", "kilos": 45})
    assert answer.get_json() == {"fruit": "plums", "kilos": 45, "total": 225, "crates": 3, "unit": "kg"}


def test_quote_of_unknown_fruit(client):
    answer = client.post("/orders/quote", json={"fruit": "kiwis", "kilos": 1})
    assert answer.status_code == 400
    assert answer.get_json() == {"error": "unknown fruit", "fruit": "kiwis"}
