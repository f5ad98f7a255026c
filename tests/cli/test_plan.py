"""`decompose plan` through the CLI on the sample monolith: the plan file, --check, --explain, re-plans."""

import json
import shutil
from pathlib import Path

import pytest
import tomlkit
from typer.testing import CliRunner

from decompose.cli import app
from decompose.generation.crossings import Crossing
from tests.helpers import run_in

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_monolith"
TRUTH = SAMPLE / "ground_truth.toml"
PLAN = "decompose.toml"
runner = CliRunner()


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The sample analysed and planned once: a folder with .decompose/analysis.json and decompose.toml."""
    where = tmp_path_factory.mktemp("planned")
    return where, json.loads(run_in(where, ["analyze", str(SAMPLE), "-q"], ["plan", "--json", "-q"]))


@pytest.fixture(scope="module")
def scored(planned):
    """`plan --json --ground-truth`: scores and baseline scores with MoJoFM (in a plan file of its own)."""
    where, _ = planned
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(where)
        result = runner.invoke(app, ["plan", "--json", "-q", "--ground-truth", str(TRUTH), "--plan", "scored.toml"])
        assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def work(planned, tmp_path, monkeypatch):
    """A fresh copy of the analysed and planned sample as the current directory."""
    source, _ = planned
    shutil.copytree(source / ".decompose", tmp_path / ".decompose")
    shutil.copyfile(source / PLAN, tmp_path / PLAN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def analysis_data(work: Path) -> dict:
    return json.loads((work / ".decompose" / "analysis.json").read_text())


def load_plan(path: Path = Path(PLAN)) -> tomlkit.TOMLDocument:
    return tomlkit.parse(path.read_text(encoding="utf-8"))


def save_plan(doc: tomlkit.TOMLDocument, path: Path = Path(PLAN)) -> None:
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def check_problems() -> tuple[int, list[tuple[str, str]]]:
    result = runner.invoke(app, ["plan", "--check", "--json", "-q"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, [(p["where"], p["what"]) for p in json.loads(result.stdout)["problems"]]


def home_of(doc: tomlkit.TOMLDocument, element: str) -> str | None:
    """The service (or "shared") whose modules or symbols list `element` or its module."""
    module = element.partition(":")[0]
    places = {"shared": doc["shared"], **doc["services"]}
    for name, body in places.items():
        if element in body["symbols"] or module in body["modules"]:
            return name
    return None


# ---------------------------------------------------------------- plan writes decompose.toml

def test_plan_writes_a_parsable_plan(work):
    doc = load_plan().unwrap()
    assert doc["schema_version"] == 1
    assert doc["plan"]["strategy"] == "louvain" and len(doc["services"]) >= 2
    assert set(doc) == {"schema_version", "plan", "constraints", "shared", "services", "remediate"}


def test_every_route_is_in_exactly_one_service(work):
    routes = {f"{m} {r['template']}" for r in analysis_data(work)["routes"] for m in r["methods"]}
    listed = [r for body in load_plan().unwrap()["services"].values() for r in body["routes"]]
    assert sorted(listed) == sorted(routes)


def test_every_table_is_in_exactly_one_service(work):
    tables = {t["name"] for t in analysis_data(work)["tables"]}
    listed = [t for body in load_plan().unwrap()["services"].values() for t in body["tables"]]
    assert sorted(listed) == sorted(tables)


def test_planning_twice_gives_the_same_file(work):
    first = Path(PLAN).read_bytes()
    Path(PLAN).unlink()
    assert runner.invoke(app, ["plan", "-q"]).exit_code == 0
    assert Path(PLAN).read_bytes() == first


def test_planning_again_over_an_untouched_plan_keeps_it(work):
    first = Path(PLAN).read_bytes()
    assert runner.invoke(app, ["plan", "-q"]).exit_code == 0
    assert Path(PLAN).read_bytes() == first


def test_json_output_has_scores_and_baseline(planned, scored):
    _, data = planned
    for key in ("scores", "baseline"):
        assert {"icp", "ifn", "sm", "services"} <= data[key].keys() and "mojofm" not in data[key]
        assert scored[key]["mojofm"] is not None
    assert data["baseline"]["services"] >= 1 and data["unhonoured"] == []
    assert [s["name"] for s in data["services"]] == sorted(s["name"] for s in data["services"])


def test_human_summary_goes_to_stderr(work):
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == 0 and result.stdout == ""
    assert "Scores vs baseline" in result.stderr and "Wrote decompose.toml" in result.stderr


# ---------------------------------------------------------------- quality gate

def test_sample_plan_beats_the_baseline(scored):
    ours, baseline = scored["scores"], scored["baseline"]
    assert ours["icp"] < baseline["icp"]
    assert ours["ifn"] < baseline["ifn"]
    assert ours["mojofm"] > baseline["mojofm"]


def test_sample_plan_matches_ground_truth_domains(scored):
    assert scored["scores"]["mojofm"] >= 90


# ---------------------------------------------------------------- plan --check

def test_check_of_the_untouched_plan_finds_nothing(work):
    result = runner.invoke(app, ["plan", "--check"])
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.stderr


def _services(doc) -> list[str]:
    return list(doc["services"])


def _unknown_symbol(doc):
    name = _services(doc)[0]
    symbols = doc["services"][name]["symbols"]
    symbols.append("sample_monolith.nope:missing")
    return [(f"services.{name}.symbols[{len(symbols) - 1}]", "unknown symbol 'sample_monolith.nope:missing'")]


def _table_twice(doc):
    """A table of one service listed again by a service after it (the first listed owns it)."""
    names = _services(doc)
    owner = next(n for n in names[:-1] if doc["services"][n]["tables"])
    other = names[-1]
    table = doc["services"][owner]["tables"][0]
    tables = doc["services"][other]["tables"]
    tables.append(table)
    return [(f"services.{other}.tables[{len(tables) - 1}]", f"table {table!r} has two owners: {owner} and {other}")]


def _route_moved(doc):
    names = _services(doc)
    owner = [n for n in names if doc["services"][n]["routes"]][-1]
    other = next(n for n in names if n != owner)
    route = str(doc["services"][owner]["routes"][0])
    doc["services"][owner]["routes"].remove(route)
    routes = doc["services"][other]["routes"]
    routes.append(route)
    return [(f"services.{other}.routes[{len(routes) - 1}]", f"route {route!r} is handled by code placed in {owner}")]


def _routes_by_module() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for route in json.loads(Path(".decompose/analysis.json").read_text())["routes"]:
        for method in route["methods"]:
            found.setdefault(route["module"], []).append(f"{method} {route['template']}")
    return found


def _handler_module_to_shared(doc):
    """A whole module of route handlers moved to [shared] (and its routes taken off the service)."""
    by_module = _routes_by_module()
    owner, module = next((n, m) for n in _services(doc) for m in doc["services"][n]["modules"] if m in by_module)
    doc["services"][owner]["modules"].remove(module)
    routes = doc["services"][owner]["routes"]
    for route in by_module[module]:
        routes.remove(route)
    shared = doc["shared"]["modules"]
    shared.append(module)
    at = f"shared.modules[{len(shared) - 1}]"
    return [(at, f"route {r!r} left without a service: its handler is in shared") for r in sorted(by_module[module])]


def _module_twice(doc):
    names = _services(doc)
    owner = next(n for n in names[:-1] if doc["services"][n]["modules"])
    other = names[-1]
    module = str(doc["services"][owner]["modules"][0])
    modules = doc["services"][other]["modules"]
    modules.append(module)
    return [(f"services.{other}.modules[{len(modules) - 1}]", f"{module} is also placed by services.{owner}.modules[0]")]


def _bad_service_name(doc):
    """The last service renamed (it stays last, so the other injections still see the same order)."""
    services = doc["services"]
    name = _services(doc)[-1]
    bad = name.title().replace("-", "_") + "_Service"
    body = services[name]
    del services[name]
    services[bad] = body
    return [(f"services.{bad}", "a service name is lower-case letters, digits and hyphens, and not 'shared'")]


# In this order they can all go into one plan: the renamed service stays last, and the route moved
# after the handler module went to [shared] is appended at an index that then stays true.
BREAKS = [_bad_service_name, _unknown_symbol, _table_twice, _handler_module_to_shared, _route_moved, _module_twice]


@pytest.mark.parametrize("breaking", BREAKS, ids=lambda f: f.__name__.strip("_"))
def test_check_names_the_field_in_error(work, breaking):
    doc = load_plan()
    expected = breaking(doc)
    save_plan(doc)
    assert check_problems() == (1, expected)


def test_check_reports_every_injected_error_at_once(work):
    doc = load_plan()
    expected = [problem for breaking in BREAKS for problem in breaking(doc)]
    save_plan(doc)
    status, found = check_problems()
    assert status == 1 and sorted(found) == sorted(expected)


def test_check_prints_each_problem_with_its_field(work):
    doc = load_plan()
    where, what = _table_twice(doc)[0]
    save_plan(doc)
    result = runner.invoke(app, ["plan", "--check"])
    assert result.exit_code == 1
    assert f"decompose.toml: {where}: {what}" in result.stderr and "1 problem(s)" in result.stderr


# ---------------------------------------------------------------- planning again

def _hand_edit() -> bytes:
    doc = load_plan()
    moved = doc["services"]["cart"]["modules"].pop(0)
    doc["services"]["orders"]["modules"].append(moved)
    save_plan(doc)
    return Path(PLAN).read_bytes()


def test_replanning_refuses_to_replace_hand_edits(work):
    edited = _hand_edit()
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == 2
    assert "--force" in result.stderr and "--check" in result.stderr
    assert Path(PLAN).read_bytes() == edited
    assert not Path(PLAN + ".bak").exists()


def test_force_replaces_hand_edits_and_keeps_a_backup(work, planned):
    source, _ = planned
    edited = _hand_edit()
    result = runner.invoke(app, ["plan", "--force", "-q"])
    assert result.exit_code == 0, result.output
    assert Path(PLAN + ".bak").read_bytes() == edited
    assert Path(PLAN).read_bytes() != edited
    assert load_plan()["services"].unwrap() == load_plan(source / PLAN)["services"].unwrap()


def test_constraints_comment_and_pin_survive_a_replan(work):
    doc = load_plan()
    names = list(doc["services"])
    first = next(n for n in names if doc["services"][n]["symbols"])
    symbol, target = str(doc["services"][first]["symbols"][-1]), next(n for n in names if n != first)
    doc["constraints"]["pin"][symbol] = target
    doc["constraints"].add(tomlkit.comment("keep this one where the team wants it"))
    save_plan(doc)
    result = runner.invoke(app, ["plan", "-q"])
    assert result.exit_code == 0, result.output
    assert "# keep this one where the team wants it" in Path(PLAN).read_text()
    replanned = load_plan()
    assert replanned["constraints"]["pin"].unwrap() == {symbol: target}
    assert home_of(replanned, symbol) == target
    assert check_problems() == (0, [])


def test_a_bad_constraint_stops_the_replan(work):
    doc = load_plan()
    doc["constraints"]["max_services"] = -1
    save_plan(doc)
    before = Path(PLAN).read_bytes()
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == 2
    assert "constraints.max_services" in result.stderr
    assert Path(PLAN).read_bytes() == before


def test_a_pin_to_an_invalid_service_name_stops_the_replan(work):
    doc = load_plan()
    doc["constraints"]["pin"]["sample_monolith.services.orders"] = "Order History"
    save_plan(doc)
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == 2
    assert "constraints.pin['sample_monolith.services.orders']: 'Order History' is no service name" in result.stderr


def test_the_refusal_names_the_backup_of_the_plan_it_protects(work):
    Path(PLAN).rename("other.toml")
    doc = load_plan(Path("other.toml"))
    doc["services"][next(iter(doc["services"]))]["symbols"].append("sample_monolith.services.orders:checkout")
    save_plan(doc, Path("other.toml"))
    result = runner.invoke(app, ["plan", "--plan", "other.toml"])
    assert result.exit_code == 2 and "other.toml.bak" in result.stderr


# ---------------------------------------------------------------- --explain

SIGNUP = "sample_monolith.services.accounts:signup"  # writes table:users 3 times: its strongest tie


def test_explain_prints_the_service_and_the_ties(work):
    doc = load_plan()
    home, users_home = home_of(doc, SIGNUP), home_of(doc, "sample_monolith.models.user:User")
    result = runner.invoke(app, ["plan", "--explain", SIGNUP])
    assert result.exit_code == 0, result.output
    assert f"{SIGNUP} is in {home}" in result.stderr
    assert "Strongest ties inside:" in result.stderr and "Strongest ties outside:" in result.stderr
    assert f"table:users ({users_home}): table-write out x3" in result.stderr


def test_explain_accepts_a_dotted_name_and_answers_json(work):
    result = runner.invoke(app, ["plan", "--explain", SIGNUP.replace(":", "."), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["element"], data["home"]) == (SIGNUP, home_of(load_plan(), SIGNUP))
    assert all(t["home"] == data["home"] for t in data["inside"])
    assert all(t["home"] != data["home"] for t in data["outside"])
    strongest = max(data["inside"] + data["outside"], key=lambda t: t["weight"])
    assert (strongest["other"], strongest["kinds"]) == ("table:users", {"table-write out": 3})


def test_explain_of_an_unknown_name_is_a_clear_error(work):
    result = runner.invoke(app, ["plan", "--explain", "signup"])
    assert result.exit_code == 2
    assert "'signup' is no module, symbol or table" in result.stderr
    assert "sample_monolith.services.accounts:signup" in result.stderr  # the suggestion
    assert "Traceback" not in result.output and "internal error" not in result.output


# ---------------------------------------------------------------- missing or broken inputs

def test_plan_without_analysis_says_to_analyze(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == 2
    assert "decompose analyze" in result.stderr
    assert not (tmp_path / PLAN).exists()


def test_check_without_a_plan_says_to_plan(work):
    Path(PLAN).unlink()
    result = runner.invoke(app, ["plan", "--check"])
    assert result.exit_code == 2
    assert "no plan here" in result.stderr and "decompose plan" in result.stderr


def test_check_of_invalid_toml_is_a_clear_error(work):
    Path(PLAN).write_text("[services.orders\nmodules = [", encoding="utf-8")
    result = runner.invoke(app, ["plan", "--check"])
    assert result.exit_code == 2
    assert "not valid TOML" in result.stderr and "Traceback" not in result.output


def test_check_of_a_wrong_schema_version_is_a_clear_error(work):
    doc = load_plan()
    doc["schema_version"] = 99
    save_plan(doc)
    result = runner.invoke(app, ["plan", "--check"])
    assert result.exit_code == 2
    assert "written by a newer decompose (schema_version 99; this one reads 1)" in result.stderr
    assert "upgrade decompose" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("target", [3, 8, 15])
def test_services_target_gives_exactly_that_many_services(work, target):
    result = runner.invoke(app, ["plan", "--json", "-q", "--force", "--services", str(target), "--plan", "k.toml"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scores"]["services"] == target and len(data["services"]) == target
    assert data["unhonoured"] == []


# ---------------------------------------------------------------- --converge (generation's crossings faked)

CHECKOUT, RESERVE = "sample_monolith.services.orders:checkout", "sample_monolith.services.inventory:reserve"


def crossing(service: str, owner: str) -> Crossing:
    return Crossing(CHECKOUT, RESERVE, "transaction", service, owner)


def holds(service: dict, element: str) -> bool:
    return element in service["symbols"] or element.split(":")[0] in service["modules"]


def test_converge_moves_the_callee_to_its_one_caller_and_stops_when_none_is_left(work, monkeypatch):
    answers = iter([[crossing("orders", "inventory")], []])
    monkeypatch.setattr("decompose.cli.plan_steps.crossings_of", lambda ws, plan, sources: next(answers))
    result = runner.invoke(app, ["plan", "--converge", "--json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rounds"] == 1 and [d["kind"] for d in data["decisions"]] == ["follow"]
    assert dict(load_plan()["constraints"]["follow"]) == {RESERVE: CHECKOUT} and load_plan()["constraints"]["together"] == []
    assert any(holds(s, CHECKOUT) and holds(s, RESERVE) for s in data["services"])  # honoured: one service holds both
    assert data["route_families"] == 11 and len(data["services"]) >= 9


def test_converge_sends_a_callee_crossed_again_to_the_kernel(work, monkeypatch):
    answers = iter([[crossing("orders", "inventory")], [crossing("inventory", "orders")], []])
    monkeypatch.setattr("decompose.cli.plan_steps.crossings_of", lambda ws, plan, sources: next(answers))
    result = runner.invoke(app, ["plan", "--converge", "--json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["kind"] for d in data["decisions"]] == ["follow", "kernel"]
    constraints = load_plan()["constraints"]
    assert dict(constraints["follow"]) == {RESERVE: "shared"} and dict(constraints["pin"]) == {}
    assert "sample_monolith.services.inventory" in load_plan()["shared"]["modules"]  # the layer holds whole modules


def test_converge_lists_what_no_move_removes_and_keeps_the_plan(work, monkeypatch):
    monkeypatch.setattr("decompose.cli.plan_steps.crossings_of", lambda ws, plan, sources: [crossing("orders", "inventory")])
    result = runner.invoke(app, ["plan", "--converge"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "1 crossing(s) left after 2 round(s)" in result.stderr and f"{CHECKOUT} (service orders)" in result.stderr
    assert dict(load_plan()["constraints"]["follow"]) == {RESERVE: "shared"}  # what the rounds decided is kept


def test_converge_json_names_what_is_left(work, monkeypatch):
    monkeypatch.setattr("decompose.cli.plan_steps.crossings_of", lambda ws, plan, sources: [crossing("orders", "inventory")])
    result = runner.invoke(app, ["plan", "--converge", "--json", "-q"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["left"] == [{"caller": CHECKOUT, "target": RESERVE, "service": "orders", "owner": "inventory"}]
