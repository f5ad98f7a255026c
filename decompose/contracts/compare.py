"""Compare two answers to the same request, ignoring what is noise (after Twitter's Diffy).

Noise is found, not configured: the same request sequence is sent twice to the reference (two
fresh monoliths), and every field whose value differs between the two runs is *volatile*
(timestamps, tokens, random ids). A candidate's answer must then equal the reference's everywhere
except on volatile fields.

A field is named by a JSON path (`$.user.created_at`, `$.items[0].id`); headers are
`header:<name>`, cookies `cookie:<name>`; a body that is not JSON is compared as bytes (`$`). In an HTML
body, a long token a page hands the client to send back (a CSRF nonce: `'csrfNonce': "<hex>"` in a script,
`<input name="nonce" value="...">`, `<meta name="csrf-token" content="...">`) is a field of its own,
`$html:<name>`, and `$` holds the body with it replaced by `{{html:<name>}}`: a nonce drawn per session is
one volatile field the replay binds (decompose.contracts.binding), not a whole page that cannot be compared.
A session the server keeps (the cookie holds an id) shows its long string values, in the contract world only,
in an `X-Decompose-Session` header (decompose_runtime.sessionview): each is a field `session:$.<key>`, which the
replay binds where a later request sends it back and which is never compared (a deployed target shows none).
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from decompose.generation.runtime import sessionview

HEADERS_THAT_MATTER = ("content-type", "location", "content-disposition", "cache-control", "etag", "www-authenticate")
MISSING = object()
SESSION = "session:$."  # a server-side session's value (sessionview): bound, never compared
LAMBDA_DEFAULT_TYPE = "application/json"  # what API Gateway and chalice local give an answer without a Content-Type
_TOKEN = rb"[A-Za-z0-9_\-+/=]{16,}"  # as long as a token: nonces, CSRF tokens, signed values
HTML_TOKENS = (  # (name, value) of what a page hands the client to send back
    re.compile(rb"""<input\b[^>]*?\bname=["']([\w-]+)["'][^>]*?\bvalue=["'](""" + _TOKEN + rb""")["']"""),
    re.compile(rb"""<meta\b[^>]*?\bname=["']([\w-]+)["'][^>]*?\bcontent=["'](""" + _TOKEN + rb""")["']"""),
    re.compile(rb"""["']?([A-Za-z_]\w*)["']?\s*:\s*["'](""" + _TOKEN + rb""")["']"""),
)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]  # lower-case names, in order, repeated names kept
    body: bytes

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    answer: Answer

    @property
    def request(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Difference:
    index: int
    request: str
    where: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"#{self.index} {self.request}: {self.said()}"

    def said(self, expected: str = "expected", actual: str = "got") -> str:
        """`$.name: expected 'a', got 'b'`, with the sides named as the caller names them."""
        before, after = show_pair(self.expected, self.actual)
        return f"{self.where}: {expected} {before}, {actual} {after}"


@dataclass
class Comparison:
    differences: list[Difference] = field(default_factory=list)
    compared: int = 0

    @property
    def equal(self) -> bool:
        return not self.differences


def fields(answer: Answer) -> dict[str, Any]:
    """Everything about an answer that a client can depend on, flattened to path -> value."""
    found: dict[str, Any] = {"status": answer.status}
    for name in HEADERS_THAT_MATTER:
        values = answer.header(name)
        if values:
            found[f"header:{name}"] = values[0] if len(values) == 1 else values
    for raw in answer.header("set-cookie"):
        found.update(_cookie(raw))
    for raw in answer.header(sessionview.HEADER.lower()):
        found.update((f"{SESSION}{key}", value) for key, value in _tokens(sessionview.decode(raw)).items())
    body = json_body(answer, MISSING)
    if body is MISSING and "html" in (answer.header("content-type") or [""])[0]:
        found.update(html_fields(answer.body))
    elif body is MISSING:
        found["$"] = answer.body
    else:
        _flatten(body, "$", found)
    return found


def html_fields(body: bytes) -> dict[str, Any]:
    """`$html:<name>` for each token the page hands out (the n-th of a name: `$html:<name>#n`), and `$`: the
    body with each replaced by `{{html:<name>}}`, so the rest of the page is still compared byte for byte."""
    found: dict[str, Any] = {}
    tokens: dict[bytes, str] = {}
    for pattern in HTML_TOKENS:
        for match in pattern.finditer(body):
            name, value = match.group(1).decode("ascii"), match.group(2)
            if value in tokens:
                continue
            seen = sum(1 for key in found if key == f"$html:{name}" or key.startswith(f"$html:{name}#"))
            key = f"$html:{name}" + (f"#{seen + 1}" if seen else "")
            found[key], tokens[value] = value.decode("ascii"), key
    masked = body
    for value in sorted(tokens, key=lambda v: (-len(v), v)):  # longest first: no token is cut by a shorter one
        masked = masked.replace(value, b"{{" + tokens[value][1:].encode("ascii") + b"}}")
    found["$"] = masked
    return found


def volatile(first: list[Exchange], second: list[Exchange]) -> list[set[str]]:
    """Per exchange, the fields that differ between two runs of the same sequence on the reference."""
    if [e.request for e in first] != [e.request for e in second]:
        raise ValueError("the two reference runs sent different requests; noise needs the same sequence twice")
    return [_differing(fields(a.answer), fields(b.answer)) for a, b in zip(first, second)]


def compare(expected: list[Exchange], actual: list[Exchange], noise: list[set[str]]) -> Comparison:
    result = Comparison()
    for index, (want, got) in enumerate(zip(expected, actual)):
        if want.request != got.request:
            result.differences.append(Difference(index, want.request, "request", want.request, got.request))
            break
        result.compared += 1
        result.differences.extend(differences(index, want, got, noise[index].__contains__))
    if len(expected) != len(actual):
        result.differences.append(Difference(result.compared, "sequence", "length", len(expected), len(actual)))
    return result


def differences(index: int, want: Exchange, got: Exchange, noise: Callable[[str], bool],
                ignored: Callable[[str], bool] = lambda where: False) -> list[Difference]:
    """Where got's answer differs from want's. A `noise` field may change its value but not appear or
    vanish; an `ignored` field (and everything under it) is not compared at all."""
    left, right = fields(want.answer), fields(got.answer)
    differing = {where for where in _differing(left, right)
                 if not ignored(where) and not private(where)
                 and not _only_ignored_keys(where, left.get(where), right.get(where), ignored)
                 and not (noise(where) and where in left and where in right)
                 and not _type_of_nothing(where, want.answer, got.answer)}
    return [Difference(index, want.request, where, left.get(where, MISSING), right.get(where, MISSING))
            for where in sorted(differing, key=_order) if not _inside_absent(where, differing, left, right)]


def private(where: str) -> bool:
    """A field no client sees (the server's session, shown only in the contract world): bound, never compared."""
    return where.startswith(SESSION)


def _type_of_nothing(where: str, want: Answer, got: Answer) -> bool:
    """A Content-Type on an empty body where the recorded empty answer had none (DRF's 204s): API Gateway
    REST and `chalice local` give every Lambda answer without one `application/json`, and an empty body
    has no type a client can read; any other Content-Type, or one on a body, is still compared."""
    return (where == "header:content-type" and not want.body and not got.body and not want.header("content-type")
            and got.header("content-type") == [LAMBDA_DEFAULT_TYPE])


def _only_ignored_keys(where: str, left: Any, right: Any, ignored: Callable[[str], bool]) -> bool:
    """An object whose keys differ only by ignored keys (a `took_ms` the user ignores) is not a difference."""
    if not (isinstance(left, tuple) and isinstance(right, tuple) and left[0] == right[0] == "object"):
        return False
    return all(ignored(f"{where}.{key}") for key in set(left[1]) ^ set(right[1]))


def _inside_absent(where: str, differing: set[str], left: dict[str, Any], right: dict[str, Any]) -> bool:
    """`$.order.id` when `$.order` itself is absent on one side: the container's line says it all."""
    return any(parent in differing and (parent not in left or parent not in right) for parent in _parents(where))


def _parents(where: str) -> list[str]:
    cuts = [i for i, c in enumerate(where) if c in ".[" and i > 0]
    return [where[:i] for i in cuts]


def _differing(left: dict[str, Any], right: dict[str, Any]) -> set[str]:
    return {key for key in left.keys() | right.keys() if left.get(key, MISSING) != right.get(key, MISSING)}


def json_body(answer: Answer, otherwise: Any = None) -> Any:
    """The answer's body parsed, when it says it is JSON and is; else `otherwise`."""
    kind = (answer.header("content-type") or [""])[0]
    if "json" not in kind:
        return otherwise
    try:
        return json.loads(answer.body)
    except ValueError:
        return otherwise


def _flatten(value: Any, path: str, into: dict[str, Any]) -> None:
    """Leaves by path; containers also record their shape, so a missing key or item is a difference."""
    if isinstance(value, dict):
        into[path] = ("object", tuple(sorted(value)))
        for key, item in value.items():
            _flatten(item, f"{path}.{key}", into)
    elif isinstance(value, list):
        into[path] = ("array", len(value))
        for number, item in enumerate(value):
            _flatten(item, f"{path}[{number}]", into)
    else:
        into[path] = value


def _cookie(raw: str) -> dict[str, Any]:
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001  (a malformed cookie is compared as its raw text)
        return {f"cookie:{raw.split('=', 1)[0].strip()}": raw}
    found: dict[str, Any] = {}
    for name, morsel in jar.items():
        found[f"cookie:{name}"] = morsel.value
        attributes = tuple(sorted((k, str(v)) for k, v in morsel.items() if v))
        found[f"cookie:{name}:attributes"] = attributes
        found.update((f"cookie:{name}:$.{key}", value) for key, value in signed_payload(morsel.value).items())
    return found


def signed_payload(value: str) -> dict[str, str]:
    """The long string tokens of a signed, unencrypted cookie's payload (Flask's session: itsdangerous'
    `[.]<base64 JSON>.<timestamp>.<signature>`, a leading dot when zlib-compressed): CTFd's login draws a
    new CSRF nonce that only the session carries, and the suite sends it back in a header. Readable, never
    verified (no secret is needed to read it); anything else gives nothing."""
    compressed, body = value.startswith("."), value.lstrip(".")
    parts = body.split(".")
    if len(parts) != 3:
        return {}
    try:
        raw = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4))
        payload = json.loads(zlib.decompress(raw) if compressed else raw)
    except (ValueError, zlib.error):
        return {}
    return _tokens(payload) if isinstance(payload, dict) else {}


def _tokens(values: dict) -> dict[str, str]:
    """The values of `values` that look like tokens (long, no spaces), by key."""
    return {key: item for key, item in sorted(values.items())
            if isinstance(key, str) and isinstance(item, str) and re.fullmatch(_TOKEN.decode(), item)}


def _order(where: str) -> tuple[int, str]:
    return (0 if where == "status" else 1 if where.startswith(("header:", "cookie:")) else 2, where)


def is_shape(value: Any) -> bool:
    """A compare.fields value that stands for a container: ("object", keys) or ("array", length)."""
    return isinstance(value, tuple) and len(value) == 2 and value[0] in ("object", "array")


def show_pair(expected: Any, actual: Any, limit: int = 160) -> tuple[str, str]:
    """Two values as `show` says them; two long texts (a page, a message) that share a beginning are
    shown from a little before their first difference, which `show` alone cut off (two pages of
    CTFd differed after 160 identical characters: the reader saw the same text twice)."""
    same = isinstance(expected, (str, bytes)) and type(expected) is type(actual)
    if not same or max(len(repr(expected)), len(repr(actual))) <= limit:
        return show(expected, limit), show(actual, limit)
    at = next((i for i, (a, b) in enumerate(zip(expected, actual)) if a != b), min(len(expected), len(actual)))
    start = max(0, at - 40)
    return _from(expected, start, limit), _from(actual, start, limit)


def _from(value: str | bytes, start: int, limit: int) -> str:
    if not start:
        return show(value, limit)
    text = repr(value[start:])
    text = text if len(text) <= limit else text[:limit - 3] + "..."
    return f"(from {'byte' if isinstance(value, bytes) else 'character'} {start}) ...{text}"


def show(value: Any, limit: int = 160) -> str:
    """A compare.fields value as a reader says it: (absent), an object with keys a, b, an array of 2 items, 'text'."""
    if value is MISSING:
        return "(absent)"
    if is_shape(value):
        if value[0] == "object":
            return f"an object with keys {', '.join(value[1]) or '(none)'}"
        return f"an array of {value[1]} item{'' if value[1] == 1 else 's'}"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
