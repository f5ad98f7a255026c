"""What each hazard kind may become on AWS, and what `decompose plan` proposes for it.

A decision is keyed by (kind, target): the hazard kind of decompose.analysis.hazards (or
`static-files`) and the symbol holding the hazard (or the static folder, relative to the root).
Several hazards of one kind in one function are one decision: they are remediated together.
Only hazards in a request path get a decision: code no route reaches runs outside Lambda.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from decompose.analysis.model import HazardOut

STATIC = "static-files"
SLOW = "slow-work"
KEEP = "keep"

# kind -> the choices a user may write, the proposal first
CHOICES: dict[str, tuple[str, ...]] = {
    "filesystem-write": ("s3", KEEP),
    "background-thread": ("sqs", "sns", KEEP),
    "global-mutable-state": ("dynamodb", "sqs", KEEP),
    "process-cache": ("dynamodb", KEEP),
    "sleep": (KEEP, "sqs"),
    "unbounded-loop": (KEEP, "sqs"),
    "subprocess": (KEEP, "sqs"),
    "slow-work": ("sqs", KEEP),
    STATIC: ("cloudfront", KEEP),
}

REASONS = {
    "s3": "uploads and their reads go to a bucket, keys from the same relative paths",
    "sqs": "the work becomes a message; a consumer Lambda runs it, with retries and a dead-letter queue",
    "sqs-slow": "the work leaves the request: a consumer Lambda runs it once the request commits and stores its "
                "result (the route turns asynchronous: its answer no longer holds the result)",
    "sns": "the work becomes a notification fanned out to every subscriber",
    "dynamodb": "the state lives in a table every Lambda instance shares (TTL where entries expire)",
    "cloudfront": "the files go to an S3 bucket served by CloudFront in front of the API",
    KEEP: "accepted as it is on Lambda",
}
KEEP_REASONS = {  # why a proposal keeps a hazard, and the alternative the user may write instead
    "sleep": "a bounded wait in the request (e.g. retry backoff) is kept; 'sqs' moves it out (the route turns asynchronous)",
    "unbounded-loop": "kept: paginate the query; 'sqs' moves it to a batch consumer (the route turns asynchronous)",
    "subprocess": "kept: ship the binary in a layer or container image; 'sqs' moves it out of the request",
    "filesystem-write": "files only appended to are logs: kept, log to stdout on Lambda (CloudWatch Logs keeps it); 's3' for data",
    "process-cache": "a memoised function (settings, clients, parsed files) only saves work per instance: kept; 'dynamodb' if its "
                     "value must be shared or invalidated everywhere",
    "slow-work": "kept in the request (its result stays in the answer); 'sqs' moves it to a consumer Lambda",
    "global-mutable-state": "a global built once on first use (a logger, a client, a singleton) is per instance: kept; "
                            "'dynamodb' if other instances must see its value",
}

STATE_KINDS = frozenset({"global-mutable-state", "process-cache"})
REGISTRY = ("a registry of classes or functions (a decorator or a factory fills it at import time): code, the same in "
            "every instance and not JSON: kept")
TEMPORARY = frozenset({"temp", "tmp", "temporary", "tempdir", "tmpdir", "tempfile"})
FOLDER_ONLY = frozenset({".mkdir()", "os.makedirs", "os.mkdir"})
REBINDS = "(rebinds global)"
QUEUE_HINTS = ("queue", "pending", "outbox", "inbox", "jobs", "tasks", "popleft", "appendleft", ".put", "get_nowait")
WORKER_LOOP = "while True"


@dataclass(frozen=True)
class Decision:
    kind: str
    target: str  # symbol id, or the static folder's path relative to the root
    choice: str
    reason: str = ""  # the comment written next to it (what was found, why this choice)


def choices(kind: str) -> tuple[str, ...]:
    return CHOICES.get(kind, (KEEP,))


def propose(hazards: list[HazardOut], static_dirs: list[str] = (),
            registries: frozenset[tuple[str, str]] = frozenset()) -> list[Decision]:
    """One decision per (kind, symbol) of the hazards in a request path, and per static folder.
    `registries`: (path, global) of the module-level dicts that hold code, not data (REGISTRY)."""
    found: dict[tuple[str, str], list[HazardOut]] = {}
    for hazard in hazards:
        if hazard.in_request_path:
            found.setdefault((hazard.kind, hazard.symbol), []).append(hazard)
    threads = {symbol for kind, symbol in found if kind == "background-thread"}
    thread_modules = {_module(symbol) for symbol in threads}
    decisions = [_registry(kind, symbol, group, registries)
                 or _decide(kind, symbol, group, symbol in threads, _module(symbol) in thread_modules)
                 for (kind, symbol), group in found.items()]
    decisions += [Decision(STATIC, d, "cloudfront", f"static files under {d}: {REASONS['cloudfront']}")
                  for d in static_dirs]
    return sorted(decisions, key=lambda d: (d.kind, d.target))


def state_names(group: list[HazardOut]) -> set[str]:
    """The globals a state hazard names: its detail is `NAME (how)`."""
    return {h.detail.split(" (", 1)[0] for h in group}


def _registry(kind: str, symbol: str, group: list[HazardOut], registries: frozenset[tuple[str, str]]) -> Decision | None:
    """`keep` for state that is a registry of code (every global it names is one), else None."""
    if kind not in STATE_KINDS or not all((h.path, name) in registries for h in group for name in state_names([h])):
        return None
    first = min(group, key=lambda h: h.line)
    return Decision(kind, symbol, KEEP, f"{', '.join(sorted({h.detail for h in group}))} at {Path(first.path).name}:"
                                        f"{first.line}: {REGISTRY}")


def _module(symbol: str) -> str:
    return symbol.split(":")[0]


def _decide(kind: str, symbol: str, group: list[HazardOut], starts_thread: bool, beside_thread: bool) -> Decision:
    details = sorted({h.detail for h in group})
    first = min(group, key=lambda h: h.line)
    choice = _choice(kind, details, starts_thread, beside_thread, symbol)
    why = _keep_reason(kind, details, symbol) if choice == KEEP else REASONS[f"{choice}-slow" if kind == SLOW else choice]
    return Decision(kind, symbol, choice, f"{', '.join(details)} at {Path(first.path).name}:{first.line}: {why}")


def _keep_reason(kind: str, details: list[str], symbol: str = "") -> str:
    if kind == "filesystem-write" and _temporary(symbol):
        return "a temporary folder: Lambda's /tmp serves it within the invocation (kept); 's3' if another request reads it"
    if kind == "filesystem-write" and all(d in FOLDER_ONLY for d in details):
        return "S3 has no folders: creating one is a no-op once the files go to a bucket (kept); 's3' where files are written"
    if kind == "unbounded-loop" and any(WORKER_LOOP.lower() in d.lower() for d in details):
        return "kept: make sure it ends well within Lambda's 15 min (and API Gateway's 29 s); 'sqs' moves it to a consumer"
    return KEEP_REASONS.get(kind, REASONS[KEEP])


def _choice(kind: str, details: list[str], starts_thread: bool, beside_thread: bool, symbol: str = "") -> str:
    """The proposal: the kind's first choice, except state that is really a queue or the handle of a
    thread (sqs: the consumer Lambda replaces both), a worker's endless loop in a module that starts
    a thread (sqs too; elsewhere `while True` is often a stream or a poll: keep), and files only ever
    appended to, which are logs (keep: on Lambda, log to stdout and CloudWatch keeps it)."""
    text = " ".join(details).lower()
    if kind == "global-mutable-state" and (starts_thread or any(hint in text for hint in QUEUE_HINTS)):
        return "sqs"
    if kind == "unbounded-loop":
        return "sqs" if WORKER_LOOP.lower() in text and beside_thread else KEEP
    if kind == "filesystem-write" and (_only_appends(details) or all(d in FOLDER_ONLY for d in details)):
        return KEEP
    if kind == "filesystem-write" and _temporary(symbol):
        return KEEP
    if kind == "process-cache" and all(d.startswith("@") for d in details):
        return KEEP
    if kind == "global-mutable-state" and all(d.endswith(REBINDS) for d in details):
        return KEEP
    return choices(kind)[0]


def _temporary(symbol: str) -> bool:
    """A function named for a temporary folder (mealie's get_temporary_path): Lambda's /tmp serves it for
    the invocation, and what fills it is usually read back by other tools (zipfile) in the same request."""
    words = {w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", symbol.rsplit(":", 1)[-1])}
    return bool(words & TEMPORARY)  # a word, not a prefix: TemplateService writes templates


def _only_appends(details: list[str]) -> bool:
    opens = [d for d in details if d.startswith("open(")]
    return bool(opens) and all("'a" in d for d in opens) and all(d.startswith(("open(", "os.makedirs")) for d in details)


def static_dirs(root: Path, module_paths: list[str]) -> list[str]:
    """Folders named `static` (holding files) next to the monolith's packages: Flask's, Django apps'
    and most FastAPI mounts' convention. Relative to root, sorted."""
    found = set()
    for parent in {Path(p).parent for p in module_paths}:
        candidate = root / parent / "static"
        if candidate.is_dir() and any(f.is_file() for f in candidate.rglob("*")):
            found.add((parent / "static").as_posix())
    return sorted(found)


def code_registries(root: Path, hazards: list[HazardOut]) -> frozenset[tuple[str, str]]:
    """(path, global) of each module-level dict a state hazard in a request path names that holds code:
    a decorator's or a factory's registry (decompose.remediation.rewrite.registries, read from the source).
    A file that cannot be read or parsed names none."""
    import libcst as cst

    from decompose.remediation.rewrite import registries

    paths = sorted({h.path for h in hazards if h.in_request_path and h.kind in STATE_KINDS})
    found = set()
    for path in paths:
        try:
            names = registries(cst.parse_module((root / path).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, cst.ParserSyntaxError):
            continue
        found |= {(path, name) for name in names}
    return frozenset(found)
