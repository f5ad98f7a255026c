"""The monolith's host (decompose.gateway.host, decompose_runtime.host on the monolith's path) serves an
ASGI app on the standard library's server when the monolith's environment has no uvicorn."""

from __future__ import annotations

import io
from pathlib import Path
from wsgiref.util import setup_testing_defaults

from decompose.gateway.host import Hosted, _asgi_on_wsgi, _scope
from tests.helpers import write_tree

APP = '''
seen = []


async def serve(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                seen.append("startup")
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = (await receive())["body"]
    headers = dict(scope["headers"])
    answer = f"{scope['method']} {scope['path']}?{scope['query_string'].decode()} {headers[b'x-who'].decode()} {body.decode()}"
    await send({"type": "http.response.start", "status": 201,
                "headers": [(b"content-type", b"text/plain"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": (answer + " " + ",".join(seen)).encode()})


class App:  # an app object (a plain function would be taken for a factory)
    async def __call__(self, scope, receive, send):
        await serve(scope, receive, send)


app = App()
'''


def call(wsgi, method: str, path: str, query: str, body: bytes, headers: dict[str, str]):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path.encode().decode("latin-1"),  # as PEP 3333 says
               "QUERY_STRING": query, "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "text/plain",
               **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}}
    setup_testing_defaults(environ)
    answered = {}

    def start_response(status, headers):
        answered.update(status=status, headers=headers)

    return answered, b"".join(wsgi(environ, start_response))


def test_an_asgi_app_is_served_through_wsgi_with_its_lifespan_started(tmp_path: Path):
    write_tree(tmp_path, {"shop_asgi.py": APP})
    hosted = Hosted("shop_asgi:app", tmp_path)
    answered, body = call(_asgi_on_wsgi(hosted), "POST", "/cart/é", "a=1", b"tea", {"X-Who": "ann"})
    assert body == "POST /cart/é?a=1 ann tea startup".encode()
    assert answered["status"] == "201 Created"
    assert answered["headers"] == [("content-type", "text/plain")]  # hop-by-hop headers are the server's


def test_the_scope_carries_the_body_s_headers():
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "CONTENT_TYPE": "application/json", "HTTP_ACCEPT": "*/*"}
    setup_testing_defaults(environ)
    scope = _scope(environ)
    assert (b"content-type", b"application/json") in scope["headers"] and (b"accept", b"*/*") in scope["headers"]
    assert scope["type"] == "http" and scope["http_version"] == "1.0" and scope["root_path"] == ""
