"""Variable binding: values one answer produced and later requests sent back (a login token, a
generated id, a slug) are captured from the target's own answers on replay, so a recorded
scenario runs against a fresh system.

A value is bound when it is a string of at least 6 characters that an answer produced (a body
field, a `Location` header, a cookie, or any field that differed between two recordings of the same
sequence, see compare.volatile) and a later request sent back. Values equal in both recordings are
bound too: a test suite often fixes its clock and token generator, and the target replayed against
(a service, a deployed stage) does not. Short values (`page=1`, `quantity=2`) are never bound, being
too likely to appear by chance; headers such as `Content-Type` are not answers' products.

    templates, bindings = bind(requests, answers, noise)
    values = {}
    for i, template in enumerate(templates):
        answer = send(render(template, values))           # {{name}} placeholders filled in
        values.update(capture(bindings, i, answer))       # what later requests need from answer i

A placeholder is `{{<exchange>:<field>}}`, e.g. `{{3:$.token}}`; it may sit inside a longer
string (`Authorization: Bearer {{3:$.token}}`), in the path, the query, a header or the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from decompose.contracts.compare import SESSION, Answer, fields

MIN_LENGTH = 6  # shorter values are too likely to appear by chance
PLACEHOLDER = re.compile(r"\{\{(\d+):([^}]+)\}\}")


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path and query, as sent
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass(frozen=True, order=True)
class Binding:
    source: int  # the exchange whose answer produces the value
    field: str  # where in that answer (a compare.fields key)
    used_by: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.source}:{self.field}"


class UnboundValue(LookupError):
    """A later request needs a value the target's earlier answer did not give."""


def bind(requests: list[Request], answers: list[Answer], noise: list[set[str]]) -> tuple[list[Request], list[Binding]]:
    produced: dict[str, tuple[int, str]] = {}  # value -> first (exchange, field) that produced it
    used: dict[tuple[int, str], set[int]] = {}
    templates: list[Request] = []
    for index, request in enumerate(requests):
        template = request
        for value, source in sorted(produced.items(), key=lambda item: -len(item[0])):  # longest first
            changed = _substitute(template, value, f"{{{{{source[0]}:{source[1]}}}}}")
            if changed != template:
                used.setdefault(source, set()).add(index)
                template = changed
        templates.append(template)
        found = fields(answers[index])
        for field in sorted(found):
            if field not in noise[index] and not _product(field):
                continue
            value = found[field]
            if isinstance(value, str) and len(value) >= MIN_LENGTH and value not in produced:
                produced[value] = (index, field)
    bindings = [Binding(source, field, tuple(sorted(users))) for (source, field), users in sorted(used.items())]
    return templates, bindings


def _product(field: str) -> bool:
    """Fields an answer produces for the client to send back: body values, Location, cookies, and what a
    server-side session holds (compare.SESSION: a suite reads it with `session_transaction()`)."""
    return (field.startswith(("$", SESSION)) or field == "header:location"
            or (field.startswith("cookie:") and not field.endswith(":attributes")))


def capture(bindings: list[Binding], index: int, answer: Answer) -> dict[str, str]:
    """The values answer `index` produces for later requests (missing ones are left out)."""
    wanted = [b for b in bindings if b.source == index]
    if not wanted:
        return {}
    found = fields(answer)
    return {b.name: found[b.field] for b in wanted if isinstance(found.get(b.field), str)}


def render(template: Request, values: dict[str, str]) -> Request:
    def fill(text: str) -> str:
        def one(match: re.Match) -> str:
            name = f"{match.group(1)}:{match.group(2)}"
            if name not in values:
                raise UnboundValue(f"exchange #{match.group(1)} did not answer {match.group(2)}, which this request sends back")
            return values[name]
        return PLACEHOLDER.sub(one, text)

    body = template.body
    if b"{{" in body:
        body = fill(body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
    return Request(template.method, fill(template.target), tuple((k, fill(v)) for k, v in template.headers), body)


def placeholders(template: Request) -> set[str]:
    text = " ".join([template.target, *(v for _, v in template.headers), template.body.decode("utf-8", "replace")])
    return {f"{m.group(1)}:{m.group(2)}" for m in PLACEHOLDER.finditer(text)}


def _substitute(request: Request, value: str, placeholder: str) -> Request:
    headers = tuple((k, v.replace(value, placeholder)) for k, v in request.headers)
    body = request.body
    encoded = value.encode("utf-8")
    if encoded in body:
        body = body.replace(encoded, placeholder.encode("utf-8"))
    return replace(request, target=request.target.replace(value, placeholder), headers=headers, body=body)
