"""Variable binding on a hand-made login-then-use sequence."""

import json

import pytest

from decompose.contracts.binding import Request, UnboundValue, bind, capture, placeholders, render
from decompose.contracts.compare import Answer


def answer(body: object, *headers: tuple[str, str]) -> Answer:
    return Answer(200, (("content-type", "application/json"), *headers), json.dumps(body).encode())


REQUESTS = [
    Request("POST", "/login", (("content-type", "application/json"),), b'{"email": "a@b.c"}'),
    Request("GET", "/me", (("authorization", "Bearer tok-123456"),)),
    Request("POST", "/orders/ord-abcdef/pay?session=tok-123456", (("authorization", "Bearer tok-123456"),),
            b'{"order": "ord-abcdef", "quantity": 1}'),
]
ANSWERS = [answer({"token": "tok-123456", "user": {"id": 1}}), answer({"order": "ord-abcdef", "page": 1}),
           answer({"paid": True})]
NOISE = [{"$.token"}, {"$.order"}, set()]  # what differed between two recordings


def test_volatile_values_sent_back_later_become_placeholders():
    templates, bindings = bind(REQUESTS, ANSWERS, NOISE)
    assert templates[0] == REQUESTS[0]
    assert dict(templates[1].headers)["authorization"] == "Bearer {{0:$.token}}"
    assert templates[2].target == "/orders/{{1:$.order}}/pay?session={{0:$.token}}"
    assert templates[2].body == b'{"order": "{{1:$.order}}", "quantity": 1}'
    assert [(b.name, b.used_by) for b in bindings] == [("0:$.token", (1, 2)), ("1:$.order", (2,))]
    assert placeholders(templates[2]) == {"0:$.token", "1:$.order"}


def test_values_equal_in_both_recordings_are_bound_too():
    """A suite with a fixed token generator records the same token twice; a live target will not."""
    _, bindings = bind(REQUESTS, ANSWERS, [set(), set(), set()])
    assert [(b.name, b.used_by) for b in bindings] == [("0:$.token", (1, 2)), ("1:$.order", (2,))]


def test_short_values_and_transport_headers_are_never_bound():
    requests = [Request("GET", "/a"), Request("POST", "/b?page=1", (("content-type", "application/json"),),
                                                  b'{"etag": "W/1"}')]
    answers = [Answer(200, (("content-type", "application/json"), ("etag", "W/1")), b'{"page": 1, "n": "abc"}'),
               Answer(200, (), b"")]
    templates, bindings = bind(requests, answers, [{"header:etag", "$.page"}, set()])
    assert templates == requests and bindings == []


def test_replay_fills_in_the_targets_own_values():
    templates, bindings = bind(REQUESTS, ANSWERS, NOISE)
    values: dict[str, str] = {}
    fresh = [answer({"token": "new-999999"}), answer({"order": "ord-zzzzzz"}), answer({})]
    sent = []
    for index, template in enumerate(templates):
        request = render(template, values)
        sent.append(request)
        values.update(capture(bindings, index, fresh[index]))
    assert dict(sent[1].headers)["authorization"] == "Bearer new-999999"
    assert sent[2].target == "/orders/ord-zzzzzz/pay?session=new-999999"
    assert json.loads(sent[2].body) == {"order": "ord-zzzzzz", "quantity": 1}


def test_a_value_the_target_did_not_answer_is_a_clear_error():
    templates, bindings = bind(REQUESTS, ANSWERS, NOISE)
    values = capture(bindings, 0, answer({"error": "bad password"}))
    assert values == {}
    with pytest.raises(UnboundValue, match=r"exchange #0 did not answer \$.token"):
        render(templates[1], values)


def test_cookies_are_bound_like_body_fields():
    requests = [Request("POST", "/login"), Request("GET", "/me", (("cookie", "sid=s3cr3t-session"),))]
    answers = [Answer(204, (("set-cookie", "sid=s3cr3t-session; Path=/"),), b""), Answer(200, (), b"")]
    templates, bindings = bind(requests, answers, [{"cookie:sid"}, set()])
    assert dict(templates[1].headers)["cookie"] == "sid={{0:cookie:sid}}"
    assert capture(bindings, 0, Answer(204, (("set-cookie", "sid=another-one; Path=/"),), b"")) == {"0:cookie:sid": "another-one"}


NONCE_PAGE = b"<html><script>var init = {'urlRoot': \"\", 'csrfNonce': \"%s\"}</script><form>...</form></html>"


def _page(nonce: bytes) -> Answer:
    return Answer(200, (("content-type", "text/html; charset=utf-8"),), NONCE_PAGE % nonce)


def test_a_nonce_a_page_hands_out_is_bound_into_the_form_that_sends_it_back():
    """CTFd: GET /login renders the session's CSRF nonce in a script; the suite posts it back in the form
    (and a JSON call in a CSRF-Token header). Replayed, the target's own page gives the nonce to send."""
    recorded, fresh = b"a1" * 32, b"f0" * 32
    requests = [Request("GET", "/login"),
                Request("POST", "/login", (("content-type", "application/x-www-form-urlencoded"),),
                        b"name=user&password=password&nonce=" + recorded),
                Request("POST", "/api/v1/tokens", (("csrf-token", recorded.decode()),), b"{}")]
    answers = [_page(recorded), Answer(302, (("location", "/challenges"),), b""), Answer(200, (), b"{}")]
    templates, bindings = bind(requests, answers, [{"$html:csrfNonce"}, set(), set()])
    assert templates[1].body == b"name=user&password=password&nonce={{0:$html:csrfNonce}}"
    assert dict(templates[2].headers)["csrf-token"] == "{{0:$html:csrfNonce}}"
    values = capture(bindings, 0, _page(fresh))
    assert render(templates[1], values).body == b"name=user&password=password&nonce=" + fresh


def _session(payload: dict) -> str:
    """A Flask session cookie as itsdangerous signs it (the payload readable, zlib-compressed, dot first)."""
    import base64
    import zlib

    raw = base64.urlsafe_b64encode(zlib.compress(json.dumps(payload).encode())).rstrip(b"=").decode()
    return f".{raw}.axa6YA.vgazdY1X26ByzpnTWH1nomq7_Vo"


def test_a_nonce_only_the_session_cookie_carries_is_bound_into_the_header_that_sends_it_back():
    """CTFd's login draws a new nonce, shown in no page: the suite reads it from the session and sends it in a
    CSRF-Token header. The signed cookie's payload is read (never verified) for it."""
    recorded, fresh = "a1" * 32, "f0" * 32
    requests = [Request("POST", "/login", (), b"name=user"),
                Request("POST", "/api/v1/tokens", (("csrf-token", recorded),), b"{}")]
    answers = [Answer(302, (("set-cookie", f"session={_session({'nonce': recorded, 'id': 2})}; HttpOnly; Path=/"),), b""),
               Answer(200, (), b"{}")]
    templates, bindings = bind(requests, answers, [set(), set()])
    assert dict(templates[1].headers)["csrf-token"] == "{{0:cookie:session:$.nonce}}"
    replayed = Answer(302, (("set-cookie", f"session={_session({'nonce': fresh, 'id': 2})}; Path=/"),), b"")
    assert dict(render(templates[1], capture(bindings, 0, replayed)).headers)["csrf-token"] == fresh
    assert capture(bindings, 0, Answer(302, (("set-cookie", "session=not-signed; Path=/"),), b"")) == {}


def _shown(values: dict) -> tuple[str, str]:
    from decompose.generation.runtime import sessionview

    return ("x-decompose-session", sessionview.encode(values))


def test_a_token_a_server_side_session_holds_is_bound_into_the_header_that_sends_it_back():
    """The cookie holds only a session id (CTFd's CachingSessionInterface): the token the suite read with
    session_transaction() is seen in the X-Decompose-Session header the contract world adds (sessionview)."""
    recorded, fresh = "b2" * 24, "e3" * 24
    requests = [Request("POST", "/signin", (), b"name=grace"),
                Request("POST", "/api/todos", (("x-csrf-token", recorded),), b"{}")]
    answers = [Answer(302, (("set-cookie", "session=9f1c; Path=/"), _shown({"csrf": recorded, "user": "grace"})), b""),
               Answer(201, (), b"{}")]
    templates, bindings = bind(requests, answers, [set(), set()])
    assert dict(templates[1].headers)["x-csrf-token"] == "{{0:session:$.csrf}}"
    replayed = Answer(302, (_shown({"csrf": fresh}),), b"")
    assert dict(render(templates[1], capture(bindings, 0, replayed)).headers)["x-csrf-token"] == fresh
    assert capture(bindings, 0, Answer(302, (("x-decompose-session", "not base64 json"),), b"")) == {}
