"""Files shipped inside the package. The Jinja templates of later stages live in `templates/` at the
top of the repository and install as `decompose/templates/` in the wheel (see pyproject.toml); an
editable install (`pip install -e .`) reads them from the source tree instead."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


def templates_dir() -> Traversable:
    shipped = files("decompose") / "templates"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[1] / "templates"
