"""Answers compared byte for byte, except for the tokens the view itself answers differently each time.

A page that carries a per-request or per-session value (CTFd's CSRF nonce in every page's
`csrfNonce: "..."`, a fresh session's id) differs between any two requests, through Chalice or not. The
generated tests ask the view a second time when the bodies differ: a long token (16 or more letters,
digits, `-`, `_`, `+`, `/`, `=`) found in both of the view's own answers is compared as it is, any other is
masked, in all three bodies. The rest must still be identical, and the view's two answers must be identical
once masked (else nothing is masked: a view that varies by more than such tokens is compared raw).
Standard library only: this runs in the services' own tests, on CPython 3.9 to 3.13.
"""
from __future__ import annotations

import re

TOKEN = re.compile(rb"[A-Za-z0-9_\-+/=]{16,}")
MASK = b"<volatile>"


def comparable(expected: bytes, again: bytes, got: bytes) -> tuple[bytes, bytes]:
    """(expected, got) with the tokens that differ between `expected` and `again` (the view's answers to
    the same request) masked; as they are when the view's answers differ by more than such tokens."""
    if expected == again:
        return expected, got
    stable = set(TOKEN.findall(expected)) & set(TOKEN.findall(again))

    def masked(body: bytes) -> bytes:
        return TOKEN.sub(lambda found: found.group(0) if found.group(0) in stable else MASK, body)

    if masked(expected) != masked(again):
        return expected, got
    return masked(expected), masked(got)
