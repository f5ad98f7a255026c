"""Every hazard rule's VALID examples yield nothing of its kind; every INVALID example yields it."""

import pytest

from decompose.analysis.facts import FileFacts
from decompose.analysis.hazards import HAZARD_RULES
from decompose.analysis.parse import facts_from_bytes
from decompose.analysis.sources import SourceFile
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


def test_graphql_resolvers_are_request_entry_points(tmp_path):
    """Graphene resolve_*/mutate methods, Strawberry and Ariadne decorators serve requests."""
    a = analyse(tmp_path, {
        "api/__init__.py": "",
        "api/work.py": """
            import time
            import subprocess
            def slow_lookup():
                time.sleep(1)
            def export():
                subprocess.run(["pg_dump"])
            def cron_only():
                time.sleep(60)
        """,
        "api/graphene_schema.py": """
            import graphene
            from api.work import slow_lookup
            class Query(graphene.ObjectType):
                products = graphene.List(graphene.String)
                @staticmethod
                def resolve_products(root, info):
                    return slow_lookup()
        """,
        "api/strawberry_schema.py": """
            import strawberry
            from api import work
            @strawberry.type
            class Mutation:
                @strawberry.mutation
                def export(self) -> bool:
                    work.export()
                    return True
        """,
    })
    marked = {(h.symbol, h.in_request_path) for h in a.hazards}
    assert ("api.work:slow_lookup", True) in marked
    assert ("api.work:export", True) in marked
    assert ("api.work:cron_only", False) in marked


def test_a_class_held_in_a_module_level_registry_is_reached_through_it(tmp_path):
    """CTFd's `UPLOADERS = {"filesystem": FilesystemUploader, ...}` and `UPLOADERS.get(kind)()`: the request
    that calls get_uploader reaches the uploader's file writes; a class no registry holds is not reached."""
    a = analyse(tmp_path, {
        "uploaders.py": """
            class FilesystemUploader:
                def store(self, data, location):
                    with open(location, "wb") as handle:
                        handle.write(data)

            class Archiver:
                def store(self, data, location):
                    with open(location, "wb") as handle:
                        handle.write(data)
        """,
        "uploads.py": """
            from uploaders import Archiver, FilesystemUploader

            UPLOADERS = {"filesystem": FilesystemUploader}

            def get_uploader(kind="filesystem"):
                return UPLOADERS.get(kind)()
        """,
        "app.py": """
            from flask import Flask, request
            from uploads import get_uploader
            app = Flask(__name__)

            @app.post("/files")
            def upload():
                get_uploader().store(request.data, "/srv/files/a")
        """,
    })
    found = {(h.symbol, h.in_request_path) for h in a.hazards if h.kind == "filesystem-write"}
    assert found == {("uploaders:FilesystemUploader", True), ("uploaders:Archiver", False)}


def test_work_handed_to_a_queue_is_not_in_the_request_path(tmp_path):
    a = analyse(tmp_path, {
        "app.py": """
            import subprocess
            from celery import shared_task
            from flask import Flask
            app = Flask(__name__)

            @shared_task
            def dump():
                subprocess.run(["pg_dump"])

            @app.post("/exports")
            def start():
                dump.delay()
        """,
    })
    assert {(h.symbol, h.in_request_path) for h in a.hazards} == {("app:dump", False)}
