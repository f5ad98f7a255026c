"""The request target, checked and normalised once, the request's head checked, and the upstream
URL built from them.

The gateway matches a route on exactly the path it sends upstream, so the two can never disagree
(a raw `/x/../api/cart` matched as `/x/...` but sent as `/api/cart` reached the wrong side):

- Only origin-form targets are proxied: a path that starts with `/`. An absolute-form target
  (`http://other/x`), `*`, an authority (`host:port`) or anything else (`@host:port/x`, `:port/x`,
  `.evil.example/x`) is refused with 400: the gateway forwards only to its configured upstreams.
- Percent-escapes of unreserved characters (`%7E`, `%2E`) are decoded, other escapes keep their
  byte with upper-case hex, and a byte a path cannot hold raw (`"`, `|`, `{`...) is escaped.
- Dot-segments (`.` and `..`, also written `%2E`) are removed once, as RFC 3986 section 5.2.4 says.
- An encoded `/` or `\\` (`%2F`, `%5C`), a raw `\\` and an encoded NUL are refused with 400: servers
  disagree on whether `a%2Fb` is one segment or two, so no single reading can be both matched and sent.
- A target longer than MAX_TARGET bytes answers 414; a malformed escape (`%zz`) 400.
- The head (check_head): both Content-Length and Transfer-Encoding, or two Content-Lengths, answer 400
  (the classic request smuggling: two readers of one message disagree where it ends); a control
  character in a header answers 400; headers over MAX_HEAD bytes together answer 431.

The upstream URL is the configured upstream's scheme, host, port and path prefix plus this path and
the raw query, never a string concatenation: no target can change the host or add credentials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from decompose.errors import UserError

MAX_TARGET = 16384  # bytes of path and query; browsers and API Gateway stay far below
MAX_HEAD = 65536  # bytes of all header names and values together
CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # in a header: only HTAB of the controls is allowed
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
PCHAR = UNRESERVED | frozenset(b"!$&'()*+,;=:@")  # RFC 3986 pchar, besides escapes
REFUSED = {0x00: "an encoded NUL", 0x2F: "an encoded '/' (%2F)", 0x5C: "an encoded '\\' (%5C)"}
ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")


class Refused(Exception):
    """A request the gateway answers itself, without asking any upstream."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def normalise(raw_path: bytes, query: bytes = b"") -> str:
    """The path to match and to send: escapes made canonical, dot-segments removed. Raises Refused."""
    if len(raw_path) + len(query) > MAX_TARGET:
        raise Refused(414, f"the request target is longer than {MAX_TARGET} bytes")
    if not raw_path.startswith(b"/"):
        raise Refused(400, "the request target must be a path starting with '/' (origin-form); this gateway is not a forward proxy")
    if b"\\" in raw_path:
        raise Refused(400, "the path holds a '\\', which servers read differently")
    segments = [_segment(s) for s in raw_path[1:].split(b"/")]
    return "/" + "/".join(_without_dots(segments))


def check_head(headers: list[tuple[bytes, bytes]]) -> None:
    """Raises Refused for a head the gateway will not pass on (names lower-case, as ASGI gives them)."""
    if sum(len(name) + len(value) for name, value in headers) > MAX_HEAD:
        raise Refused(431, f"the request's headers are larger than {MAX_HEAD} bytes together")
    names = [name for name, _ in headers]
    if b"transfer-encoding" in names and b"content-length" in names:
        raise Refused(400, "the request has both Content-Length and Transfer-Encoding")
    if names.count(b"content-length") > 1:
        raise Refused(400, "the request has more than one Content-Length")
    if any(CONTROL.search(name) or CONTROL.search(value) for name, value in headers):
        raise Refused(400, "a request header holds a control character")


def _segment(raw: bytes) -> str:
    out, at = [], 0
    while at < len(raw):
        byte = raw[at]
        if byte == 0x25:  # %
            found = ESCAPE.match(raw, at)
            if found is None:
                raise Refused(400, "the path holds a '%' that is not an escape (%XX)")
            value = int(found.group(1), 16)
            if value in REFUSED:
                raise Refused(400, f"the path holds {REFUSED[value]}, which servers read differently; send it unencoded or not at all")
            out.append(chr(value) if value in UNRESERVED else f"%{value:02X}")
            at += 3
        else:
            out.append(chr(byte) if byte in PCHAR else f"%{byte:02X}")
            at += 1
    return "".join(out)


def _without_dots(segments: list[str]) -> list[str]:
    """RFC 3986 remove_dot_segments on a path split at '/': `..` never climbs above the root."""
    kept: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment in (".", ".."):
            if segment == ".." and kept:
                kept.pop()
            if last:
                kept.append("")  # `/a/b/..` is `/a/`, a directory
        else:
            kept.append(segment)
    return kept


@dataclass(frozen=True)
class Upstream:
    """A configured upstream's base URL, taken apart once: the only place requests go."""

    name: str
    scheme: str
    host: str
    port: int | None
    prefix: bytes  # a base path such as API Gateway's stage (`/api`), without its trailing '/'

    @classmethod
    def parse(cls, name: str, url: str) -> Upstream:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as error:
            raise UserError(f"{name}: {url!r} is not a URL ({error})", 'give a base URL such as "http://127.0.0.1:8001"') from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise UserError(f"{name}: {url!r} is not an http(s) base URL", 'give a base URL such as "http://127.0.0.1:8001"')
        if parsed.userinfo or parsed.query or parsed.fragment:
            raise UserError(f"{name}: {url!r} holds credentials, a query or a fragment",
                            "give only scheme, host, port and an optional base path; upstreams check their own credentials")
        return cls(name, parsed.scheme, parsed.host, parsed.port, parsed.raw_path.rstrip(b"/"))

    def url(self, path: str, query: bytes = b"") -> httpx.URL:
        """This upstream's URL for a path from normalise() (which httpx then leaves as it is)."""
        raw = self.prefix + path.encode("ascii") + (b"?" + query if query else b"")
        return httpx.URL(scheme=self.scheme, host=self.host, port=self.port, raw_path=raw)
