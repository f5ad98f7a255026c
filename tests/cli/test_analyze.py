"""`decompose analyze` through the CLI on the sample monolith, with its real counts."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from decompose import __version__
from decompose.cli import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_monolith"
runner = CliRunner()


@pytest.fixture(scope="module")
def analysis(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["analyze", str(SAMPLE), "--out", str(out), "--json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (out / "analysis.json").read_text() == result.stdout
    return data


def test_counts(analysis):
    summary = analysis["summary"]
    assert summary["routes_by_framework"] == {"flask": 51}
    assert summary["tables"] == 17
    assert summary["modules"] == 45 and summary["failures"] == 0
    edges = summary["edges_by_kind"]
    assert {k: edges[k] for k in ("import", "import-lazy", "import-dynamic", "import-type-checking", "inherit", "foreign-key")} == {
        "import": 123, "import-lazy": 3, "import-dynamic": 1, "import-type-checking": 9, "inherit": 17, "foreign-key": 23,
    }
    assert (edges["table-read"], edges["table-write"]) == (59, 21)  # clear_cart & co. delete with Core statements
    assert edges["call"] > 500 and edges["reference"] > 350


def test_every_route_is_mounted_under_its_blueprint(analysis):
    routes = {(tuple(r["methods"]), r["template"]) for r in analysis["routes"]}
    assert (("POST",), "/api/orders/checkout") in routes
    assert (("GET",), "/api/catalog/products/{product_id}/photos") in routes
    assert all(r["mounted"] for r in analysis["routes"])


def test_planted_couplings_are_found(analysis):
    kinds = {(e["src"], e["dst"], e["kind"]) for e in analysis["edges"]}
    assert ("sample_monolith.services.payments", "sample_monolith.plugins.fakepay", "import-dynamic") in kinds
    assert ("sample_monolith.utils", "sample_monolith.services.accounts", "import-lazy") in kinds
    assert ("sample_monolith.models.user:User", "sample_monolith.models.commerce:Order", "string-ref") in kinds
    assert ("sample_monolith.services.orders:_build_order", "table:orders", "table-write") in kinds
    assert ("sample_monolith.services.orders:checkout", "table:orders", "table-read") not in kinds  # only `-> Order`


def test_planted_hazards_are_in_request_paths(analysis):
    found = {(h["kind"], h["symbol"].split(":")[-1]) for h in analysis["hazards"] if h["in_request_path"]}
    assert {
        ("filesystem-write", "_write_file"),
        ("background-thread", "_ensure_worker"),
        ("global-mutable-state", "_publish_committed"),
        ("process-cache", "category_tree"),
        ("sleep", "_charge_with_retry"),
        ("unbounded-loop", "sales_report"),
        ("slow-work", "recognize"),  # the labelling: hashlib.sha256 repeated RECOGNIZER_ROUNDS times
    } <= found


def test_human_summary_goes_to_stderr(tmp_path):
    result = runner.invoke(app, ["analyze", str(SAMPLE), "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Routes by framework" in result.stderr and "Wrote" in result.stderr


@pytest.mark.parametrize(("fmt", "start"), [("dot", "digraph decompose {"), ("mermaid", "graph LR"), ("graphml", "<?xml")])
def test_graph_formats(tmp_path, fmt, start):
    result = runner.invoke(app, ["analyze", str(SAMPLE), "--out", str(tmp_path), "-q", "--format", fmt])
    assert result.exit_code == 0 and result.stdout.startswith(start)


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"decompose {__version__}"


@pytest.mark.parametrize(("args", "message"), [
    (["analyze", "does/not/exist"], "does not exist"),
    (["analyze", str(SAMPLE), "--format", "xml"], "'xml' is not one of 'json', 'dot', 'mermaid', 'graphml'"),
    (["analyze", str(SAMPLE), "--level", "class"], "'class' is not one of 'module', 'symbol'"),
    (["analyze", str(SAMPLE / "app.py"), "--fail-on", "warnings"], "'warnings' is not one of 'failures', 'hazards'"),
])
def test_bad_input_is_one_clear_message_and_exit_2(tmp_path, args, message):
    """A usage error (a choice) is click's: it names the choices and the --help to read."""
    result = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.stderr and ("→" in result.stderr or "--help" in result.stderr)
    assert "Traceback" not in result.stderr


def test_empty_folder_says_what_to_do(tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["analyze", str(tmp_path / "empty"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no Python files" in result.stderr


def test_unchanged_tree_reuses_analysis_json_and_a_hand_edited_one_is_rewritten(tmp_path):
    out = tmp_path / "out"
    first = runner.invoke(app, ["analyze", str(SAMPLE), "--out", str(out), "--json"])
    second = runner.invoke(app, ["analyze", str(SAMPLE), "--out", str(out), "--json"])
    assert second.exit_code == 0 and "up to date" in second.stderr
    assert second.stdout == first.stdout
    assert "Routes by framework" in second.stderr  # the summary comes from the stored view
    (out / "analysis.json").write_text("{}")
    third = runner.invoke(app, ["analyze", str(SAMPLE), "--out", str(out), "--json"])
    assert "Wrote" in third.stderr and third.stdout == first.stdout
    assert (out / "analysis.json").read_text() == first.stdout


def test_an_unwritable_out_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    result = runner.invoke(app, ["analyze", str(SAMPLE), "--out", str(blocker)])
    assert result.exit_code == 2
    assert "not-a-folder" in result.stderr and "--out" in result.stderr and "internal error" not in result.stderr
    assert blocker.read_text() == "a file where the output folder should be"  # the user's file is untouched
