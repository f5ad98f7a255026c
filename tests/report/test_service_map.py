"""The service map, first on the page, opened in headless Chromium for the sample and a zoo app:
every planned service is on it with its route count, a click opens its card (routes, tables, calls),
and the migration waves are listed. Screenshots go to test-artifacts/ (gitignored).

With DECOMPOSE_CORPUS set to the corpus checkouts (benchmarks/corpus.py's CORPUS_DIR), the same test
also opens the report of each of CORPUS_REPORTS found there (never committed, so CI skips them)."""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from pathlib import Path

import pytest

from tests.helpers import run_in
from tests.report.browser import FLAGS, chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
APPS = {"sample": ROOT / "sample_monolith", "zoo-blueprints": ROOT / "tests" / "zoo" / "apps" / "blueprint_attribute_chains"}
CORPUS_REPORTS = ("flasky", "microblog-api")


def corpus_apps() -> dict[str, Path]:
    """The corpus apps of CORPUS_REPORTS checked out under $DECOMPOSE_CORPUS: their project roots."""
    corpus = os.environ.get("DECOMPOSE_CORPUS")
    if not corpus:
        return {}
    manifest = tomllib.loads((ROOT / "benchmarks" / "corpus" / "manifest.toml").read_text())["apps"]
    found = {f"corpus-{name}": Path(corpus) / name / manifest[name].get("root", ".") for name in CORPUS_REPORTS}
    return {name: path.resolve() for name, path in found.items() if path.is_dir()}


APPS.update(corpus_apps())


def build_report(source: Path, where: Path) -> Path:
    """analyze, plan, report on a copy of `source` in `where`; returns the folder with report.html."""
    shutil.copytree(source, where / source.name, ignore=shutil.ignore_patterns("__pycache__", ".decompose", ".git", "node_modules"))
    run_in(where, ["analyze", source.name, "-q"], ["plan", "-q"], ["report", "-q"])
    return where / ".decompose"


def open_report(playwright, report: Path):
    browser = playwright.chromium.launch(executable_path=chromium(), args=FLAGS, headless=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((report / "report.html").as_uri())
    page.wait_for_function("window.decomposeReport && window.decomposeReport.ready", timeout=60_000)
    return browser, page, errors


def check_map(page, report: Path, name: str) -> None:
    data = json.loads((report / "report.html").read_text().split('id="report-data" type="application/json">')[1]
                      .split("</script>")[0])
    services = [n for n in data["service_map"]["nodes"] if n["kind"] == "service"]
    assert services, "the plan has services"
    labels = page.evaluate("window.decomposeReport.map.nodes().map(n => [n.id(), n.data('label')])")
    shown = dict(labels)
    for service in services:
        count = len(service["routes"])
        assert f"{count} route{'' if count == 1 else 's'}" in shown[service["id"]], (service["id"], shown[service["id"]])
    box = page.locator("#service-map").bounding_box()
    assert box["y"] < 120 and box["height"] > 400, "the map is first on the page"
    # the visible map fits: every service node is inside the map's box at the default zoom
    inside = page.evaluate("""() => { const m = window.decomposeReport.map, w = m.width(), h = m.height();
        return m.nodes().every(n => { const p = n.renderedPosition(); return p.x > 0 && p.y > 0 && p.x < w && p.y < h; }); }""")
    assert inside
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"service-map-{name}-overview.png"))
    busiest = max(services, key=lambda s: (len(s["routes"]) + len(s["calls_out"]) + len(s["calls_in"]), s["id"]))
    x, y = page.evaluate("""(id) => { const n = window.decomposeReport.map.getElementById(id), p = n.renderedPosition(),
        b = document.getElementById('service-map').getBoundingClientRect(); return [b.left + p.x, b.top + p.y]; }""",
                         busiest["id"])
    page.mouse.click(x, y)
    page.wait_for_function("document.querySelector('#card h2') !== null")
    card = page.inner_text("#card")
    assert busiest["id"] in card
    for route in busiest["routes"][:5]:
        assert route in card
    for heading in ("ROUTES", "TABLES OWNED", "TABLES TOUCHED", "CALLS OUT", "CALLS IN", "HAZARDS", "CONTRACT"):
        assert heading in card.upper()
    for call in busiest["calls_out"]:
        assert f"→ {call['service']} ×{call['calls']}" in card
    for table in busiest["tables"]:
        assert table in card
    waves = page.inner_text("#waves")
    assert "Wave 1" in waves and "decompose gateway route service --service" in waves
    page.screenshot(path=str(ARTIFACTS / f"service-map-{name}.png"))
    assert (ARTIFACTS / f"service-map-{name}.png").stat().st_size > 10_000


@pytest.mark.parametrize("name", sorted(APPS))
def test_the_service_map_shows_every_service_and_opens_its_card(name, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' installs playwright")
    report = build_report(APPS[name], tmp_path)
    with sync_api.sync_playwright() as playwright:
        browser, page, errors = open_report(playwright, report)
        try:
            check_map(page, report, name)
            assert errors == []
        finally:
            browser.close()
