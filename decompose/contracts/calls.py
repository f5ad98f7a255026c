"""How many internal calls each replayed request made, on the generated services.

    log = CallLog(path)        # the file the local fleet's services append each call they run to
    log.since()                # ["pkg.auth:load_user", ...]: the calls run since the last read
    counted(steps)             # {"requests": 41, "median": 0, "max": 2, "over_one": 3}

The services started by `contracts verify --target services` append the target of every internal call
they run to one log (decompose.generation.runtime.internal, CALL_LOG); the verifier reads what was
appended while each request was answered (scenarios are replayed one request at a time, so every line
belongs to the request in flight, nested calls included). A call made later by a consumer Lambda (a
remediated queue) is counted against the request being answered when it runs.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

LOG_NAME = "internal-calls.log"
# A line that is an AWS call a remediated path made while answering (templates/generate/aws/aws.py: `aws:s3.GetObject`):
# a network hop the monolith's disk or memory did not cost, counted apart from the internal calls
AWS = "aws:"


class CallLog:
    def __init__(self, path: Path) -> None:
        self.path, self.offset = path, 0

    def since(self) -> list[str]:
        """The complete lines appended since the last read (a line still being written waits for the next)."""
        try:
            with self.path.open("rb") as log:
                log.seek(self.offset)
                data = log.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        self.offset += end
        return data[:end].decode("utf-8", "replace").splitlines()


def log_path(logs: Path) -> Path:
    """The fleet's call log, in its logs folder (emptied at every start: each run counts its own calls)."""
    return (logs / LOG_NAME).resolve()


def internal(calls: list[str]) -> list[str]:
    return [call for call in calls if not call.startswith(AWS)]


def aws(calls: list[str]) -> list[str]:
    return [call for call in calls if call.startswith(AWS)]


def route_counts(steps: Iterable[Any]) -> dict[str, Any]:
    """A route's internal calls over its counted requests: median, max and the functions called (sorted);
    and apart, the AWS calls its remediated code made (median and the operations, `aws:s3.GetObject`)."""
    counted = [step.calls for step in steps if step.calls is not None]
    if not counted:
        return {"calls_median": None, "calls_max": None, "called": [], "aws_median": None, "aws_called": []}
    sizes = [len(internal(calls)) for calls in counted]
    return {"calls_median": statistics.median(sizes), "calls_max": max(sizes),
            "called": sorted({target for calls in counted for target in internal(calls)}),
            "aws_median": statistics.median(len(aws(calls)) for calls in counted),
            "aws_called": sorted({call for calls in counted for call in aws(calls)})}


def counted(steps: Iterable[Any]) -> dict[str, Any] | None:
    """Every counted request of a run: how many, the median and most calls one made, how many made more than one;
    None when nothing was counted (a target that keeps no call log: the monolith, a URL)."""
    sizes = [len(internal(step.calls)) for step in steps if step.calls is not None]
    if not sizes:
        return None
    return {"requests": len(sizes), "median": statistics.median(sizes), "max": max(sizes),
            "over_one": sum(size > 1 for size in sizes)}
