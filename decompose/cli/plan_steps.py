"""What `decompose plan` runs: propose (and converge) a plan, check an edited one, explain an element."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomlkit
import typer
from rich.table import Table

from decompose.cli.output import err_console, write_data
from decompose.errors import UserError
from decompose.generation.api import crossings_of, sources_of
from decompose.planning import pathpins
from decompose.planning.api import Workspace, propose_plan, review, review_scores, score_line, sound_plan
from decompose.planning.constraints import Constraints
from decompose.planning.converge import Crossing, Decision, resolve_crossings
from decompose.planning.explain import explain, find_element
from decompose.planning.plan import Settings
from decompose.planning.planner import family_keys
from decompose.planning.validity import model_modules, route_modules
from decompose.planning.planfile import load_document


def propose(ws: Workspace, out: Path, wanted: Settings, truth: Path | None, force: bool,
            stage: Callable[[str], None] = lambda name: None):
    """Cluster and write the plan file (the old one kept as .bak when --force replaces hand edits);
    the proposal, for `show_proposal` once the progress bar is gone. `stage`: the CLI's bar."""
    stage("reading the plan file")
    previous = load_document(out) if out.exists() else None
    constraints = None
    if previous is not None:
        found = review(ws, previous, out)
        bad = [p for p in found.problems if p.where.startswith("constraints") or p.where == "schema_version"]
        if bad:
            raise UserError(f"{out}: {bad[0].where}: {bad[0].what}", bad[0].fix)
        if found.hand_edited and not force:
            raise UserError(f"{out} has hand edits in [services] or [shared]; planning again would replace them",
                            "run 'decompose plan --check' to score your edits, turn them into [constraints] pins, "
                            f"or run 'decompose plan --force' (the old file is kept as {out.name}.bak)")
        constraints = found.plan.constraints
        if force and found.hand_edited:
            shutil.copyfile(out, out.with_name(out.name + ".bak"))
    stage("clustering, checking and scoring the services")
    proposal = propose_plan(ws, wanted, constraints or Constraints(), previous, truth)
    _write_atomic(out, proposal.text)
    return proposal


def show_proposal(out: Path, proposal, json_out: bool, quiet: bool) -> None:
    if json_out:
        write_data(_json({"plan": str(out), "scores": proposal.scores, "baseline": proposal.baseline,
                          "unhonoured": [vars(u) for u in proposal.unhonoured],
                          "services": [vars(s) for s in proposal.plan.services], "shared": vars(proposal.plan.shared)}))
    if not quiet:
        console = err_console()
        console.print(_services_table(proposal.plan, proposal.scores))
        console.print(f"Scores vs baseline (in brackets): {score_line(proposal.scores, proposal.baseline)}")
        for item in proposal.unhonoured:
            console.print(f"[yellow]not honoured[/] {item.constraint}: {item.why}")
        console.print(f"Wrote {out}. Edit it, then run 'decompose plan --check'.")


MAX_ROUNDS = 8


def converge(ws: Workspace, out: Path, wanted: Settings, truth: Path | None, source: Path | None, json_out: bool,
              quiet: bool) -> None:
    """Remove generation's crossings round by round (planning.converge: the callee follows its one caller,
    code several services need goes to the kernel, a route family never moves), planning again each time.
    Exit 1 when crossings are left that no move removes (listed, the plan written)."""
    console = err_console()
    sources = sources_of(ws, source)  # parsed once, for every round
    decisions: list[Decision] = []
    left: list[Crossing] = []
    for rounds in range(MAX_ROUNDS + 1):
        found = [Crossing(c.caller, c.target, c.service, c.owner) for c in crossings_of(ws, out, sources)]
        made = _converge_round(ws, out, wanted, truth, found) if found and rounds < MAX_ROUNDS else []
        if not made:
            left = found
            break
        decisions += made
        if not quiet:
            kinds = Counter(d.kind for d in made)
            console.print(f"round {rounds + 1}: {len(found)} crossings: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    _converged(ws, out, truth, rounds, decisions, left, json_out, quiet)
    if left:
        raise typer.Exit(1)


def _converge_round(ws: Workspace, out: Path, wanted: Settings, truth: Path | None, found: list[Crossing]) -> list[Decision]:
    """One round: a decision per crossed symbol, written to [constraints], and the plan made again;
    [] when no decision changes the constraints (what is left, no move removes)."""
    document = load_document(out)
    review_now = review(ws, document, out)
    facts = ws.facts()
    fixed = route_modules(ws.graph, facts) | model_modules(ws.graph)
    constraints, made = resolve_crossings(ws.graph, fixed, review_now.homes, review_now.plan.constraints, found)
    if constraints == review_now.plan.constraints:
        return []
    table = document["constraints"]
    for key, value in (("pin", constraints.pins), ("follow", constraints.follow)):
        if value or key in table:
            inline = tomlkit.inline_table()
            inline.update(value)
            table[key] = inline
    proposal = propose_plan(ws, wanted, constraints, document, truth)
    _write_atomic(out, proposal.text)
    return [d for d in made if d.kind != "left"]


def _converged(ws: Workspace, out: Path, truth: Path | None, rounds: int, decisions: list[Decision],
               left: list[Crossing], json_out: bool, quiet: bool) -> None:
    final = review(ws, load_document(out), out)
    scores = review_scores(ws, final, truth)
    families = family_keys(ws.graph, ws.facts())
    kinds = Counter(d.kind for d in decisions)
    if json_out:
        write_data(_json({"plan": str(out), "rounds": rounds, "decisions": [vars(d) for d in decisions],
                          "left": [vars(c) for c in left], "together_added": 0,
                          "route_families": len(families), "scores": scores,
                          "services": [vars(s) for s in final.plan.services]}))
    if quiet:
        return
    console = err_console()
    console.print(_services_table(final.plan, scores))
    moves = (f"{kinds['follow']} callee(s) follow their caller, {kinds['kernel']} symbol(s) moved to the kernel (now "
             f"{scores.get('shared_elements', 0)} elements), {kinds['caller-follows']} caller(s) follow their callee, "
             f"no pair glued together; {len(final.plan.services)} services for {len(families)} "
             f"route families. Wrote {out}.")
    if not left:
        console.print(f"Converged after {rounds} round(s): no stub and no split transaction across services. {moves}")
        return
    for crossing in left:
        console.print(f"[yellow]left[/] {crossing.caller} (service {crossing.service}) -> {crossing.target} "
                      f"(service {crossing.owner})")
    console.print(f"{len(left)} crossing(s) left after {rounds} round(s) that no move removes (a route handler the "
                  f"shared layer calls, or code pinned by hand). {moves} Move or pin them by hand, then run "
                  "'decompose plan --converge' again; 'decompose generate --dry-run --json' lists them (crossings, stubs).")


def check(ws: Workspace, out: Path, truth: Path | None, json_out: bool, quiet: bool) -> None:
    found = review(ws, load_document(out), out)
    scores = review_scores(ws, found, truth)
    # and what generate refuses beyond the plan's own fields: a service route no request can reach
    problems = found.problems + pathpins.problems(pathpins.service_routes(found.plan), out.name)
    if json_out:
        write_data(_json({"plan": str(out), "problems": [vars(p) for p in problems], "scores": scores}))
    if not quiet:
        console = err_console()
        for problem in problems:
            console.print(f"{out}: [bold]{problem.where}[/]: {problem.what}. {problem.fix}")
        console.print(f"{len(problems)} problem(s). Scores: " + score_line(scores, {}).replace(" (0)", ""))
    if problems:
        raise typer.Exit(1)


def explain_element(ws: Workspace, out: Path, name: str, json_out: bool) -> None:
    found = review(ws, load_document(out), out)
    element = find_element(ws.graph, name)
    result = explain(ws.graph, ws.weights, found.homes, element, found.plan.reasons)
    if json_out:
        write_data(_json({"element": result.element, "home": result.home, "reason": result.reason,
                          "inside": [vars(t) for t in result.inside], "outside": [vars(t) for t in result.outside]}))
        return
    console = err_console()
    console.print(f"[bold]{result.element}[/] is in [bold]{result.home}[/]: {result.reason}")
    for title, ties in (("Strongest ties inside", result.inside), ("Strongest ties outside", result.outside)):
        console.print(f"{title}:" if ties else f"{title}: none")
        for tie in ties:
            kinds = ", ".join(f"{k} x{n}" for k, n in tie.kinds.items())
            console.print(f"  {tie.weight:>6g}  {tie.other} ({tie.home}): {kinds}")


def _services_table(plan, scores: dict[str, Any]) -> Table:
    table = Table(title=f"{len(plan.services)} services, {scores.get('shared_elements', 0)} shared elements")
    for column in ("service", "modules", "symbols", "routes", "tables", "interface"):
        table.add_column(column, justify="left" if column == "service" else "right")
    for s in plan.services:
        table.add_row(s.name, str(len(s.modules)), str(len(s.symbols)), str(len(s.routes)), str(len(s.tables)), str(len(s.interface)))
    return table


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def print_waves(ws, out: Path, as_json: bool) -> None:
    """`plan --waves`: the order of moving the plan's services (planning.waves), on stdout."""
    from decompose.planning.waves import facts_of, to_json, to_text, waves

    from decompose.contracts.verdicts import VERDICTS_PATH, status

    found = sound_plan(ws, out)
    names = [s.name for s in found.plan.services]
    facts = facts_of(ws.analysis, dict(found.homes), names, status(out.parent / VERDICTS_PATH, names))
    order = waves(facts)
    write_data(json.dumps(to_json(order), indent=2, sort_keys=True) + "\n" if as_json else to_text(order))
