"""The dependency graph: analysis -> networkx graph at module or symbol level, and its exports.

The names below are importable without loading networkx (the CLI validates options with them)."""

LEVELS = ("module", "symbol")
FORMATS = ("json", "dot", "mermaid", "graphml")
