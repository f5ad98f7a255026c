"""Boundary violations as a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.

Paths are relative to the analysed project's root, given as the `%SRCROOT%` base so a viewer run
from the repository resolves them.
"""

from __future__ import annotations

from typing import Any

from decompose import __version__
from decompose.planning.check import Violation

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULES = {
    "boundary": ("Dependency across a planned service boundary",
                 "Code of one planned service (or of the shared kernel) uses an element of another service that is "
                 "not in that service's interface in decompose.toml. Call the service's interface instead, or add the "
                 "element to its interface if the coupling is intended."),
    "unplanned": ("Code the plan does not place",
                  "A symbol of a module that the plan splits between services is in no service. Add it to a service "
                  "in decompose.toml, or run 'decompose plan' again."),
    "remediation": ("Lambda hazard without a remediation",
                    "A hazard in a request path (disk write, thread, process state, ...) has no decision in the plan's "
                    "[remediate] table. Run 'decompose plan' to propose one, or write s3, sqs, sns, dynamodb, cloudfront "
                    "or keep (docs/remediation.md)."),
    "paths": ("Route path part the analysis could not resolve",
              "A route a service owns holds ${expression}: a prefix the app computes at run time. No real request "
              "would reach it, and generate refuses the plan. Pin the value in decompose.toml's [paths] table "
              "(docs/analysis.md#unresolved-paths)."),
}


def to_sarif(violations: list[Violation]) -> dict[str, Any]:
    rules = [{"id": rule, "name": rule.title(), "shortDescription": {"text": short},
              "fullDescription": {"text": full}, "defaultConfiguration": {"level": "warning" if rule == "unplanned" else "error"}}
             for rule, (short, full) in RULES.items()]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "decompose", "version": __version__,
                                "informationUri": "https://github.com/decompose/decompose", "rules": rules}},
            "originalUriBaseIds": {"SRCROOT": {"description": {"text": "The analysed project's root"}}},
            "results": [_result(v, list(RULES).index(v.rule)) for v in violations],
        }],
    }


def _result(violation: Violation, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": violation.rule,
        "ruleIndex": rule_index,
        "level": violation.level,
        "message": {"text": violation.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": loc.path, "uriBaseId": "SRCROOT"},
                                            "region": {"startLine": max(loc.line, 1)}}}
                      for loc in violation.locations[:10]],
        "partialFingerprints": {"decompose/v1": f"{violation.rule}:{violation.src}->{violation.dst}:{violation.kind}"},
    }
