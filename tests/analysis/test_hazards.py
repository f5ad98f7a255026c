"""Every hazard rule's VALID examples yield nothing of its kind; every INVALID example yields it."""

import pytest

from decompose.analysis.facts import FileFacts, SourceFile
from decompose.analysis.hazards import HAZARD_RULES
from decompose.analysis.parse import facts_from_bytes
from tests.helpers import analyse

CASES = [
    (rule.kind, source, valid)
    for rule in HAZARD_RULES
    for valid, sources in ((True, rule.VALID), (False, rule.INVALID))
    for source in sources
]


def kinds(source: str) -> set[str]:
    facts = facts_from_bytes(SourceFile("/m.py", "m.py", "m", False), source.encode(), "x")
    assert isinstance(facts, FileFacts)
    return {h.kind for h in facts.hazards}


@pytest.mark.parametrize(("kind", "source", "valid"), CASES, ids=[f"{k}-{'valid' if v else 'invalid'}" for k, _, v in CASES])
def test_rule_examples(kind, source, valid):
    assert (kind not in kinds(source)) == valid


def test_every_rule_has_examples_and_a_resolution():
    for rule in HAZARD_RULES:
        assert rule.VALID and rule.INVALID and rule.why and rule.resolution, rule.kind


def test_request_path_reachability(tmp_path):
    a = analyse(tmp_path, {
        "app.py": """
            import time
            from flask import Flask
            app = Flask(__name__)

            def slow():
                time.sleep(1)

            def cron():
                time.sleep(60)

            @app.get("/x")
            def view():
                slow()
        """,
    })
    found = {(h.symbol, h.in_request_path) for h in a.hazards if h.kind == "sleep"}
    assert found == {("app:slow", True), ("app:cron", False)}
