"""The monolith's dotenv files, read into the environment of a service run locally.

Settings classes name their dotenv file relative to the working folder (pydantic-settings'
`env_file="../.env"`): the monolith runs from its project folder, where the file is found; a service
runs from its own folder (its tests from a scratch folder), where it is not, and the settings fail
(`Field required`). So a service's app.py, when not on Lambda, reads the files generation found, by
their path from the service, into `os.environ` without replacing a variable already set: the same
precedence pydantic-settings gives them (the environment first). On Lambda the values belong in the
function's environment (`.chalice/config.json`), never in a file shipped with the code.
Standard library only: this runs in the monolith's interpreter (CPython 3.9+).
"""

import os


def load(paths):
    """Set each variable the files define and the environment does not have yet; missing files are skipped."""
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            continue
        for key, value in parse(text):
            os.environ.setdefault(key, value)


def parse(text):
    """(key, value) pairs of a dotenv text: `KEY=value`, `export KEY=value`, quoted values (single quotes
    literal, double quotes with \\n escapes), `# comments` on their own line or after an unquoted value."""
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not key.replace("_", "").replace(".", "").isalnum():
            continue
        pairs.append((key, _value(value)))
    return pairs


def _value(raw):
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        inner = raw[1:-1]
        return inner.replace("\\n", "\n").replace('\\"', '"') if raw[0] == '"' else inner
    if raw and raw[0] in "'\"":
        closing = raw.find(raw[0], 1)
        if closing > 0:
            return _value(raw[:closing + 1])
    comment = raw.find(" #")
    return (raw[:comment] if comment >= 0 else raw).strip()
