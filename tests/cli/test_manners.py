"""CLI manners: every bracketed word in help and messages reaches the reader (rich markup would eat
"[shared]"), choices are listed, completion installs, plurals agree, one file never replaces the
project's analysis."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import decompose
from decompose.cli import app
from decompose.cli.generate_cmd import _summary
from decompose.cli.guard import guarded
from decompose.cli.output import plural
from decompose.errors import UserError
from decompose.generation.writer import WritePlan

runner = CliRunner()
BRACKETED = re.compile(r"\[[A-Za-z_][A-Za-z0-9_.\- ]*\]")
PACKAGE = Path(decompose.__file__).parent


def _commands(command, path: tuple[str, ...] = ()) -> list:
    found = [(path, command)]
    if hasattr(command, "commands"):  # typer vendors click: its groups are not click.Group
        for name, sub in sorted(command.commands.items()):
            found += _commands(sub, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _written(command) -> list[str]:
    texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    return [_flat(t) for t in texts if t]


def test_every_command_is_walked():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"analyze", "plan", "check", "generate", "report", "contracts record", "gateway route"} <= names


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) or "decompose" for p, _ in COMMANDS])
def test_help_keeps_every_bracketed_word(path, command):
    result = runner.invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    shown = _flat(result.output)
    for text in _written(command):
        assert "\\[" not in text, f"{path}: a rich escape in plain help: {text!r}"
        for word in BRACKETED.findall(text):
            assert word in shown, f"{' '.join(path)} --help lost {word!r} from {text!r}"


def _literal(node: ast.expr) -> str | None:
    """The text of a string argument; each {placeholder} of an f-string becomes 'X'."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None or right is None else left + right
    return None


def _user_errors() -> list[tuple[str, str, str]]:
    found = []
    for source in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "UserError":
                texts = [_literal(a) for a in node.args[:2]]
                if len(texts) == 2 and None not in texts:
                    found.append((f"{source.relative_to(PACKAGE)}:{node.lineno}", texts[0], texts[1]))
    return found


USER_ERRORS = _user_errors()


def test_the_scan_finds_the_errors():
    assert len(USER_ERRORS) > 100
    assert any(BRACKETED.search(what + step) for _, what, step in USER_ERRORS)


def test_every_user_error_prints_its_bracketed_words(capsys):
    lost = []
    for where, what, step in USER_ERRORS:
        @guarded
        def failing() -> None:
            raise UserError(what, step)

        with pytest.raises(typer.Exit):
            failing()
        shown = _flat(capsys.readouterr().err)
        lost += [f"{where}: {word}" for word in BRACKETED.findall(what + " " + step) if word not in shown]
    assert not lost


def test_generate_summary_keeps_the_words_of_manual_steps(capsys):
    report = {"services": [{"name": "orders", "routes": ["GET /a"], "symbols": [], "clients": [],
                            "manual": ["move it to [shared] or call that service"]}], "together": []}
    _summary(report, WritePlan(Path("services"), (), (), {}), Path("services"), dry_run=True, verbosity=1)
    shown = capsys.readouterr().err
    assert "move it to [shared] or call that service" in shown
    assert "orders: 1 route, 0 symbols, 0 remote calls, 0 stubs, 1 manual step" in shown


@pytest.mark.parametrize("path,choices", [
    (["analyze"], ["json|dot|mermaid|graphml", "module|symbol", "failures|hazards"]),
    (["check"], ["text|json|sarif"]),
])
def test_help_lists_the_choices(path, choices):
    shown = _flat(runner.invoke(app, [*path, "--help"], terminal_width=200).output)
    for choice in choices:
        assert choice in shown


def test_verbose_is_a_count_not_an_int():
    shown = []
    for path, _ in COMMANDS:
        lines = runner.invoke(app, [*path, "--help"], terminal_width=200).output.splitlines()
        shown += [(path, line) for line in lines if "--verbose" in line]
    assert len(shown) > 10
    assert not [(path, line) for path, line in shown if "<int>" in line or "default" in line]


def test_a_wrong_choice_is_a_usage_error_naming_them(tmp_path):
    result = runner.invoke(app, ["analyze", str(tmp_path), "--format", "xml"])
    assert result.exit_code == 2
    assert "'json', 'dot', 'mermaid', 'graphml'" in result.output


def test_shell_completion_is_installable():
    assert "--install-completion" in runner.invoke(app, ["--help"]).output
    result = runner.invoke(app, ["--show-completion", "bash"])
    assert result.exit_code == 0 and "_DECOMPOSE_COMPLETE" in result.output


def test_plurals():
    assert [plural(1, "file"), plural(2, "file"), plural(1, "process", "processes"), plural(3, "process", "processes"),
            plural(1204, "route")] == ["1 file", "2 files", "1 process", "3 processes", "1,204 routes"]


def test_one_file_never_replaces_the_projects_analysis(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "views.py").write_text("def index():\n    return 'hi'\n")
    assert runner.invoke(app, ["analyze", "app"]).exit_code == 0
    project = (tmp_path / ".decompose" / "analysis.json").read_text()
    result = runner.invoke(app, ["analyze", "app/views.py"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".decompose" / "analysis.json").read_text() == project
    assert (tmp_path / ".decompose" / "file-app-views" / "analysis.json").is_file()
    assert "1 file in" in result.output and "Wrote .decompose/file-app-views/analysis.json" in result.output


STYLES = {"[bold]", "[dim]", "[yellow]", "[red]", "[green]", "[bold red]", "[X]"}  # "[X]": an f-string's {style}


def _printed_with_markup() -> list[tuple[str, str]]:
    """Literal text of every `.print(...)` in the CLI that rich reads as markup (no markup=False)."""
    found = []
    for source in sorted((PACKAGE / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "print" and node.args
                    and not any(k.arg == "markup" for k in node.keywords)):
                text = _literal(node.args[0])
                if text is not None:
                    found.append((f"{source.name}:{node.lineno}", text))
    return found


def test_no_printed_message_has_a_bracketed_word_rich_would_eat():
    printed = _printed_with_markup()
    assert len(printed) > 20
    eaten = [(where, word) for where, text in printed for word in BRACKETED.findall(text.replace("\\[", "("))
             if word not in STYLES]
    assert not eaten
