"""Planning: analysis.json -> candidate services, constraints, metrics, the editable plan, the boundary check."""
