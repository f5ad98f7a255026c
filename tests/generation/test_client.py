"""Clients of other services against a real tiny HTTP server on 127.0.0.1: results decoded, remote
errors re-raised, retries only for idempotent calls, clear messages when a service cannot be reached."""

import decimal
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import decompose.generation.runtime.wire as wire
from decompose.generation.runtime.client import (
    CALL_PATH,
    SECRET_HEADER,
    ManualWorkRequired,
    RemoteCallError,
    Service,
    ServiceUnavailable,
    env_name,
)

TARGET = "pkg.shop:get_product"


class FakeService:
    """Answers each POST with the next scripted (status, JSON body); the last answer repeats."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, object]] = [(200, {"result": None})]
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                # headers: case-insensitive (http.client's message); raw: the body's bytes as received
                fake.requests.append({"path": self.path, "headers": self.headers, "body": json.loads(body), "raw": body})
                index = min(len(fake.requests), len(fake.answers)) - 1
                status, answer = fake.answers[index]
                payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture()
def catalog(monkeypatch):
    fake = FakeService()
    monkeypatch.setenv("DECOMPOSE_URL_CATALOG", fake.url)
    monkeypatch.setenv("DECOMPOSE_CALL_TIMEOUT", "5")
    monkeypatch.delenv("DECOMPOSE_INTERNAL_SECRET", raising=False)
    monkeypatch.delenv("DECOMPOSE_INTERNAL_AUTH", raising=False)
    saved = dict(wire._ERRORS)
    yield fake
    fake.close()
    wire._ERRORS.clear()
    wire._ERRORS.update(saved)


@pytest.fixture()
def known_out_of_stock():
    """Both sides' generated code allowed OutOfStock (a class of the monolith, known at generation time)."""
    wire.allow(errors=[f"{__name__}:OutOfStock"])


class OutOfStock(Exception):
    def __init__(self, sku: str) -> None:
        super().__init__(f"{sku} is out of stock")
        self.sku = sku


def test_env_name():
    assert env_name("catalog") == "DECOMPOSE_URL_CATALOG"
    assert env_name("order-history.v2") == "DECOMPOSE_URL_ORDER_HISTORY_V2"


def test_call_posts_encoded_arguments_and_returns_the_decoded_result(catalog):
    catalog.answers = [(200, {"result": {"$tuple": [1, {"$decimal": "9.99"}]}})]
    get_product = Service("catalog").function(TARGET, idempotent=True)
    assert get_product.__name__ == "get_product"
    result = get_product(7, (1, 2), fields={"name", "price"})
    assert result == (1, decimal.Decimal("9.99"))
    [request] = catalog.requests
    assert request["path"] == CALL_PATH + TARGET
    assert request["body"] == {"args": [7, {"$tuple": [1, 2]}], "kwargs": {"fields": {"$set": ["name", "price"]}}}
    assert request["headers"]["Content-Type"] == "application/json"
    assert SECRET_HEADER not in request["headers"]


def test_remote_builtin_error_is_reraised_as_its_class(catalog):
    catalog.answers = [(200, {"error": wire.encode_error(LookupError("no product 7"))})]
    with pytest.raises(LookupError, match="no product 7"):
        Service("catalog").function(TARGET, idempotent=True)(7)


def test_remote_custom_error_is_reraised_with_its_attributes(catalog, known_out_of_stock):
    catalog.answers = [(200, {"error": wire.encode_error(OutOfStock("sku-1"))})]
    with pytest.raises(OutOfStock) as info:
        Service("catalog").function(TARGET, idempotent=False)(7)
    assert info.value.sku == "sku-1"


def test_remote_error_maps_to_the_class_made_by_exception(catalog):
    remote = Service("catalog").exception("pkg.shop:ShopError")
    assert issubclass(remote, wire.RemoteError) and remote.__name__ == "ShopError"
    catalog.answers = [(200, {"error": {"$error": "pkg.shop:ShopError", "args": ["closed"], "state": {}}})]
    with pytest.raises(remote) as info:
        Service("catalog").function(TARGET, idempotent=True)()
    assert info.value.args == ("closed",)


class CheckoutError(Exception):
    """The monolith's class, as the service that owns it (and catches it) has it."""


def test_a_stand_in_raised_here_travels_as_the_class_it_stands_for(catalog):
    # zoo django_syspath_apps: place_order (service catalog) raises orders' CheckoutError, which the orders
    # view catches: catalog raises its stand-in, and orders must get its own CheckoutError back, not a RemoteError
    origin = f"{__name__}:CheckoutError"
    stand_in = Service("orders").exception(origin)
    assert f"{stand_in.__module__}:{stand_in.__qualname__}" == origin
    encoded = wire.encode_error(stand_in("cart is empty"))
    assert encoded == {"$error": origin, "args": ["cart is empty"], "state": {}}
    wire.register_error(origin, CheckoutError)  # the catching side: the real class under that name
    catalog.answers = [(200, {"error": encoded})]
    with pytest.raises(CheckoutError, match="^cart is empty$"):
        Service("catalog").function(TARGET, idempotent=False)()


def test_idempotent_call_retries_on_503_then_succeeds(catalog):
    catalog.answers = [(503, {}), (503, {}), (200, {"result": "ok"})]
    assert Service("catalog").function(TARGET, idempotent=True)() == "ok"
    assert len(catalog.requests) == 3


def test_idempotent_call_gives_up_after_three_attempts(catalog):
    catalog.answers = [(502, {})]
    with pytest.raises(ServiceUnavailable, match="'catalog' answered 502 to pkg.shop:get_product"):
        Service("catalog").function(TARGET, idempotent=True)()
    assert len(catalog.requests) == 3


def test_non_idempotent_call_is_sent_once(catalog):
    catalog.answers = [(503, {}), (200, {"result": "ok"})]
    with pytest.raises(ServiceUnavailable, match="answered 503"):
        Service("catalog").function("pkg.shop:buy", idempotent=False)()
    assert len(catalog.requests) == 1


def test_answer_that_is_neither_result_nor_error(catalog):
    catalog.answers = [(500, b"Internal Server Error")]
    with pytest.raises(RemoteCallError, match="'catalog' answered 500"):
        Service("catalog").function(TARGET, idempotent=True)()
    assert len(catalog.requests) == 1


def test_a_deeply_nested_answer_is_a_remote_call_error_not_a_recursion_error(catalog):
    catalog.answers = [(200, b"[" * 100_000 + b"]" * 100_000)]
    with pytest.raises(RemoteCallError, match="'catalog' answered 200"):
        Service("catalog").function(TARGET, idempotent=True)()


def test_a_result_nested_deeper_than_the_wire_allows_is_a_wire_error(catalog):
    catalog.answers = [(200, {"result": json.loads("[" * 70 + "]" * 70)})]
    with pytest.raises(wire.WireError, match="nests more than 64 levels"):
        Service("catalog").function(TARGET, idempotent=True)()


def test_refused_connection_names_the_service(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("DECOMPOSE_URL_CATALOG", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("DECOMPOSE_CALL_TIMEOUT", "5")
    with pytest.raises(ServiceUnavailable) as info:
        Service("catalog").function(TARGET, idempotent=False)()
    assert "service 'catalog'" in str(info.value)
    assert f"127.0.0.1:{port}" in str(info.value)


def test_missing_url_says_which_variable_to_set(monkeypatch):
    monkeypatch.delenv("DECOMPOSE_URL_ORDER_HISTORY", raising=False)
    with pytest.raises(ServiceUnavailable) as info:
        Service("order-history").function(TARGET, idempotent=False)()
    assert str(info.value) == "no address for service 'order-history': set DECOMPOSE_URL_ORDER_HISTORY"


def test_secret_header_is_sent_when_configured(catalog, monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", "s3cret")
    Service("catalog").function(TARGET, idempotent=True)()
    assert catalog.requests[0]["headers"][SECRET_HEADER] == "s3cret"


def test_unencodable_argument_fails_before_any_request(catalog):
    with pytest.raises(wire.WireError, match=r"^arguments\[1\]\['x'\] is a builtins.object"):
        Service("catalog").function(TARGET, idempotent=True)(1, {"x": object()})
    assert catalog.requests == []


def test_unavailable_raises_manual_work_required_with_the_reason():
    stub = Service("catalog").unavailable("pkg.shop:upload", "it takes an open file")
    assert stub.__name__ == "upload"
    with pytest.raises(ManualWorkRequired) as info:
        stub(open)
    assert "pkg.shop:upload lives in service 'catalog'" in str(info.value)
    assert "it takes an open file" in str(info.value)
