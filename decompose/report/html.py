"""One self-contained HTML file: the report's data, the vendored Cytoscape.js and the page's script,
all inlined, so it opens from disk with no network. Rendered from templates/report (sandboxed Jinja,
autoescaped); the data is JSON with every `<` escaped, so nothing in it can close the script tag.
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from decompose import __version__
from decompose.resources import templates_dir


def render_html(data: dict[str, Any], title: str) -> str:
    folder = templates_dir() / "report"
    env = SandboxedEnvironment(loader=FileSystemLoader(str(folder)), undefined=StrictUndefined, autoescape=True,
                               keep_trailing_newline=True)
    return env.get_template("report.html.j2").render(
        title=title,
        version=__version__,
        data_json=Markup(embed_json(data)),
        cytoscape_js=Markup(_script((folder / "vendor" / "cytoscape.min.js").read_text(encoding="utf-8"))),
        report_js=Markup(_script((folder / "report.js").read_text(encoding="utf-8"))),
    )


def embed_json(data: dict[str, Any]) -> str:
    """Compact, sorted JSON that is safe inside <script>: `<` becomes its JSON escape."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _script(code: str) -> str:
    if "</script" in code.lower():
        raise ValueError("a vendored script contains '</script'; it cannot be inlined")
    return code
