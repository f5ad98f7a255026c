"""The zoo's monoliths are apps with suites of their own: their tests run inside the pipeline, never here."""

collect_ignore = ["apps"]
