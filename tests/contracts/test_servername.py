"""decompose_runtime.servername: a Flask app configured with SERVER_NAME gets that Host on requests from this
machine, as its suite's test client sent it (CTFd's TestingConfig: SERVER_NAME = "localhost"; on Flask 2.x
a replay on 127.0.0.1:<port> did not match it, and its /setup answered 302 instead of 200 in every scenario)."""

from decompose.generation.runtime.servername import as_tested, wrapped


class App:
    """A WSGI app with a Flask-style config (Flask 3.1 no longer refuses another Host: what it is given is
    what is checked)."""

    def __init__(self, server_name: str | None) -> None:
        self.config = {"SERVER_NAME": server_name}
        self.hosts: list[str] = []

    def __call__(self, environ, start_response):
        self.hosts.append(environ.get("HTTP_HOST", ""))
        start_response("200 OK", [])
        return [b""]


def test_a_loopback_host_gets_the_configured_server_name() -> None:
    app = App("localhost")
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000"):
        wrapped(app)({"HTTP_HOST": host}, lambda *args: None)
    assert app.hosts == ["localhost"] * 3


def test_any_other_host_or_an_app_without_server_name_is_left_alone() -> None:
    environ = {"HTTP_HOST": "shop.example.com"}
    assert as_tested(App("localhost"), environ) is environ  # a deployed service's Host is its own
    loopback = {"HTTP_HOST": "127.0.0.1:8000"}
    assert as_tested(App(None), loopback) is loopback
    assert as_tested(object(), loopback) is loopback  # not a Flask app: no config
