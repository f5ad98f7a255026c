"""Every artefact, corrupted every way we know, through every command that reads it: exit 2, one line
of error (and the CLI's next-step line), no traceback, and the file byte-identical afterwards.

The sample is analysed, planned, generated, routed (gateway init) and given contracts (recorded from a
small gateway-style recording) once per session; each test works on its own copy."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import tomlkit
from typer.testing import CliRunner

from decompose.analysis.model import SCHEMA_VERSION as ANALYSIS_VERSION
from decompose.artefacts import ANALYSIS, CONTRACT, GENERATION, LATENCY, PLAN, VERDICTS, Kind, check, schema
from decompose.artefacts.validate import SchemaError, check_schema, first_problem
from decompose.cli import app
from decompose.contracts.build import read_contract
from decompose.errors import UserError
from decompose.generation import writer
from decompose.planning.plan import PLAN_SCHEMA_VERSION
from tests.helpers import run_in
from tests.sample import ROOT, SAMPLE, WORLD

runner = CliRunner()
Corrupt = Callable[[bytes], bytes]


def exchange(target: str, status: int, body: str) -> dict:
    return {"request": {"method": "GET", "target": target, "headers": [["accept", "application/json"]], "body": {"text": ""}},
            "answer": {"status": status, "headers": [["content-type", "application/json"]], "body": {"text": body}}, "ms": 1.5}


@pytest.fixture(scope="session")
def project(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("artefacts")
    run_in(where, ["analyze", str(SAMPLE), "-q"], ["plan", "-q"], ["generate", "-q"], ["gateway", "init", "-q"])
    traffic = [{"format": 1, "scenario": "browse", "upstream": "monolith", "exchange": exchange("/", 200, "{}")}]
    (where / "traffic.jsonl").write_text("".join(json.dumps(line) + "\n" for line in traffic))
    run_in(where, ["contracts", "record", "-q", "--from", "traffic.jsonl"])
    return where


@pytest.fixture
def copy(project, tmp_path) -> Path:
    where = tmp_path / "project"
    shutil.copytree(project, where, symlinks=True)
    return where


# ---- the corruptions -------------------------------------------------------------------------------


def json_edit(edit: Callable[[dict], None]) -> Corrupt:
    def corrupt(data: bytes) -> bytes:
        document = json.loads(data)
        edit(document)
        return json.dumps(document).encode()
    return corrupt


def toml_edit(edit: Callable[[tomlkit.TOMLDocument], None]) -> Corrupt:
    def corrupt(data: bytes) -> bytes:
        document = tomlkit.parse(data.decode())
        edit(document)
        return tomlkit.dumps(document).encode()
    return corrupt


def setting(key: str, value) -> Callable[[dict], None]:
    return lambda document: document.__setitem__(key, value)


def removing(key: str) -> Callable[[dict], None]:
    return lambda document: document.pop(key)


def first_value(key: str, inner: str, value) -> Callable[[dict], None]:
    """document[key]'s first entry (list item or table value) gets `inner` = value."""
    def edit(document: dict) -> None:
        container = document[key]
        entry = container[0] if isinstance(container, list) else container[sorted(container)[0]]
        entry[inner] = value
    return edit


COMMON: dict[str, Corrupt] = {
    "truncated": lambda data: data[: len(data) // 2],
    "empty": lambda data: b"",
    "binary": lambda data: b"\x00\x9f\x92\x96\xff\xfe" * 40,
}
JSON: dict[str, Corrupt] = {
    **COMMON,
    "not-json": lambda data: b"this is not JSON {",
    "wrong-top-type": lambda data: b"[1, 2, 3]\n",
    "nan": lambda data: data.replace(b"\"schema_version\": 1", b"\"schema_version\": NaN", 1),
    "future-version": json_edit(setting("schema_version", 999)),
    "old-version": json_edit(setting("schema_version", 0)),
    "version-as-text": json_edit(setting("schema_version", "1")),
}
TOML: dict[str, Corrupt] = {**COMMON, "not-toml": lambda data: b"[[[ this is not TOML"}

# artefact -> (its path in the project, its corruptions)
ARTEFACTS: dict[str, tuple[str, dict[str, Corrupt]]] = {
    "analysis": (".decompose/analysis.json", {
        **JSON, "missing-modules": json_edit(removing("modules")),
        "garbage-edges": json_edit(setting("edges", [{"src": 1, "dst": None}])),
        "garbage-edge-weight": json_edit(first_value("edges", "weight", "heavy")),
        "garbage-location": json_edit(first_value("edges", "locations", [{"path": "x.py", "line": "one"}])),
    }),
    "plan": ("decompose.toml", {
        **TOML, "wrong-top-type": toml_edit(setting("services", 3)),
        "missing-version": toml_edit(removing("schema_version")),
        "future-version": toml_edit(setting("schema_version", 999)),
        "old-version": toml_edit(setting("schema_version", 0)),
        "garbage-service": toml_edit(lambda doc: doc["services"].__setitem__("cart", 5)),
        "garbage-constraints": toml_edit(setting("constraints", [1, 2])),
    }),
    "contract": ("contracts/admin.json", {
        **JSON, "missing-scenarios": json_edit(removing("scenarios")),
        "format-999": json_edit(lambda doc: (doc.pop("schema_version"), doc.__setitem__("format", 999))),
        "garbage-samples": json_edit(first_value("routes", "samples", "many")),
        "garbage-exchange": json_edit(first_value("scenarios", "exchanges", [{"route": 5}])),
        "other-service": json_edit(setting("service", "cart")),
        "unplanned-service": json_edit(setting("service", "billing")),
    }),
    "latency": (".decompose/latency.json", {
        **JSON, "missing-routes": json_edit(removing("routes")),
        "garbage-p95": json_edit(lambda doc: doc["routes"].__setitem__("GET /", {"p95_ms": "fast", "samples": 1})),
        "negative-p95": json_edit(lambda doc: doc["routes"].__setitem__("GET /", {"p95_ms": -1, "samples": 1})),
    }),
    "generation": ("services/generation.json", {
        **JSON, "missing-services": json_edit(removing("services")),
        "garbage-service-name": json_edit(first_value("services", "name", 7)),
    }),
    "manifest": ("services/.decompose-generated.json", {
        **JSON, "missing-files": json_edit(removing("files")),
        "garbage-files": json_edit(setting("files", {"cart/app.py": 5})),
    }),
    "routes": ("routes.toml", {
        **TOML, "wrong-top-type": toml_edit(setting("routes", 3)),
        "garbage-route": toml_edit(lambda doc: doc["routes"].__setitem__("GET /", 5)),
        "garbage-mode": toml_edit(lambda doc: doc["routes"].__setitem__("GET /", {"owner": "admin", "mode": "sometimes"})),
    }),
}

# every command that reads each artefact (commands that start servers are left out: `gateway up`, `serve`)
COMMANDS: dict[str, list[list[str]]] = {
    "analysis": [["plan"], ["plan", "--check"], ["check"], ["generate"], ["report"], ["gateway", "init"],
                 ["contracts", "record", "--from", "traffic.jsonl", "--out", "new-contracts"]],
    "plan": [["plan"], ["plan", "--check"], ["check"], ["generate"], ["report"], ["gateway", "init"], ["gateway", "template"],
             ["contracts", "record", "--from", "traffic.jsonl", "--out", "new-contracts"], ["contracts", "verify"]],
    "contract": [["contracts", "verify"]],
    "latency": [["contracts", "verify"], ["gateway", "template"]],
    "generation": [["contracts", "verify", "--target", "services"]],
    "manifest": [["generate"]],
    "routes": [["gateway", "status"], ["gateway", "route", "shadow", "GET /"], ["gateway", "template"], ["gateway", "init"]],
}


def cases():
    for artefact, (_, corruptions) in ARTEFACTS.items():
        for corruption in corruptions:
            for command in COMMANDS[artefact]:
                if (artefact, corruption, command[-1]) == ("routes", "empty", "init"):
                    continue  # an empty routes.toml holds no one's work: init writes it (test_init_fills_an_empty_table)
                yield pytest.param(artefact, corruption, command, id=f"{artefact}-{corruption}-{'-'.join(command)}")


def test_init_fills_an_empty_table(copy: Path, monkeypatch) -> None:
    table = copy / "routes.toml"
    table.write_bytes(b"\n")
    monkeypatch.chdir(copy)
    result = runner.invoke(app, ["gateway", "init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = tomlkit.parse(table.read_text(encoding="utf-8"))
    assert written["gateway"]["services_database"] == "shared" and len(written["routes"]) == 51


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def refused(result, path: Path) -> list[str]:
    """The output's lines, once it is one error naming the file (and the next step), with exit 2."""
    lines = result.output.strip("\n").splitlines()
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    assert 1 <= len(lines) <= 2 and lines[0].startswith("error: ") and path.name in lines[0], result.output
    assert len(lines) == 1 or lines[1].startswith("  → "), result.output
    return lines


@pytest.mark.parametrize(("artefact", "corruption", "command"), list(cases()))
def test_a_corrupt_artefact_is_one_line_exit_2_and_left_as_it_was(copy, artefact, corruption, command, monkeypatch):
    relpath, corruptions = ARTEFACTS[artefact]
    path = copy / relpath
    path.write_bytes(corruptions[corruption](path.read_bytes()))
    before = snapshot(path)
    monkeypatch.chdir(copy)
    refused(runner.invoke(app, command), path)
    assert snapshot(path) == before


# ---- the schemas and their validator ------------------------------------------------------------------

KINDS = {"analysis": ANALYSIS, "plan": PLAN, "contract": CONTRACT, "latency": LATENCY, "generation": GENERATION,
         "verdicts": VERDICTS}


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_each_schema_is_a_draft_2020_12_schema_the_validator_applies_in_full(kind: Kind):
    jsonschema.Draft202012Validator.check_schema(schema(kind))
    check_schema(schema(kind))  # raises on a keyword the small validator does not know


def test_the_validator_refuses_a_schema_it_cannot_apply():
    with pytest.raises(SchemaError, match="'pattern'"):
        check_schema({"type": "object", "properties": {"name": {"type": "string", "pattern": "^a"}}})


def _no_constant(name: str):
    raise ValueError(name)


def documents(project: Path) -> list[tuple[str, str, object]]:
    """(artefact, corruption, document as parsed): every corruption of a JSON artefact that still parses."""
    found = []
    for artefact in ("analysis", "contract", "latency", "generation"):
        relpath, corruptions = ARTEFACTS[artefact]
        data = (project / relpath).read_bytes()
        found.append((artefact, "as written", json.loads(data)))
        for name, corrupt in corruptions.items():
            try:
                found.append((artefact, name, json.loads(corrupt(data), parse_constant=_no_constant)))
            except ValueError:
                continue
    return found


def test_the_validator_agrees_with_jsonschema_on_every_corruption(project):
    compared = 0
    for artefact, corruption, document in documents(project):
        if artefact == "latency" and isinstance(document, dict):
            document = LATENCY.legacy(document)
        ours = first_problem(document, schema(KINDS[artefact])) is None
        theirs = jsonschema.Draft202012Validator(schema(KINDS[artefact])).is_valid(document)
        assert ours == theirs, (artefact, corruption)
        assert ours == (corruption in ("as written", "other-service", "unplanned-service")), (artefact, corruption)
        compared += 1
    assert compared > 25


def test_versions_in_the_schemas_are_the_versions_decompose_writes(project):
    assert (ANALYSIS.version, PLAN.version, GENERATION.version) == (ANALYSIS_VERSION, PLAN_SCHEMA_VERSION, 1)
    for kind, relpath in ((CONTRACT, "contracts/admin.json"), (LATENCY, ".decompose/latency.json"),
                          (GENERATION, "services/generation.json"), (ANALYSIS, ".decompose/analysis.json")):
        assert json.loads((project / relpath).read_text())["schema_version"] == kind.version


def test_the_first_problem_is_named_by_its_json_path(tmp_path):
    with pytest.raises(UserError) as caught:
        check({"schema_version": 1, "routes": {"GET /x": {"p95_ms": 3, "samples": "two"}}}, LATENCY, tmp_path / "latency.json")
    assert caught.value.what == f"{tmp_path / 'latency.json'}: $.routes['GET /x'].samples: 'two' should be integer"


# ---- migration: files from before schema_version --------------------------------------------------------


def test_a_contract_with_format_1_reads_as_version_1_and_format_999_is_refused(project, tmp_path):
    document = json.loads((project / "contracts" / "admin.json").read_text())
    document.pop("schema_version")
    old = tmp_path / "admin.json"
    old.write_text(json.dumps({**document, "format": 1}))
    assert read_contract(old)["schema_version"] == 1
    old.write_text(json.dumps({**document, "format": 999}))
    with pytest.raises(UserError, match="written by a newer decompose"):
        read_contract(old)


def test_a_latency_file_from_before_schema_version_is_read(copy, monkeypatch):
    from decompose.contracts.verify import read_baseline

    path = copy / ".decompose" / "latency.json"
    routes = json.loads(path.read_text())["routes"]
    path.write_text(json.dumps(routes))  # what 'contracts record' wrote before: the routes alone
    assert read_baseline(path) == routes


# ---- contracts verify: what a contract says it is --------------------------------------------------------


def test_a_contract_with_no_scenario_is_nothing_to_verify_not_a_crash(copy, monkeypatch):
    empty = sorted(p.stem for p in (copy / "contracts").glob("*.json") if not json.loads(p.read_text())["scenarios"])
    assert empty, "the recording reaches one service: the others' contracts have no scenario"
    monkeypatch.chdir(copy)
    result = runner.invoke(app, ["contracts", "verify", "--only", empty[0]])
    lines = refused(result, Path("contracts"))
    assert f"nothing to verify: no recorded scenario in the contract of {empty[0]}" in lines[0]


def test_contracts_with_no_scenario_are_said_and_counted_beside_the_verified_ones(copy, monkeypatch):
    plan = copy / "decompose.toml"
    plan.write_text(plan.read_text() + "\n" + WORLD)  # the sample's [contracts] app: target monolith in-process
    contracts = sorted((copy / "contracts").glob("*.json"))
    empty = [p.stem for p in contracts if not json.loads(p.read_text())["scenarios"]]
    monkeypatch.chdir(copy)
    result = runner.invoke(app, ["contracts", "verify", "--root", str(ROOT), "--json"])
    assert result.exit_code in (0, 1) and "Traceback" not in result.output and "AttributeError" not in result.output, result.output
    for service in empty:
        assert f"nothing to verify for service {service}: its contract has no recorded scenario" in result.output
    assert f"Contracts: {len(contracts) - len(empty)} verified, {len(empty)} with nothing to verify." in result.output
    assert json.loads(result.stdout)["empty"] == empty


# ---- generate's temporary files ---------------------------------------------------------------------------


def test_a_killed_generate_leaves_nothing_the_next_run_does_not_remove(copy, monkeypatch):
    services = copy / "services"
    ours = [services / "cart" / ".app.py.0123abcd.tmp", services / "..decompose-generated.json.89abcdef.tmp",
            services / writer.SCRATCH / ".config.json.deadbeef.tmp"]
    not_ours = [services / "cart" / ".app.py.0123ABCD.tmp", services / "cart" / ".notes.txt.0123abcd.tmp",
                services / "cart" / ".app.py.tmp", services / "cart" / "app.py.0123abcd.tmp",
                services / "cart" / ".app.py.0123abcd9.tmp"]
    for path in ours + not_ours:  # what a SIGKILL in the middle of a write leaves, and look-alikes of the user's
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a file")
    monkeypatch.chdir(copy)
    result = runner.invoke(app, ["generate", "-q"])
    assert result.exit_code == 0, result.output
    assert [p for p in ours if p.exists()] == []
    assert all(p.read_bytes() == b"half a file" for p in not_ours)
    assert not (services / writer.SCRATCH).exists()  # removed once empty


def test_temporary_files_are_written_outside_every_service_folder(tmp_path):
    out = tmp_path / "services"
    seen: list[Path] = []
    real = writer.os.replace

    def spy(source, target):  # records where the temporary file was: the rename is the one moment it exists
        seen.append(Path(source))
        real(source, target)

    plan = writer.plan_writes(out, {"cart/app.py": b"app\n", "cart/.chalice/config.json": b"{}\n"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writer.os, "replace", spy)
        writer.apply(plan)
    assert seen and all(p.parent == out / writer.SCRATCH for p in seen)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == \
        [".decompose-generated.json", "cart/.chalice/config.json", "cart/app.py"]


def test_sigterm_while_writing_unwinds_like_ctrl_c_and_the_handler_is_put_back():
    import os
    import signal

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped, writer.terminate_as_exit():
        os.kill(os.getpid(), signal.SIGTERM)  # a SystemExit unwinds through write_atomic, which removes its file
    assert stopped.value.code == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == before
