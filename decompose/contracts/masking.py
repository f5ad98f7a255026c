"""Secrets in a scenario's starting data (password hashes, tokens, API keys) never reach the contract.

A contract is meant to be committed and read; the rows a test's factories made hold password hashes
with a random salt and tokens the suite generated. So when a contract is built, every string of at
least MIN_LENGTH characters in a column whose name says it is secret is replaced by a named binding,
deterministic in the rows' order (which is by primary key: decompose.contracts.startdata):

    {"users": [{"id": 1, "password_hash": {"$secret": "users[0].password_hash"}}]}

and wherever a request of the same scenario sends that value back (a token from the data in an
`Authorization` header, or an answer shows it) the exchange carries `{{secret:users[0].token}}` instead. The values
themselves go to `.decompose/secrets.json` (beside latency.json, never under contracts/), and replay puts
them back before the scenario starts (`unmask`). The same recordings give the same contract bytes,
whatever salt the suite drew.

    masked, found = mask_scenario(scenario_document)      # found: {name: value}
    write(Path(".decompose/secrets.json"), {scenario_name: found, ...})
    scenario = unmask(masked, read(path).get(scenario_name, {}))   # MissingSecret names a value not there
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

MIN_LENGTH = 6
SECRET_COLUMN = re.compile(r"(^|_)(password|passwd|pwd|hash|hashed|secret|token|apikey|api_key|salt|otp|totp|"
                           r"private_key|signature|credentials?)(_|$)")
TAG = "$secret"
FILE = "secrets.json"


class MissingSecret(LookupError):
    """A masked value replay needs is not in the secrets file."""


def secret_column(name: str) -> bool:
    return bool(SECRET_COLUMN.search(name.lower()))


def placeholder(name: str) -> str:
    return "{{secret:" + name + "}}"


def mask_rows(data: dict[str, list[dict[str, Any]]], found: dict[str, str], prefix: str = "") -> dict[str, Any]:
    """`data` with each secret value replaced by its binding, the values added to `found`."""
    masked: dict[str, Any] = {}
    for table in sorted(data):
        rows = []
        for index, row in enumerate(data[table]):
            copy = dict(row)
            for column in sorted(row):
                value = row[column]
                if isinstance(value, str) and len(value) >= MIN_LENGTH and secret_column(column):
                    name = f"{prefix}{table}[{index}].{column}"
                    found[name] = value
                    copy[column] = {TAG: name}
            rows.append(copy)
        masked[table] = rows
    return masked


def mask_scenario(scenario: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A contract scenario with its starting data's (and its exchanges' added rows') secrets masked, and
    its requests sending one of them back rewritten to the binding; (scenario, {name: value})."""
    found: dict[str, str] = {}
    result = dict(scenario)
    if isinstance(scenario.get("data"), dict):
        result["data"] = mask_rows(scenario["data"], found)
    exchanges = []
    for index, step in enumerate(scenario.get("exchanges", [])):
        step = dict(step)
        if isinstance(step.get("data"), dict):
            step["data"] = mask_rows(step["data"], found, f"#{index}:")
        exchanges.append(step)
    first: dict[str, str] = {}  # a value in two rows (a token and its copy) is bound to its first name
    for name, value in sorted(found.items()):
        first.setdefault(value, name)
    for value, name in sorted(first.items(), key=lambda item: (-len(item[0]), item[1])):
        exchanges = [{**step, **{part: _replaced(step[part], value, placeholder(name))
                                 for part in ("request", "answer") if isinstance(step.get(part), dict)}}
                     for step in exchanges]
    result["exchanges"] = exchanges
    return result, found


def _replaced(message: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """A recorded request or answer with `old` replaced in its target, headers and text body."""
    message = dict(message)
    if "target" in message:
        message["target"] = str(message["target"]).replace(old, new)
    message["headers"] = [[k, str(v).replace(old, new)] for k, v in message.get("headers", [])]
    body = message.get("body")
    if isinstance(body, dict) and isinstance(body.get("text"), str):
        message["body"] = {**body, "text": body["text"].replace(old, new)}
    return message


def unmask(scenario: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
    """The scenario as recorded: each binding's value back in the rows and the requests."""
    text = json.dumps(scenario)
    if TAG not in text and "{{secret:" not in text:
        return scenario

    def value(name: str) -> str:
        if name not in secrets:
            raise MissingSecret(f"the secret {name} of its starting data is not in {FILE} "
                                "(record the contracts again on this machine: 'decompose contracts record')")
        return secrets[name]

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if len(node) == 1 and isinstance(node.get(TAG), str):
                return value(node[TAG])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str) and "{{secret:" in node:
            return re.sub(r"\{\{secret:([^}]+)\}\}", lambda m: value(m.group(1)), node)
        return node

    return walk(scenario)


def read(path: Path) -> dict[str, dict[str, str]]:
    """{scenario: {name: value}} from the secrets file ({} without one; a damaged one is {} too: its
    scenarios then say which value is missing)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    scenarios = found.get("scenarios") if isinstance(found, dict) else None
    if not isinstance(scenarios, dict):
        return {}
    return {str(name): {str(k): v for k, v in values.items() if isinstance(v, str)}
            for name, values in scenarios.items() if isinstance(values, dict)}


def write(path: Path, secrets: dict[str, dict[str, str]]) -> None:
    """{scenario: {name: value}} -> one file, readable by its owner only (written even when empty, so
    that an earlier recording's values never stand in for this one's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps({"scenarios": secrets}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
