"""The pipeline's gateway stage checks where each request went (benchmarks.pipeline.misrouted): a moved
route's exchange to its service, one no analysed route matches (Django's admin, a mount) to the monolith.
Without it, a gateway that sent /admin/login/ to the service whose catch-all page route matched it passed
whenever that service answered the same."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.pipeline import misrouted


def _contracts(folder: Path) -> Path:
    steps = [{"route": "GET /{path}/", "service": "pages", "request": {"method": "GET", "target": "/about/"}},
             {"route": "(unrouted)", "service": "(unrouted)", "request": {"method": "GET", "target": "/admin/login/"}},
             {"route": "GET /n/{id}", "service": "notes", "request": {"method": "GET", "target": "/n/{note_id}"}}]
    folder.mkdir()
    (folder / "pages.json").write_text(json.dumps({"scenarios": [{"name": "t", "exchanges": steps}]}))
    return folder


def _exchanges(path: Path, answered: dict[str, str]) -> Path:
    lines = [{"upstream": upstream, "exchange": {"request": {"method": "GET", "target": target}}}
             for target, upstream in answered.items()]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_every_request_reached_its_planned_upstream(tmp_path):
    contracts = _contracts(tmp_path / "contracts")
    right = _exchanges(tmp_path / "right.jsonl", {"/about/": "pages", "/admin/login/": "monolith", "/n/7": "pages"})
    assert misrouted(contracts, right) == []  # /n/7: a bound target, not compared


def test_the_admin_at_a_service_and_a_moved_route_at_the_monolith_are_both_named(tmp_path):
    contracts = _contracts(tmp_path / "contracts")
    wrong = _exchanges(tmp_path / "wrong.jsonl", {"/about/": "monolith", "/admin/login/": "pages"})
    assert misrouted(contracts, wrong) == ["GET /about/ reached monolith, planned pages",
                                           "GET /admin/login/ reached pages, planned monolith"]


def test_no_recording_means_nothing_to_compare(tmp_path):
    assert misrouted(tmp_path / "absent", tmp_path / "absent.jsonl") == []
