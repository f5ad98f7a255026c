"""The dependency graph: analysis -> networkx graph at module or symbol level, and its exports."""
