"""What one module's facts expose to the rest of the link, as digests, so that an edit can be judged
by what it changes for others.

- The *resolution interface*: the names other modules' names can resolve through it (its symbol
  names, its module-level import bindings, its star imports). No lines. When it changes, the
  modules whose resolutions read it must be linked again.
- The *context interface*: everything the project-wide passes (ORM tables, route detectors, Flask
  settings, the class index) may read from it: every field but those in `LOCAL_FIELDS`, lines
  included (routes and tables report lines). When it is unchanged for every edited module, the
  project-wide context is unchanged too.

`LOCAL_FIELDS` are read only to link the module itself. A test runs the project-wide passes over
facts that record what is read, so a detector that starts reading one of them fails it.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass

from decompose.analysis.facts import FileFacts
from decompose.analysis.index import module_bindings, star_sources

LOCAL_FIELDS = frozenset({
    "lines", "sha256", "dynamic_imports", "string_refs", "usages", "hazards", "unresolved_dynamic",
    "persisting_scopes", "method_calls",
})
# Of `usages`, the project-wide passes read decorators only (which HTTP methods a view accepts).
CONTEXT_FIELDS = tuple(f.name for f in fields(FileFacts) if f.name not in LOCAL_FIELDS)


def resolution_digest(facts: FileFacts) -> str:
    symbols = sorted({s.name for s in facts.symbols})
    return _digest((symbols, sorted(module_bindings(facts).items()), star_sources(facts)))


def context_digest(facts: FileFacts) -> str:
    kept = tuple(_plain(getattr(facts, name)) for name in CONTEXT_FIELDS)
    decorators = tuple((u.scope, u.dotted) for u in facts.usages if u.kind == "decorator")
    return _digest((kept, decorators))


def _plain(value: object) -> object:
    """A tuple of records as a tuple of their field values: repr is then all C (records of facts
    hold only strings, numbers, None and tuples of them)."""
    if isinstance(value, tuple) and value and is_dataclass(value[0]):
        return tuple(tuple(vars(item).values()) for item in value)
    return value


def _digest(value: object) -> str:
    """repr, not pickle: pickle's bytes depend on which equal strings happen to be shared objects."""
    return hashlib.sha256(repr(value).encode()).hexdigest()
