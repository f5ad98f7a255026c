"""The generation hook: rendered services + the plan's [remediate] -> the same, with AWS added.

For each service owning a decision that generates code (decompose.remediation.aws): its boto3 module,
the call sites of the remediated modules in its chalicelib/src switched to it (decompose.remediation.
rewrite), its consumer (registered at the end of app.py when it has work to run), its CloudFormation
fragment, and a `remediation` list in the generation report saying what changed, what turned
asynchronous and what a person still has to switch. Decisions in the shared kernel: the layer's copy
(decompose.remediation.shared). Static folders go to the gateway's template.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from decompose.remediation import aws, rewrite, shared
from decompose.remediation.model import STATIC, Decision
from decompose.resources import templates_dir

REGISTER = ("\n\n# decompose: [remediate] sqs/sns: this service's work queue and its consumer Lambda\n"
            "from chalicelib import consumers  # noqa: E402\n\nconsumers.register(app, framework.app)\n")


def apply(rendered, decisions: tuple[Decision, ...], homes: dict[str, str], project: str, hazards=()) -> None:
    """Adds each service's AWS files and report rows to `rendered` (generation.render.Rendered), in place;
    the files stay in sorted order and generation.json is written again from the report. hazards: the
    analysis's, which name the globals and calls each decision covers."""
    files, report = rendered.files, rendered.report
    _add(files, report, decisions, homes, project, list(hazards))
    files["generation.json"] = (json.dumps(report, indent=2, sort_keys=True) + "\n").encode()
    rendered.files = dict(sorted(files.items()))


def _add(files: dict[str, bytes], report: dict, decisions: tuple[Decision, ...], homes: dict[str, str],
         project: str, hazards: list) -> None:
    rows = {s["name"]: s for s in report.get("services", [])}
    runtime = ((report.get("shared") or {}).get("lambda_runtime") or {}).get("runtime") or aws.RUNTIME
    for name, service in aws.by_service(decisions, homes).items():
        if f"{name}/app.py" not in files:
            continue
        files[f"{name}/chalicelib/aws.py"] = (templates_dir() / "generate" / "aws" / "aws.py").read_bytes()
        layer = f"{name}/.chalice/layer.json"
        merged = aws.merged(json.loads(files[layer]) if layer in files else {}, aws.template(service, project, runtime))
        files[layer] = (json.dumps(merged, indent=2, sort_keys=True) + "\n").encode()
        switched = _switch(files, name, service, hazards)
        if service.work:
            drains = rewrite.drains(service.decisions, hazards, switched.queues)
            files[f"{name}/chalicelib/consumers.py"] = aws.consumers(service, project, switched.targets, drains).encode()
            files[f"{name}/app.py"] = files[f"{name}/app.py"].rstrip(b"\n") + b"\n" + REGISTER.encode()
        if name in rows:
            rows[name]["remediation"] = aws.report(service, switched.changes, switched.deferred)
    for kernel in aws.by_service(decisions, homes, shared=True).values():  # after the services: their layer.json
        runtime = (templates_dir() / "generate" / "aws" / "aws.py").read_bytes()
        report.setdefault("shared", {})["remediation"] = shared.apply(files, kernel, project, hazards, runtime)
    static = sorted(d.target for d in decisions if d.kind == STATIC and d.choice == "cloudfront")
    if static:
        report["static"] = {"folders": static, "remediation": "cloudfront",
                            "todo": "decompose gateway template adds the bucket and the CloudFront distribution; sync the folders to it"}


@dataclass
class Switched:
    changes: dict[str, list[str]] = field(default_factory=dict)  # module -> "line N: call -> aws.x"
    queues: dict[str, list[str]] = field(default_factory=dict)  # module -> globals that became a Queue
    targets: list[str] = field(default_factory=list)  # "module:function" a rewritten Thread (or aws.later) sends
    deferred: dict[str, list[str]] = field(default_factory=dict)  # module -> what the consumer now stores


def _switch(files: dict[str, bytes], name: str, service: aws.ServiceAws, hazards: list) -> Switched:
    """The service's own copies of the remediated modules, rewritten in place (a module in the shared
    kernel is left as it is: the report keeps its to-do)."""
    switched = Switched()
    for path, wanted in rewrite.wanted(service.decisions, hazards).items():
        key = f"{name}/chalicelib/src/{path}"
        if key not in files:
            continue
        done = rewrite.rewrite(files[key].decode("utf-8"), wanted)
        files[key] = done.source.encode("utf-8")
        if done.changes:
            switched.changes[wanted.module] = done.changes
            switched.queues[wanted.module] = done.queues
            switched.targets += done.thread_targets
            if done.deferred:
                switched.deferred[wanted.module] = done.deferred
    return switched
