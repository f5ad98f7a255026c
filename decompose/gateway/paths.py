"""Where the local gateway keeps its files, named once: `gateway up` and `gateway serve` write the
shadow log that `gateway status` reads by default (light: the CLI's defaults need it)."""

from __future__ import annotations

from pathlib import Path

SCRATCH = Path(".decompose/gateway")  # `gateway up`: logs/, shadow.jsonl, world/
SHADOW_LOG = SCRATCH / "shadow.jsonl"
LOGS = SCRATCH / "logs"
