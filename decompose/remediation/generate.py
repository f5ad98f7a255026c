"""The generation hook: rendered services + the plan's [remediate] -> the same, with AWS added.

For each service owning a decision that generates code (decompose.remediation.aws): its boto3 module,
its consumer (registered at the end of app.py when it has work to run), its CloudFormation fragment,
and a `remediation` list in the generation report saying what changed, what turned asynchronous and
which call sites a person still has to switch. Static folders go to the gateway's template.
"""

from __future__ import annotations

import json

from decompose.remediation import aws
from decompose.remediation.model import STATIC, Decision
from decompose.resources import templates_dir

REGISTER = ("\n\n# decompose: [remediate] sqs/sns: this service's work queue and its consumer Lambda\n"
            "from chalicelib import consumers  # noqa: E402\n\nconsumers.register(app, framework.app)\n")


def apply(rendered, decisions: tuple[Decision, ...], homes: dict[str, str], project: str) -> None:
    """Adds each service's AWS files and report rows to `rendered` (generation.render.Rendered), in place;
    the files stay in sorted order and generation.json is written again from the report."""
    files, report = rendered.files, rendered.report
    _add(files, report, decisions, homes, project)
    files["generation.json"] = (json.dumps(report, indent=2, sort_keys=True) + "\n").encode()
    rendered.files = dict(sorted(files.items()))


def _merged(base: dict, extra: dict) -> dict:
    """`extra` deep-merged into `base` (chalice package takes one --merge-template: layer.json)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _add(files: dict[str, bytes], report: dict, decisions: tuple[Decision, ...], homes: dict[str, str],
         project: str) -> None:
    rows = {s["name"]: s for s in report.get("services", [])}
    for name, service in aws.by_service(decisions, homes).items():
        if f"{name}/app.py" not in files:
            continue
        files[f"{name}/chalicelib/aws.py"] = (templates_dir() / "generate" / "aws" / "aws.py").read_bytes()
        layer = f"{name}/.chalice/layer.json"
        merged = _merged(json.loads(files[layer]) if layer in files else {}, aws.template(service, project))
        files[layer] = (json.dumps(merged, indent=2, sort_keys=True) + "\n").encode()
        if service.work:
            files[f"{name}/chalicelib/consumers.py"] = aws.consumers(service, project).encode()
            files[f"{name}/app.py"] = files[f"{name}/app.py"].rstrip(b"\n") + b"\n" + REGISTER.encode()
        if name in rows:
            rows[name]["remediation"] = aws.report(service)
    static = sorted(d.target for d in decisions if d.kind == STATIC and d.choice == "cloudfront")
    if static:
        report["static"] = {"folders": static, "remediation": "cloudfront",
                            "todo": "decompose gateway template adds the bucket and the CloudFront distribution; sync the folders to it"}
