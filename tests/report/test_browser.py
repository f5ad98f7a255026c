"""The report for the sample, opened in headless Chromium: the graph renders every module, a click on
a node shows its facts, the symbol view draws a service's symbols; a screenshot is kept as an artifact
(test-artifacts/report-sample.png)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_in
from tests.report.browser import FLAGS, chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
NODE = "sample_monolith.services.orders"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    where = tmp_path_factory.mktemp("report")
    run_in(where, ["analyze", str(ROOT / "sample_monolith"), "-q"], ["plan", "-q"], ["report", "-q"])
    return where / ".decompose"


@pytest.fixture(scope="module")
def page(report):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' installs playwright")
    executable = chromium()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((report / "report.html").as_uri())
        page.wait_for_function("window.decomposeReport && window.decomposeReport.ready", timeout=60_000)
        page.errors = errors
        yield page
        browser.close()


def test_the_graph_renders_one_node_per_module(page, report):
    analysis = json.loads((report / "analysis.json").read_text())
    modules = [m for m in analysis["modules"] if not m.get("parse_error")]
    assert page.evaluate("window.decomposeReport.cy.nodes().length") == len(modules) == 45
    assert page.evaluate("window.decomposeReport.cy.edges().length") > 100
    assert page.locator("#graph canvas").count() >= 1
    assert page.errors == []


def test_clicking_a_node_shows_its_facts_and_a_screenshot_is_kept(page):
    page.locator("#graph").scroll_into_view_if_needed()  # the module graph sits below the service map
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")  # the page's scroll handler
    x, y = page.evaluate("""(id) => {
        const cy = window.decomposeReport.cy, node = cy.getElementById(id);
        cy.zoom(1.5); cy.center(node);
        const p = node.renderedPosition(), box = document.getElementById('graph').getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }""", NODE)
    page.mouse.click(x, y)
    page.wait_for_function("document.querySelector('#details h2') !== null")
    details = page.inner_text("#details")
    assert NODE in details and "service orders" in details
    assert "STRONGEST TIES" in details.upper() and "sample_monolith.models.commerce" in details
    page.evaluate("window.decomposeReport.cy.fit(undefined, 20)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-sample.png"), full_page=True)
    assert (ARTIFACTS / "report-sample.png").stat().st_size > 10_000


def test_the_symbol_view_draws_one_service_on_demand(page):
    expected = page.evaluate("window.decomposeReport.data.symbols.rows.filter(r => r[4] === 'orders').length")
    page.select_option("#scope", "orders")
    assert page.evaluate("window.decomposeReport.cy.nodes().length") == expected > 5
    page.click("#view-modules")
    assert page.evaluate("window.decomposeReport.cy.nodes().length") == 45


def test_the_tables_list_services_hazards_and_what_was_not_analysed(page):
    assert "baseline" in page.inner_text("#tab-services") and "orders" in page.inner_text("#tab-services")
    page.click("nav.tabs button[data-tab=hazards]")
    hazards = page.inner_text("#tab-hazards")
    assert "filesystem-write" in hazards and "S3" in hazards
    page.click("nav.tabs button[data-tab=migration]")
    assert "Tables used by more than one service" in page.inner_text("#tab-migration")
