"""The interface digests cover what other modules read: the project-wide passes never read a field
the context digest leaves out, and the index records every module a resolution walked through."""

from pathlib import Path

import pytest

from decompose.analysis.cache import FactCache
from decompose.analysis.discovery import discover
from decompose.analysis.facts import FileFacts
from decompose.analysis.index import Index
from decompose.analysis.interface import LOCAL_FIELDS, context_digest, resolution_digest
from decompose.analysis.link import context
from decompose.analysis.pipeline import AnalyzeOptions, analyze
from decompose.analysis.runner import collect_facts
from tests.analysis.test_incremental import SAMPLE, TREE
from tests.frameworks.test_django import PROJECT
from tests.helpers import write_tree


class Recording:
    """FileFacts that write down every field read from them."""

    def __init__(self, facts: FileFacts, seen: set[str]) -> None:
        self._facts, self._seen = facts, seen

    def __getattr__(self, name: str):
        self._seen.add(name)
        return getattr(self._facts, name)


def facts_of(root: Path) -> list[FileFacts]:
    found = discover(root)
    facts, _ = collect_facts(found.sources, FactCache(None), jobs=1)
    return [r for r in facts.all() if isinstance(r, FileFacts)]


DJANGO = {**PROJECT, "shop/views.py": PROJECT["shop/views.py"] + """
        from django.views.decorators.http import require_POST

        @require_POST
        def checkout(request): ...
"""}
DJANGO["shop/urls.py"] = DJANGO["shop/urls.py"].replace("urlpatterns = [", 'urlpatterns = [\n            path("checkout/", views.checkout),')


@pytest.mark.parametrize("tree", ["sample", "shop", "django"])
def test_project_wide_passes_read_no_local_field_but_decorator_usages(tmp_path, tree):
    trees = {"shop": (TREE, "shop"), "django": (DJANGO, "")}
    root = SAMPLE if tree == "sample" else write_tree(tmp_path, trees[tree][0]) / trees[tree][1]
    seen: set[str] = set()
    files = {f.module: Recording(f, seen) for f in facts_of(root)}
    ctx = context(Index(files))  # type: ignore[arg-type]
    assert ctx.routes  # the detectors did run over these facts
    assert seen & LOCAL_FIELDS <= {"usages"}  # views.function_methods reads decorators: in the digest


def test_context_digest_ignores_local_edits_and_sees_lines_of_declarations(tmp_path):
    write_tree(tmp_path, TREE)
    before = {f.module: f for f in facts_of(tmp_path / "shop")}
    views = tmp_path / "shop/views.py"
    views.write_text(views.read_text().replace("return str(", "x = 1; return str("))
    after = {f.module: f for f in facts_of(tmp_path / "shop")}
    same = after["shop.views"]
    assert resolution_digest(same) == resolution_digest(before["shop.views"])
    assert context_digest(same) == context_digest(before["shop.views"])  # `x = 1` is a local, no call
    views.write_text("# moved\n" + views.read_text())
    moved = {f.module: f for f in facts_of(tmp_path / "shop")}["shop.views"]
    assert resolution_digest(moved) == resolution_digest(before["shop.views"])
    assert context_digest(moved) != context_digest(before["shop.views"])  # the route's line moved


def test_resolution_records_every_module_walked_through(tmp_path):
    write_tree(tmp_path, TREE)
    index = Index(facts_of(tmp_path / "shop"))
    reads = index.recording()
    assert index.resolve("shop.api.quote").node == "shop.pricing:quote"
    assert reads == {"shop.api", "shop.pricing"}
    again = index.recording()  # a memoised answer still records what it read
    index.resolve("shop.api.quote")
    assert again == {"shop.api", "shop.pricing"}


def test_analyze_with_render_reports_the_same_summary_as_objects():
    objects = analyze(SAMPLE, AnalyzeOptions()).analysis
    rendered = analyze(SAMPLE, AnalyzeOptions(render=True)).rendered
    assert (rendered.routes, rendered.hazards, rendered.failures) == (objects.routes, objects.hazards, objects.failures)
