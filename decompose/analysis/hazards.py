"""Lambda-fitness hazards: small rules over the events one file's visitor collected.

Each rule is a class with a `kind`, a `why` (what breaks on AWS Lambda), a `resolution` (the AWS
service that usually replaces it) and `VALID`/`INVALID` source examples that the generic test in
`tests/analysis/test_hazards.py` runs, in the manner of Fixit rules. A rule sees only one file;
whether a hazard sits in a request path is decided later, once routes are known.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from decompose.analysis.facts import Hazard


@dataclass(frozen=True)
class CallEvent:
    scope: str | None
    name: str  # dotted, head expanded through the file's imports ("threading.Thread")
    line: int
    args: tuple[str, ...]
    kwargs: tuple[tuple[str, str], ...]
    first_arg_src: str = ""


@dataclass(frozen=True)
class MutationEvent:
    scope: str | None
    name: str  # a module-level name written from inside a function
    how: str
    line: int


@dataclass(frozen=True)
class LoopEvent:
    scope: str | None
    kind: str  # while-true | for-all | cpu (CPU work repeated a number of times known only at run time)
    detail: str
    line: int


@dataclass
class FileEvents:
    calls: list[CallEvent] = field(default_factory=list)
    mutations: list[MutationEvent] = field(default_factory=list)
    loops: list[LoopEvent] = field(default_factory=list)
    decorators: list[CallEvent] = field(default_factory=list)
    references: list[CallEvent] = field(default_factory=list)  # names used but not called (aliases)
    mutable_globals: dict[str, tuple[int, str]] = field(default_factory=dict)


def _method(name: str) -> str:
    return name.rsplit(".", 1)[-1]


class HazardRule:
    kind: str = ""
    why: str = ""
    resolution: str = ""
    VALID: tuple[str, ...] = ()
    INVALID: tuple[str, ...] = ()

    def check(self, events: FileEvents) -> Iterator[Hazard]:
        raise NotImplementedError

    def hazard(self, scope: str | None, line: int, detail: str) -> Hazard:
        return Hazard(kind=self.kind, scope=scope, line=line, why=self.why, detail=detail)


CACHE_WORDS = ("cache", "memo")


def _is_cache_name(name: str) -> bool:
    return any(word in name.lower() for word in CACHE_WORDS)


def _first_mutations(events: FileEvents, caches: bool) -> Iterator[MutationEvent]:
    """The first write to each module-level name in each scope, of caches or of other state."""
    seen: set[tuple[str | None, str]] = set()
    for event in events.mutations:
        if _is_cache_name(event.name) == caches and (event.scope, event.name) not in seen:
            seen.add((event.scope, event.name))
            yield event


class GlobalMutableState(HazardRule):
    kind = "global-mutable-state"
    why = (
        "module-level state written at run time lives in one Lambda execution environment: it is "
        "lost on cold starts and never shared between concurrent instances"
    )
    resolution = "DynamoDB or ElastiCache for shared state; SQS for queues"
    VALID = ("LIMIT = 10\ndef f():\n    return LIMIT\n", "ITEMS = []\ndef f(x):\n    items = []\n    items.append(x)\n")
    INVALID = ("QUEUE = []\ndef push(x):\n    QUEUE.append(x)\n", "SEEN = {}\ndef f(k):\n    SEEN[k] = 1\n")

    def check(self, events: FileEvents) -> Iterator[Hazard]:
        for event in _first_mutations(events, caches=False):
            yield self.hazard(event.scope, event.line, f"{event.name} ({event.how})")


class ProcessCache(HazardRule):
    kind = "process-cache"
    why = (
        "a process-wide cache is per Lambda instance: cold starts empty it, concurrent instances "
        "each hold a different copy, and invalidation cannot reach them"
    )
    resolution = "ElastiCache or DynamoDB (with TTL) for a shared cache"
    VALID = ("from functools import wraps\n@wraps(f)\ndef g():\n    pass\n",)
    INVALID = (
        "import functools\n@functools.lru_cache(maxsize=None)\ndef f(x):\n    return x\n",
        "_cache = {}\ndef get(k):\n    _cache[k] = 1\n",
    )

    CACHE_DECORATORS = ("functools.lru_cache", "functools.cache", "lru_cache", "cache")

    def check(self, events: FileEvents) -> Iterator[Hazard]:
        for event in events.decorators:
            if event.name in self.CACHE_DECORATORS:
                yield self.hazard(event.scope, event.line, f"@{event.name}")
        for event in _first_mutations(events, caches=True):
            yield self.hazard(event.scope, event.line, f"{event.name} ({event.how})")


class BackgroundWork(HazardRule):
    kind = "background-thread"
    why = (
        "Lambda freezes the execution environment as soon as the handler returns: threads and "
        "worker processes stop mid-work and may never resume"
    )
    resolution = "SQS with a consumer Lambda, or EventBridge for scheduled work"
    VALID = (
        "import threading\nlock = threading.Lock()\n",
        "import asyncio\nasync def f(group, job):\n    group.create_task(job())\n",
        "def f(scheduler, job):\n    scheduler.add_task(job)\n",
    )
    INVALID = (
        "import threading\ndef start():\n    threading.Thread(target=run, daemon=True).start()\n",
        "from concurrent.futures import ThreadPoolExecutor\npool = ThreadPoolExecutor(4)\n",
        # FastAPI/Starlette: the task runs after the answer is sent, in the same process
        "from fastapi import BackgroundTasks\ndef upload(background_tasks: BackgroundTasks):\n"
        "    background_tasks.add_task(make_thumbnail, 1)\n",
        "def trigger(self, bg_tasks):\n    bg_tasks.add_task(post_webhook, self.hook)\n",
    )
    NAMES = frozenset({
        "threading.Thread", "threading.Timer", "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.ProcessPoolExecutor", "multiprocessing.Process", "multiprocessing.Pool",
        "atexit.register", "apscheduler.schedulers.background.BackgroundScheduler",
    })
    TASK_HOLDERS = ("background", "bg", "task")  # `background_tasks.add_task(...)`, `self.bg.add_task(...)`

    def check(self, events: FileEvents) -> Iterator[Hazard]:
        for event in events.calls:
            if event.name in self.NAMES:
                yield self.hazard(event.scope, event.line, event.name)
            elif is_background_task(event.name):
                yield self.hazard(event.scope, event.line, "BackgroundTasks.add_task")


def is_background_task(dotted: str) -> bool:
    """`background_tasks.add_task`, `self.bg.add_task`: Starlette's BackgroundTasks, by the holder's name
    (it is a parameter, so its type is not in the file's imports)."""
    holder, _, method = dotted.rpartition(".")
    last = holder.rpartition(".")[2].lower()
    return method == "add_task" and any(word in last for word in BackgroundWork.TASK_HOLDERS)


class FilesystemWrite(HazardRule):
    kind = "filesystem-write"
    why = (
        "Lambda's file system is read-only except /tmp, which is per instance and erased with it: "
        "files written here are not there for the next request"
    )
    resolution = "S3 (objects) or EFS (shared file system)"
    VALID = ("def f(p):\n    with open(p) as fh:\n        return fh.read()\n", "def f(obj):\n    obj.save()\n")
    INVALID = (
        "def f(p, data):\n    with open(p, 'wb') as fh:\n        fh.write(data)\n",
        "import os\ndef f(d):\n    os.makedirs(d, exist_ok=True)\n",
        "import os\ndef f(upload, d):\n    upload.save(os.path.join(d, upload.filename))\n",
        "from pathlib import Path\ndef f(p):\n    Path(p).write_bytes(b'x')\n",
    )
    OPENS = frozenset({"open", "io.open", "builtins.open"})  # the calls whose arguments are read (ARGS_WATCH)
    FUNCTIONS = frozenset({
        "os.makedirs", "os.mkdir", "os.remove", "os.unlink", "os.rename", "os.replace", "os.rmdir",
        "shutil.copy", "shutil.copyfile", "shutil.copy2", "shutil.move", "shutil.rmtree",
        "shutil.copytree",
    })
    METHODS = frozenset({"write_text", "write_bytes", "mkdir", "touch", "unlink", "rmdir"})
    PATH_HINTS = ("path", "join", "dir", "/", "file", "dest")

    def check(self, events: FileEvents) -> Iterator[Hazard]:
        for event in events.calls:
            detail = self._detail(event)
            if detail:
                yield self.hazard(event.scope, event.line, detail)

    def _detail(self, event: CallEvent) -> str:
        if event.name in self.OPENS:
            mode = event.args[1] if len(event.args) > 1 else dict(event.kwargs).get("mode", "")
            return f"open(..., {mode!r})" if any(c in mode for c in "wax+") else ""
        if event.name in self.FUNCTIONS:
            return event.name
        method = _method(event.name)
        if "." in event.name and method in self.METHODS:
            return f".{method}()"
        if method == "save" and "." in event.name and self._looks_like_path(event.first_arg_src):
            return f".save({event.first_arg_src})"
        return ""

    def _looks_like_path(self, source: str) -> bool:
        return bool(source) and any(hint in source.lower() for hint in self.PATH_HINTS)


class Sleep(HazardRule):
    kind = "sleep"
    why = (
        "sleeping inside a request holds a Lambda instance (billed) and counts against API "
        "Gateway's 29 s integration timeout"
    )
    resolution = "Step Functions Wait state, or SQS delay / visibility timeout for retries"
    VALID = ("import time\ndef f():\n    return time.time()\n",)
    INVALID = (
        "import time\ndef f():\n    time.sleep(1)\n",
        "from time import sleep\ndef f():\n    sleep(0.5)\n",
        "import time\ndef f(config):\n    wait = config.get('SLEEP') or time.sleep\n    wait(1)\n",
    )
    NAMES = frozenset({"time.sleep", "asyncio.sleep", "gevent.sleep"})

    def check(self, events: FileEvents) -> Iterator[Hazard]:
        for event in events.calls:
            if event.name in self.NAMES:
                yield self.hazard(event.scope, event.line, event.name)
        for event in events.references:
            if event.name in self.NAMES and event.scope is not None:
                yield self.hazard(event.scope, event.line, f"{event.name} (passed around, then called)")


class UnboundedLoop(HazardRule):
    kind = "unbounded-loop"
    why = (
        "a loop with no bound (while True, or over every row of a table) grows with the data "
        "until it hits Lambda's 15 min limit or API Gateway's 29 s timeout"
    )
    resolution = "Step Functions (Map state) or a batch job fed by SQS; paginate the query"
    VALID = (
        "def f(q):\n    for row in q.limit(100):\n        pass\n",
        "def f():\n    while n < 3:\n        pass\n",
        "def f(s):\n    for row in s.scalars(select(Order).limit(10)):\n        pass\n",
        "def f(order):\n    for d in order.discounts.all():\n        pass\n",
    )
    INVALID = (
        "def f():\n    while True:\n        step()\n",
        "def f():\n    for o in Order.query.all():\n        total(o)\n",
        "def f():\n    for o in Order.objects.all():\n        total(o)\n",
        "def f():\n    for o in db.session.scalars(select(Order).order_by(Order.id)):\n        total(o)\n",
        "def f(qs):\n    for o in qs.iterator():\n        total(o)\n",
    )

    def check(self, events: FileEvents) -> Iterator[Hazard]:
        for event in events.loops:
            if event.kind != "cpu":
                yield self.hazard(event.scope, event.line, event.detail)


class SlowWork(HazardRule):
    kind = "slow-work"
    why = (
        "CPU work repeated a number of times set at run time (hashing rounds, a recognizer, a digest "
        "loop) holds the request for as long as it runs, under API Gateway's 29 s timeout"
    )
    resolution = "an SQS message (or an S3 event for an upload) and a consumer Lambda that stores the result"
    VALID = (
        "import hashlib\ndef f(data):\n    for _ in range(3):\n        data = hashlib.sha256(data).digest()\n",
        "import hashlib\ndef f(items):\n    for item in items:\n        hashlib.sha256(item)\n",
        "def f(n):\n    for i in range(n):\n        print(i)\n",
    )
    INVALID = (
        "import hashlib\ndef f(data, rounds):\n    for _ in range(rounds):\n        data = hashlib.sha256(data).digest()\n",
        "import zlib\ndef f(data, config):\n    for _ in range(config['N']):\n        data = zlib.compress(data)\n",
    )

    def check(self, events: FileEvents) -> Iterator[Hazard]:
        for event in events.loops:
            if event.kind == "cpu":
                yield self.hazard(event.scope, event.line, event.detail)


class Subprocess(HazardRule):
    kind = "subprocess"
    why = (
        "a subprocess needs its binary inside the Lambda package or a layer, shares the "
        "function's memory and time limit, and may not outlive the invocation"
    )
    resolution = "a dedicated Lambda (container image) or AWS Batch / Fargate task"
    VALID = ("import os\ndef f():\n    return os.getcwd()\n",)
    INVALID = ("import subprocess\ndef f():\n    subprocess.run(['ls'])\n", "import os\ndef f():\n    os.system('ls')\n")
    PREFIXES = ("subprocess.", "os.spawn", "os.exec", "os.fork")
    NAMES = frozenset({"os.system", "os.popen"})

    def check(self, events: FileEvents) -> Iterator[Hazard]:
        for event in events.calls:
            if event.name in self.NAMES or event.name.startswith(self.PREFIXES):
                yield self.hazard(event.scope, event.line, event.name)


# Names whose mere reference (not only a call) the rules look at: the visitor records no others.
REFERENCE_WATCH = frozenset(name.rsplit(".", 1)[-1] for name in Sleep.NAMES)
# Calls whose arguments the rules read: the visitor renders the arguments of no others as text.
ARGS_WATCH = FilesystemWrite.OPENS
# Calls that are pure CPU work (digests, compression): repeated a run-time number of times, they are slow work.
CPU_WORK = ("hashlib.", "hmac.", "zlib.", "bz2.", "lzma.")

HAZARD_RULES: tuple[HazardRule, ...] = (
    GlobalMutableState(),
    ProcessCache(),
    BackgroundWork(),
    FilesystemWrite(),
    Sleep(),
    UnboundedLoop(),
    Subprocess(),
    SlowWork(),
)

RULES_BY_KIND = {rule.kind: rule for rule in HAZARD_RULES}


def find_hazards(events: FileEvents) -> tuple[Hazard, ...]:
    found = {h for rule in HAZARD_RULES for h in rule.check(events)}
    return tuple(sorted(found, key=lambda h: (h.line, h.kind, h.detail)))
