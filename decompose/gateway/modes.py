"""A route's mode in routes.toml: `monolith`, `shadow`, `canary:N` or `service` (light: the CLI's help needs it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MODES = "monolith, shadow, canary:N (1-99), service"
CANARY = re.compile(r"^canary:(\d{1,2})$")


@dataclass(frozen=True)
class Mode:
    kind: str  # monolith | shadow | canary | service
    percent: int = 0  # canary only

    @classmethod
    def parse(cls, text: str) -> Mode:
        if text in ("monolith", "shadow", "service"):
            return cls(text)
        found = CANARY.match(text)
        if found and 1 <= int(found.group(1)) <= 99:
            return cls("canary", int(found.group(1)))
        raise ValueError(f"{text!r} is not a mode ({MODES})")

    def __str__(self) -> str:
        return f"canary:{self.percent}" if self.kind == "canary" else self.kind
