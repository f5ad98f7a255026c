"""Benchmark the HTML report on a real codebase: build time, file size, and how fast it opens and
stays usable in headless Chromium (Debian's chromium, driven by Playwright).

    decompose analyze /path/to/saleor/saleor --out /tmp/an_saleor -q
    decompose plan -a /tmp/an_saleor/analysis.json -p /tmp/an_saleor/plan.toml -q      # optional
    python benchmarks/report_bench.py /tmp/an_saleor/analysis.json [--plan /tmp/an_saleor/plan.toml] [--repeat 3]

Prints one table row per phase, medians of --repeat runs: building the data and HTML, opening the
page until the graph is interactive, a click on a node until its details show, and the symbol view
of the largest service (or module).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from decompose.cli.report_cmd import write_report
from decompose.report.api import report_data
from tests.report.browser import FLAGS, chromium


def measure(analysis: Path, plan: Path | None, out: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    data = report_data(analysis, plan)
    write_report(data, out)
    timings = {"build (data + HTML)": time.perf_counter() - started}
    scope = _largest_scope(data)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        started = time.perf_counter()
        page.goto(out.as_uri())
        page.wait_for_function("window.decomposeReport && window.decomposeReport.ready", timeout=300_000)
        timings["open until interactive"] = time.perf_counter() - started
        node = data["nodes"][len(data["nodes"]) // 2]["id"]
        started = time.perf_counter()
        page.evaluate("(id) => window.decomposeReport.select(id)", node)
        page.wait_for_function("(id) => document.querySelector('#details h2')?.textContent === id", arg=node)
        timings["click a node until details"] = time.perf_counter() - started
        started = time.perf_counter()
        page.select_option("#scope", scope)
        page.wait_for_function("window.decomposeReport.cy.nodes().length > 0")
        timings[f"symbol view of {scope}"] = time.perf_counter() - started
        timings["symbols drawn"] = page.evaluate("window.decomposeReport.cy.nodes().length")
        browser.close()
    return timings


def _largest_scope(data: dict) -> str:
    if data["services"]:
        return max(data["services"], key=lambda s: (s["symbols"], s["name"]))["name"]
    counts: dict[int, int] = {}
    for row in data["symbols"]["rows"]:
        counts[row[1]] = counts.get(row[1], 0) + 1
    return data["symbols"]["modules"][max(counts, key=lambda k: (counts[k], -k))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("analysis", type=Path)
    parser.add_argument("--plan", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.html"
        runs = [measure(args.analysis, args.plan, out) for _ in range(args.repeat)]
        size = out.stat().st_size
    print(f"{args.analysis}: report {size / 1024 / 1024:.1f} MiB, plan {'yes' if args.plan else 'no'}, "
          f"medians of {args.repeat}")
    print("| phase | seconds |")
    print("|---|---:|")
    for phase in runs[0]:
        value = statistics.median(r[phase] for r in runs)
        print(f"| {phase} | {value:.0f} |" if phase == "symbols drawn" else f"| {phase} | {value:.2f} |")


if __name__ == "__main__":
    main()
