"""The dotenv files the monolith's settings read, found in its source without running it.

pydantic-settings reads `env_file=` (a string, or a tuple of them) relative to the working folder the
monolith runs from, which is where `decompose analyze` ran (the analysis root). A service runs from
elsewhere, so generation hands it these files by path (decompose_runtime.envfiles) and reports which
variables a deployed function needs in its own environment.
"""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

from decompose.generation.layout import Sources

ENV_FILE = re.compile(r"""\benv_file\s*=\s*(\([^()]*\)|\[[^\[\]]*\]|"[^"\n]*"|'[^'\n]*')""")


def env_files(sources: Sources) -> list[Path]:
    """The existing files named by a literal `env_file=` in the monolith's modules, resolved from its root."""
    found: set[Path] = set()
    for info in sources.modules.values():
        try:
            text = (sources.root / info.path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in ENV_FILE.finditer(text):
            for name in _names(match.group(1)):
                path = Path(name) if Path(name).is_absolute() else sources.root / name
                if path.is_file():
                    found.add(path.resolve())
    return sorted(found)


def _names(literal: str) -> list[str]:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return []
    values = value if isinstance(value, (tuple, list)) else (value,)
    return [v for v in values if isinstance(v, str) and v]


def variables(paths: list[Path]) -> list[str]:
    """The names the files define (never their values: those may be secrets)."""
    from decompose.generation.runtime.envfiles import parse

    return sorted({key for path in paths for key, _ in parse(path.read_text(encoding="utf-8", errors="replace"))})


def report(rendered, paths: list[Path], root: Path) -> None:
    """Each service's manual work gains the variables a deployed function must get from its own
    environment (locally app.py reads the files); generation.json is written again."""
    names = variables(paths)
    if not names:
        return
    files = ", ".join(_shown(path, root) for path in paths)
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    line = (f"the monolith's settings read {shown} from {files}: locally app.py reads the file; on AWS set them "
            f"in .chalice/config.json environment_variables (secrets through SSM or Secrets Manager)")
    for service in rendered.report.get("services", []):
        service.setdefault("manual", []).append(line)
    rendered.files["generation.json"] = (json.dumps(rendered.report, indent=2, sort_keys=True) + "\n").encode()


def _shown(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root.resolve())
    except ValueError:
        return str(path)
