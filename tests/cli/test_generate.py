"""`decompose generate` on the sample monolith: the files, safe regeneration, and the services running.

Functional tests go through typer's CliRunner. End-to-end tests run each generated service in its own
Python process (services share the monolith's module names, so two cannot live in one process):
its generated tests, an import that must load no other service's code, and `chalice package`
followed by cfn-lint.
"""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from decompose.cli import app
from tests.helpers import run_in

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_monolith"
runner = CliRunner()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The sample analysed, planned and generated once: (folder, generation report)."""
    where = tmp_path_factory.mktemp("generated")
    return where, json.loads(run_in(where, ["analyze", str(SAMPLE), "-q"], ["plan", "-q"], ["generate", "--json", "-q"]))


@pytest.fixture
def work(generated, tmp_path, monkeypatch):
    """A fresh copy of the generated sample as the current directory."""
    source, _ = generated
    for name in (".decompose", "services"):
        shutil.copytree(source / name, tmp_path / name)
    shutil.copyfile(source / "decompose.toml", tmp_path / "decompose.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def services(report: dict) -> dict[str, dict]:
    return {s["name"]: s for s in report["services"]}


# --- what is generated -----------------------------------------------------------------------------------

def test_every_route_goes_to_exactly_one_service(generated):
    where, report = generated
    analysis = json.loads((where / ".decompose" / "analysis.json").read_text())
    expected = sorted(f"{m} {r['template']}" for r in analysis["routes"] for m in r["methods"])
    served = sorted(route for s in report["services"] for route in s["routes"])
    assert served == expected
    assert len(expected) == 51


def test_each_service_is_a_chalice_project(generated):
    where, report = generated
    for name in services(report):
        folder = where / "services" / name
        for part in ("app.py", "chalicelib/__init__.py", "chalicelib/framework.py", ".chalice/config.json",
                     ".chalice/layer.json", "requirements.txt", "tests/test_routes.py"):
            assert (folder / part).is_file(), f"{name}: {part}"
        config = json.loads((folder / ".chalice" / "config.json").read_text())
        assert set(config["stages"]) == {"dev", "prod"}
        assert config["stages"]["prod"]["environment_variables"]["DECOMPOSE_INTERNAL_AUTH"] == "iam"


def test_the_shared_layer_holds_the_kernel_schema_and_runtime(generated):
    where, report = generated
    layer = where / "services" / "shared" / "python"
    assert report["shared"]["entry"] == "sample_monolith.app:create_app"
    assert "sample_monolith.models.commerce" in report["shared"]["promoted"]
    for path in ("sample_monolith/utils.py", "sample_monolith/models/commerce.py", "sample_monolith/static/index.html",
                 "decompose_runtime/bridge.py", "decompose_runtime/wire.py"):
        assert (layer / path).is_file(), path
    views = (layer / "sample_monolith" / "views" / "__init__.py").read_text()
    assert "accounts.bp" not in views and "BLUEPRINTS = (" in views  # unplugged composition root
    assert 'extend_path(__path__, __name__)' in views


def test_settings_are_referenced_never_copied(generated):
    where, report = generated
    config = json.loads((where / "services" / "cart" / ".chalice" / "config.json").read_text())
    prod = config["stages"]["prod"]["environment_variables"]
    assert prod["SAMPLE_DATABASE_URL"].startswith("{{resolve:secretsmanager:")
    assert prod["SAMPLE_UPLOAD_DIR"].startswith("{{resolve:ssm:")
    assert config["stages"]["dev"]["environment_variables"] == {}
    assert "SAMPLE_DATABASE_URL" in services(report)["cart"]["environment"]


def test_calls_into_other_services_become_clients_and_internal_endpoints(generated):
    where, report = generated
    by_name = services(report)
    cart_calls = {c["target"]: c for c in by_name["cart"]["clients"]}
    assert cart_calls["sample_monolith.services.shop:get_product"]["kind"] == "client"
    assert "sample_monolith.services.shop:get_product" in by_name["catalog"]["exposed"]
    internal = (where / "services" / "catalog" / "chalicelib" / "internal.py").read_text()
    assert "IAMAuthorizer()" in internal and '"sample_monolith.services.shop:get_product"' in internal
    # the exposed modules are imported on the first call, inside the app's context (never when app.py loads)
    assert "\nfrom sample_monolith" not in internal and '\n    from sample_monolith.services import shop\n' in internal
    compile(internal, "internal.py", "exec")
    stubs = [c for s in report["services"] for c in s["clients"] if c["kind"] == "stub"]
    assert all("cannot" in c["reason"] or "class" in c["reason"] or "literal" in c["reason"] for c in stubs)
    assert all(any(c["target"] in step for step in s["manual"]) for s in report["services"] for c in s["clients"]
               if c["kind"] == "stub")
    # a function returning a SQLAlchemy Select (no JSON value) runs where its caller does: a copy, never a stub
    copied = [step for s in report["services"] for step in s["manual"] if "_stmt: code copied from service" in step]
    assert copied and not any(c["target"].endswith("_stmt") for c in stubs)


def test_crossings_that_change_behaviour_are_listed_with_the_constraint_that_removes_them(generated):
    _, report = generated
    found = {(c["caller"], c["target"], c["kind"]) for s in report["services"] for c in s["crossings"]}
    kinds = {kind for *_, kind in found}
    assert kinds == {"transaction"}  # the sample's stub crossings were `*_stmt` functions, copied now
    # checkout flushes the order, then reserves stock elsewhere: one transaction becomes two commits
    assert any(target.endswith((":reserve", ":_adjust")) and kind == "transaction" for _, target, kind in found)
    assert report["together"] == sorted([caller, target] for caller, target, _ in found)
    orders = services(report)["orders"]
    assert any("two commits across services" in step for step in orders["manual"])


def test_hazards_carry_over_with_their_aws_resolution(generated):
    _, report = generated
    images = services(report)["images"]
    assert any(h["kind"] == "filesystem-write" and "S3" in h["resolution"] for h in images["hazards"])
    payments = services(report)["payments"]
    assert payments["timeout_s"] == 29  # a sleep in a request path


# --- safe generation -------------------------------------------------------------------------------------

def test_regenerating_gives_identical_bytes(work):
    before = tree(work / "services")
    result = runner.invoke(app, ["generate"])
    assert result.exit_code == 0, result.output
    assert tree(work / "services") == before
    wrote = next(line for line in result.output.splitlines() if line.startswith("Wrote services:"))
    assert "identical" in wrote and "create" not in wrote


def test_a_file_the_user_changed_is_kept_unless_forced(work):
    edited = work / "services" / "cart" / "app.py"
    edited.write_text(edited.read_text() + "\n# my change\n")
    result = runner.invoke(app, ["generate"])
    assert result.exit_code == 1
    assert "conflict" in result.output and "cart/app.py" in result.output
    assert edited.read_text().endswith("# my change\n")
    result = runner.invoke(app, ["generate", "--force"])
    assert result.exit_code == 0, result.output
    assert "# my change" not in edited.read_text()


def test_a_kept_file_is_named_even_with_quiet(work):
    edited = work / "services" / "cart" / "app.py"
    edited.write_text(edited.read_text() + "\n# my change\n")
    result = runner.invoke(app, ["generate", "-q"])
    assert result.exit_code == 1
    assert "conflict" in result.output and "cart/app.py" in result.output and "--force" in result.output
    assert edited.read_text().endswith("# my change\n")


def test_dry_run_writes_nothing_and_shows_the_diff(work):
    (work / "services" / "cart" / "requirements.txt").unlink()
    shutil.rmtree(work / "services" / "orders")
    before = tree(work / "services")
    result = runner.invoke(app, ["generate", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert tree(work / "services") == before
    assert "b/cart/requirements.txt" in result.stdout and "b/orders/app.py" in result.stdout


def test_a_broken_plan_is_a_clear_error(work):
    plan = work / "decompose.toml"
    plan.write_text(plan.read_text().replace('"sample_monolith.views.cart"', '"sample_monolith.views.nowhere"'))
    result = runner.invoke(app, ["generate"])
    assert result.exit_code == 2
    assert "decompose.toml" in result.output and "Traceback" not in result.output


# --- end to end: every service runs alone ----------------------------------------------------------------

def test_valid_code_libcst_cannot_rebuild_is_a_clear_error_naming_the_file(tmp_path):
    """libcst raises a TypeError building this valid line's node (LibCST#1061): analyze reads the
    file (its workers skip that check), generate stops with a message, not an internal error."""
    monolith = tmp_path / "sample_monolith"
    shutil.copytree(SAMPLE, monolith, ignore=shutil.ignore_patterns("__pycache__", ".decompose"))
    with (monolith / "views" / "cart.py").open("a") as views:
        views.write("\n_pick = () if 0 else(lambda:())\n")
    run_in(tmp_path, ["analyze", str(monolith), "-q"], ["plan", "-q"])
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = runner.invoke(app, ["generate", "--out", "out"])
    assert result.exit_code == 2, result.output
    assert "views/cart.py: libcst cannot build this file's tree (TypeError" in result.stderr
    assert "internal error" not in result.stderr and not (tmp_path / "out").exists()


def run(args: list[str], cwd: Path, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DECOMPOSE_", "PYTEST_"))}
    return subprocess.run(args, cwd=cwd, env={**environ, **env}, capture_output=True, text=True, timeout=timeout)


def run_each(names: Collection[str], command: Callable[[str], subprocess.CompletedProcess]) -> dict[str, subprocess.CompletedProcess]:
    """`command(name)` for every name (read twice, so a collection), one per core at a time: each is a
    separate interpreter."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(names, pool.map(command, names), strict=True))


def test_every_service_passes_its_generated_tests(generated):
    where, report = generated
    pytest_in = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
    before = deployable_files(where / "services")
    results = run_each(services(report), lambda name: run(pytest_in, where / "services" / name))  # at the same time
    assert len(results) == len(services(report)) > 1
    for name, result in results.items():
        assert result.returncode == 0, f"{name}:\n{result.stdout[-3000:]}{result.stderr[-2000:]}"
    assert deployable_files(where / "services") == before  # no database or upload left in a service or the layer


def deployable_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


IMPORT_ALONE = """
import json, sys
import app
app.BRIDGE.forward  # the bridge exists
from chalicelib import framework
framework.app()  # build the monolith's app with this service's blueprints only
print(json.dumps(sorted({m.__name__: getattr(m, "__file__", None) or "" for m in list(sys.modules.values())
                         if m.__name__.startswith("sample_monolith")}.items())))
"""


def test_every_service_imports_alone_without_other_services_code(generated, tmp_path):
    where, report = generated
    layer = (where / "services" / "shared" / "python").resolve()

    def import_alone(name: str) -> subprocess.CompletedProcess:  # each with its own database: they run at once
        return run([sys.executable, "-c", IMPORT_ALONE], where / "services" / name, SAMPLE_DATABASE_URL=f"sqlite:///{tmp_path / name}.db")

    results = run_each(services(report), import_alone)
    for name, result in results.items():
        folder = (where / "services" / name).resolve()
        assert result.returncode == 0, f"{name}: {result.stderr[-2000:]}"
        for module, file in json.loads(result.stdout.splitlines()[-1]):
            if file:
                assert Path(file).resolve().is_relative_to(folder) or Path(file).resolve().is_relative_to(layer), (name, module, file)


def test_chalice_package_gives_templates_cfn_lint_accepts_for_every_service_and_the_layer(generated, tmp_path):
    where, report = generated
    bin_dir = Path(sys.executable).parent
    templates = []
    for name in services(report):
        out = tmp_path / name
        result = run([str(bin_dir / "chalice"), "package", "--merge-template", ".chalice/layer.json", str(out)],
                     where / "services" / name, AWS_DEFAULT_REGION="us-east-1")
        assert result.returncode == 0, f"{name}: {result.stderr}"
        template = json.loads((out / "sam.json").read_text())
        assert template["Resources"]["APIHandler"]["Properties"]["Layers"] == [{"Ref": "SharedLayerArn"}]
        templates.append(str(out / "sam.json"))
    layer = where / "services" / "shared" / "template.yaml"
    lint = run([str(bin_dir / "cfn-lint"), *templates, str(layer)], tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert len(templates) == len(report["services"]) == 9  # the sample's services, each owning a route


def test_the_layers_runtime_ships_every_module_its_modules_import(generated):
    """decompose_runtime in the layer imports its siblings lazily (startdata -> django_data for a Django
    app): each one must be there, or a service's reset fails at the first scenario with data."""
    import ast

    where, _ = generated
    runtime = where / "services" / "shared" / "python" / "decompose_runtime"
    shipped = {p.stem for p in runtime.glob("*.py")}
    wanted = {(p.name, alias.name if node.module is None else node.module.split(".")[0])
              for p in runtime.glob("*.py") for node in ast.walk(ast.parse(p.read_text()))
              if isinstance(node, ast.ImportFrom) and node.level == 1 for alias in node.names}
    assert "startdata" in shipped and [w for w in wanted if w[1] not in shipped] == []
