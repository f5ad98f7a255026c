"""decompose_runtime.volatile: the generated tests compare answers byte for byte except for the tokens the
view itself answers differently each time (CTFd's per-session CSRF nonce in every page)."""

from decompose.generation.runtime.volatile import MASK, comparable

PAGE = b'<script>init({"csrfNonce": "%s", "userMode": "users"})</script><a href="/static/abcdef0123456789abcd.js">'


def test_a_nonce_the_view_changes_each_time_is_masked_and_the_rest_still_compared() -> None:
    first, again, got = (PAGE % (b"a1" * 32), PAGE % (b"b2" * 32), PAGE % (b"c3" * 32))
    expected, seen = comparable(first, again, got)
    assert expected == seen == PAGE % MASK  # the stable long token (the asset's hash) is kept as it is


def test_any_other_difference_still_fails() -> None:
    first, again = PAGE % (b"a1" * 32), PAGE % (b"b2" * 32)
    expected, seen = comparable(first, again, (PAGE % (b"c3" * 32)).replace(b"users", b"teams"))
    assert expected != seen
    stable_changed = (PAGE % (b"c3" * 32)).replace(b"abcdef0123456789abcd", b"0000000000000000ffff")
    assert comparable(first, again, stable_changed)[0] != comparable(first, again, stable_changed)[1]


def test_a_view_that_answers_the_same_twice_or_varies_by_more_than_tokens_is_compared_raw() -> None:
    assert comparable(b"same", b"same", b"other") == (b"same", b"other")
    first, again = PAGE % (b"a1" * 32), (PAGE % (b"b2" * 32)).replace(b"users", b"teams")
    assert comparable(first, again, b"x") == (first, b"x")
