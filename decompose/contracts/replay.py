"""Replay one recorded scenario against a target and check every answer.

    run = replay(scenario, routes, send, ignore)     # scenario and routes as in contracts/<service>.json;
                                                     # send(request, owning service) -> Answer
    run.passed, run.steps[i].problems, run.steps[i].ms

For each exchange, in order: the request template is filled in with the values the target's own
earlier answers produced (bindings), sent, timed, and checked:

- status, the headers that matter and every body field, against the recorded answer, except the
  fields that are noise: the exchange's `volatile`, the route's (`$.items[*].added_at`) and the
  user's ignores (a pattern also covers everything under it: `$.meta` ignores `$.meta.took_ms`);
- the body against the route's inferred JSON Schema for the status the target answered.

A field a remediation made eventual (generation.json's `eventual`: the labels a consumer Lambda now
stores) is checked eventually: where it alone differs, a read (GET, HEAD) is sent again until it
matches, every EVENTUAL_STEP seconds for at most EVENTUAL_SECONDS; the write that started the work
(the upload) answers before it and is not held to it.

A transport failure (timeout, refused connection) or a 5xx the recording did not have is also an
*error*, counted against the route's error budget. A scenario stops at a transport failure or when a
later request needs a value no answer gave.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from decompose.contracts.binding import Binding, Request, UnboundValue, capture, render
from decompose.contracts.compare import Answer, Exchange, differences, json_body
from decompose.contracts.recorder import decode_body

INDEX = re.compile(r"\[\d+\]")
EVENTUAL_SECONDS = 15.0  # how long a read may take to show what a consumer Lambda stores (docs/remediation.md)
EVENTUAL_STEP = 0.25
READS = ("GET", "HEAD")


class TargetError(ConnectionError):
    """The target could not be reached or did not answer in time."""


class Unowned(TargetError):
    """No process of the target owns the exchange: no analysed route matches it (a method the view
    refuses, a static file), and the target has no monolith to answer it (the generated services)."""


@dataclass
class Step:
    index: int
    route: str
    request: str  # "METHOD target" as sent
    status: int | None = None
    ms: float = 0.0
    problems: list[str] = field(default_factory=list)
    error: str | None = None  # transport failure or unexpected 5xx: counts against the error budget
    answer: Answer | None = field(default=None, repr=False)
    eventual: list[str] = field(default_factory=list)  # differences let go: a consumer fills them in later
    unowned: str | None = None  # not sent: no process of the target owns it (Unowned), said why
    calls: list[str] | None = None  # the internal calls answering it made (a fleet's call log), None: not counted


@dataclass
class Run:
    name: str
    steps: list[Step] = field(default_factory=list)
    stopped: str | None = None

    @property
    def passed(self) -> bool:
        return self.stopped is None and not any(step.problems for step in self.steps)

    def report(self, limit: int = 12) -> str:
        """The failures, readable: one block per failing exchange, expected against actual."""
        lines = []
        for step in self.steps:
            if step.problems:
                lines.append(f"#{step.index} {step.request}  ({step.route})")
                lines += [f"    {problem}" for problem in step.problems[:limit]]
                if len(step.problems) > limit:
                    lines.append(f"    ... and {len(step.problems) - limit} more")
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
        return "\n".join(lines)


def replay(scenario: dict[str, Any], routes: dict[str, dict[str, Any]], send: Callable[[Request, str], Answer],
           ignore: Callable[[str], set[str]] = lambda route: set(),
           seed: Callable[[dict[str, Any]], None] | None = None, eventual: tuple[str, ...] = (),
           calls: Callable[[], list[str]] | None = None) -> Run:
    """`seed`: loads the rows a test added between two requests (an exchange's "data") before sending it;
    `eventual`: the body fields a consumer fills in after the answer (checked eventually, above);
    `calls`: the internal calls made since it was last asked (decompose.contracts.calls), kept per step."""
    bindings = [_binding(b) for b in scenario.get("bindings", [])]
    values: dict[str, str] = {}
    run = Run(scenario["name"])
    for index, recorded in enumerate(scenario["exchanges"]):
        template, expected = request_of(recorded["request"]), answer_of(recorded["answer"])
        route = recorded["route"]
        try:
            request = render(template, values)
        except UnboundValue as error:
            unsent = [f"#{step.index}" for step in run.steps if step.unowned]
            run.stopped = f"#{index} {template.method} {template.target}: {error}" + (
                f" (not sent before it, no service owning them: {', '.join(unsent)})" if unsent else "")
            return run
        step = Step(index, route, f"{request.method} {request.target}")
        run.steps.append(step)
        if recorded.get("data") and seed is not None:
            try:
                seed(recorded["data"])
            except TargetError as error:
                run.stopped = f"#{index} {step.request}: loading the rows the test added before it failed ({error})"
                return run
        if calls is not None:
            calls()  # what the fresh start and the seeding made is no request's
        started = time.perf_counter()
        try:
            answer = send(request, recorded.get("service", ""))
        except Unowned as error:
            step.unowned = str(error)  # behind the gateway the monolith answers it: not the target's to check
            # what a later request sends back from it (the admin's csrftoken cookie) is the monolith's answer
            # as recorded: the value the target never saw, where stopping lost every exchange after it
            values.update(capture(bindings, index, expected))
            continue
        except TargetError as error:
            step.ms = (time.perf_counter() - started) * 1000
            step.error = f"no answer: {error}"
            step.problems.append(step.error)
            run.stopped = f"#{index} {step.request}: the target did not answer ({error})"
            return run
        step.ms, step.status, step.answer = (time.perf_counter() - started) * 1000, answer.status, answer
        step.problems = check(index, recorded, expected, answer, routes.get(route, {}), ignore(route))
        if eventual and step.problems and _only_eventual(step.problems, eventual):
            answer = _eventually(step, recorded, expected, routes.get(route, {}), ignore(route), eventual,
                                 lambda: send(request, recorded.get("service", "")))
        if answer.status >= 500 and expected.status < 500:
            step.error = f"status {answer.status}"
        if calls is not None:
            step.calls = calls()
        values.update({**capture(bindings, index, expected), **capture(bindings, index, answer)})
    return run


def _only_eventual(problems: list[str], fields: tuple[str, ...]) -> bool:
    pattern = re.compile(r"\.(?:%s)(?=[\[.:\s]|$)" % "|".join(re.escape(f) for f in fields))
    return all(pattern.search(problem.split(": expected")[0]) for problem in problems)


def _eventually(step: Step, recorded: dict[str, Any], expected: Answer, route: dict[str, Any], ignored: set[str],
                fields: tuple[str, ...], again: Callable[[], Answer]) -> Answer:
    """A read polled (bounded) until the eventual fields match; the write that queued the work is let go
    (its answer comes before the consumer). Problems left after the limit stay, marked as such."""
    answer = step.answer
    if step.request.split(" ")[0] not in READS:
        step.eventual = step.problems
        step.problems = []
        return answer
    deadline = time.monotonic() + EVENTUAL_SECONDS
    while step.problems and time.monotonic() < deadline:
        time.sleep(EVENTUAL_STEP)
        try:
            answer = again()
        except TargetError:
            break
        step.problems = check(step.index, recorded, expected, answer, route, ignored)
    if step.problems:
        step.problems = [f"{p} (still after {EVENTUAL_SECONDS:g} s: eventual)" for p in step.problems]
    step.status, step.answer = answer.status, answer
    return answer


def check(index: int, recorded: dict[str, Any], expected: Answer, answer: Answer, route: dict[str, Any],
          ignored: set[str]) -> list[str]:
    """Every way `answer` breaks the contract, as readable lines."""
    noise, skip = matcher(set(recorded.get("volatile", [])), set(route.get("volatile", []))), matcher(set(), ignored)
    method, target = recorded["request"]["method"], recorded["request"]["target"]
    found = [d.said() for d in differences(index, Exchange(method, target, expected), Exchange(method, target, answer),
                                           noise, skip)]
    schema = route.get("schemas", {}).get(str(answer.status))
    # the route's JSON answers' schema, for an exchange the test saw answered in JSON: one route may answer
    # other types too (healthchecks' badge, `{tag}.{fmt}`: an SVG, or JSON for .json)
    if schema is not None and json_body(expected, _NOT_JSON) is not _NOT_JSON:
        found += schema_problems(schema, answer)
    return found


def schema_problems(schema: dict[str, Any], answer: Answer) -> list[str]:
    body = json_body(answer, _NOT_JSON)
    if body is _NOT_JSON:
        return [f"schema {answer.status}: the body is not JSON"]
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"schema {answer.status}: {_path(e.absolute_path)}: {e.message}" for e in errors]


def matcher(exact: set[str], patterns: set[str]) -> Callable[[str], bool]:
    """Exact fields, or patterns with [*] for any index that also cover everything under them."""
    def matches(where: str) -> bool:
        if where in exact:
            return True
        general = INDEX.sub("[*]", where)
        return any(general == p or general.startswith((p + ".", p + "[")) for p in patterns)
    return matches


def request_of(raw: dict[str, Any]) -> Request:
    return Request(raw["method"], raw["target"], tuple((k, v) for k, v in raw["headers"]), decode_body(raw["body"]))


def answer_of(raw: dict[str, Any]) -> Answer:
    return Answer(raw["status"], tuple((k, v) for k, v in raw["headers"]), decode_body(raw["body"]))


def _binding(raw: dict[str, Any]) -> Binding:
    source, _, where = raw["name"].partition(":")
    return Binding(int(source), where, tuple(raw.get("used_by", [])))


def _path(parts: Any) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


_NOT_JSON = object()
