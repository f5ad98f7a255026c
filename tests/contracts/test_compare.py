"""Noise found by running the reference twice; differences outside the noise reported by field."""

import json

import pytest

from decompose.contracts.compare import Answer, Exchange, compare, fields, show_pair, volatile


def answer(status: int = 200, body: object = None, *headers: tuple[str, str], raw: bytes | None = None) -> Answer:
    if raw is None:
        return Answer(status, (("content-type", "application/json"), *headers), json.dumps(body).encode())
    return Answer(status, (("content-type", "image/png"), *headers), raw)


def run(*answers: Answer) -> list[Exchange]:
    return [Exchange("GET", f"/r/{i}", a) for i, a in enumerate(answers)]


def test_fields_flatten_json_headers_and_cookies():
    got = fields(answer(201, {"user": {"id": 1, "tags": ["a"]}}, ("location", "/users/1"),
                        ("set-cookie", "theme=dark; Path=/; SameSite=Lax"), ("date", "Mon")))
    assert got["status"] == 201 and got["header:location"] == "/users/1"
    assert got["$.user.id"] == 1 and got["$.user.tags"] == ("array", 1) and got["$.user.tags[0]"] == "a"
    assert got["cookie:theme"] == "dark" and ("samesite", "Lax") in got["cookie:theme:attributes"]
    assert "header:date" not in got  # a header no client depends on


def test_a_non_json_body_is_compared_as_bytes():
    assert fields(answer(raw=b"\x89PNG"))["$"] == b"\x89PNG"
    broken = Answer(200, (("content-type", "application/json"),), b"{not json")
    assert fields(broken)["$"] == b"{not json"


def test_noise_is_what_differs_between_two_reference_runs():
    first = run(answer(body={"token": "abc", "user": {"id": 1, "created_at": "10:00"}}))
    second = run(answer(body={"token": "xyz", "user": {"id": 1, "created_at": "10:01"}}))
    assert volatile(first, second) == [{"$.token", "$.user.created_at"}]


def test_noise_needs_the_same_requests_twice():
    with pytest.raises(ValueError, match="same sequence"):
        volatile(run(answer(body={})), run(answer(body={}), answer(body={})))


def test_equal_except_noise_is_equal():
    reference = run(answer(body={"token": "abc", "id": 1}))
    candidate = run(answer(body={"token": "zzz", "id": 1}))
    assert compare(reference, candidate, [{"$.token"}]).equal


@pytest.mark.parametrize(("candidate", "where"), [
    (answer(500, {"id": 1}), "status"),
    (answer(200, {"ident": 1}), "$"),  # a field renamed changes the object's keys
    (answer(200, {"id": "1"}), "$.id"),
    (answer(200, {"id": 1}, ("set-cookie", "theme=light")), "cookie:theme"),
    (Answer(200, (("content-type", "text/html"),), b'{"id": 1}'), "header:content-type"),
])
def test_each_kind_of_difference_is_named(candidate, where):
    result = compare(run(answer(body={"id": 1})), run(candidate), [set()])
    assert not result.equal
    assert where in {d.where for d in result.differences}
    assert "#0 GET /r/0" in str(result.differences[0])


def test_an_absent_container_is_one_difference_not_one_per_field():
    result = compare(run(answer(body={"order": {"id": 1, "items": [{"q": 2}]}})), run(answer(body={"error": "x"})), [set()])
    assert sorted(d.where for d in result.differences) == ["$", "$.error", "$.order"]


def test_a_shorter_sequence_is_a_difference():
    result = compare(run(answer(body={}), answer(body={})), run(answer(body={})), [set(), set()])
    assert result.compared == 1
    assert [(d.where, d.expected, d.actual) for d in result.differences] == [("length", 2, 1)]


def test_the_lambda_content_type_on_an_empty_answer_is_not_a_difference():
    """DRF's 204 has no Content-Type; API Gateway and chalice local give it application/json."""
    recorded = run(Answer(204, (), b""))
    through_chalice = run(Answer(204, (("content-type", "application/json"),), b""))
    assert compare(recorded, through_chalice, [set()]).equal


@pytest.mark.parametrize("candidate", [
    Answer(204, (("content-type", "text/html"),), b""),            # another type than Lambda's default
    Answer(200, (("content-type", "application/json"),), b"{}"),   # a body: its type matters
])
def test_a_content_type_that_is_not_lambdas_default_on_nothing_still_differs(candidate):
    result = compare(run(Answer(204, (), b"")), run(candidate), [set()])
    assert "header:content-type" in {d.where for d in result.differences}


def test_an_html_page_s_nonce_is_its_own_field_and_the_rest_of_the_page_is_still_compared():
    from decompose.contracts.compare import Answer, Exchange, differences, fields

    page = b'<script>init({"csrfNonce": "%s"})</script><input type="hidden" name="nonce" value="%s"><p>%s</p>'

    def html(nonce: bytes, text: bytes = b"Scoreboard") -> Exchange:
        return Exchange("GET", "/", Answer(200, (("content-type", "text/html"),), page % (nonce, nonce, text)))

    first, second = html(b"a1" * 32), html(b"b2" * 32)
    assert fields(first.answer)["$html:nonce"] == "a1" * 32  # one field for one value, named where first found
    assert fields(first.answer)["$"] == fields(second.answer)["$"]  # the page, its nonce put aside
    noise = {"$html:nonce"}.__contains__
    assert differences(0, first, second, noise) == []
    changed = differences(0, first, html(b"c3" * 32, b"Challenges"), noise)
    assert [d.where for d in changed] == ["$"]  # any other change of the page is still one
    assert [d.where for d in differences(0, first, second, lambda where: False)] == ["$html:nonce"]


def test_a_server_side_session_s_values_are_fields_never_compared():
    """The contract world's X-Decompose-Session header (sessionview): its token-like values are `session:$.<key>`
    fields, for binding; a target that shows none (a deployed stage) or other values is not a difference."""
    from decompose.contracts.compare import differences
    from decompose.generation.runtime import sessionview

    shown = ("x-decompose-session", sessionview.encode({"csrf": "c" * 32, "user": "ada", "id": "7"}))
    recorded = Exchange("POST", "/signin", Answer(302, (("location", "/"), shown), b""))
    assert {k: v for k, v in fields(recorded.answer).items() if k.startswith("session:")} == {"session:$.csrf": "c" * 32}
    other = ("x-decompose-session", sessionview.encode({"csrf": "d" * 32}))
    for answer_ in (Answer(302, (("location", "/"),), b""), Answer(302, (("location", "/"), other), b"")):
        assert differences(0, recorded, Exchange("POST", "/signin", answer_), lambda where: False) == []


def test_two_long_texts_are_shown_from_just_before_their_first_difference():
    """Two CTFd pages differed after 160 identical characters, and the verify report showed the same
    beginning twice; the reader now sees where they part."""
    page = b"<!DOCTYPE html>\n<html>\n<head>\n" + b"  <meta charset='utf-8'>\n" * 12
    expected, actual = show_pair(page + b"<title>Scoreboard</title>", page + b"<title>Challenges</title>")
    parted = len(page) + len(b"<title>")
    assert expected.startswith(f"(from byte {parted - 40}) ...") and "Scoreboard" in expected
    assert actual.startswith(f"(from byte {parted - 40}) ...") and "Challenges" in actual
    assert show_pair("short", "shirt") == ("'short'", "'shirt'")  # short values as show says them
    assert show_pair(200, 500) == ("200", "500")
    cut = show_pair("a" * 200, "a" * 200 + "b")  # one ends where the other goes on
    assert cut[0].startswith("(from character 160)") and cut[1].endswith("b'")
