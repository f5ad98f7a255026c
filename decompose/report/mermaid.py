"""The planned services as a Mermaid flowchart, for pasting into Markdown (GitHub renders it).

Nodes are services (with their route and table counts); an arrow is code of one service using
another's, labelled with how many uses. The shared kernel is drawn once, dotted.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from decompose.planning.constraints import SHARED


def services_graph(data: dict[str, Any]) -> str:
    if not data["planned"]:
        raise ValueError("the service graph needs a plan")
    lines = ["flowchart LR"]
    for service in data["services"]:
        label = f"{service['name']}<br/>{len(service['routes'])} routes · {len(service['tables'])} tables"
        lines.append(f'    {_id(service["name"])}["{label}"]')
    lines.append(f'    {_id(SHARED)}(["shared kernel"])')
    owner = {n["id"]: n["service"] for n in data["nodes"]}
    uses: Counter = Counter()
    for edge in data["edges"]:
        a, b = owner[edge["source"]], owner[edge["target"]]
        if a != b and a != SHARED:
            uses[(a, b)] += edge["weight"]
    known = {s["name"] for s in data["services"]} | {SHARED}
    for (a, b), weight in sorted(uses.items()):
        if a in known and b in known:
            arrow = "-.->" if b == SHARED else "-->"
            lines.append(f"    {_id(a)} {arrow}|{weight}| {_id(b)}")
    return "\n".join(lines) + "\n"


def _id(name: str) -> str:
    return "s_" + re.sub(r"\W", "_", name)
