"""The CLI starts light: a warm `decompose analyze` (the common CI call) loads none of the heavy
libraries the other stages need. Checked by what a fresh interpreter has imported, not by timing."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.sample import SAMPLE

HEAVY = ("networkx", "numpy", "pytest", "chalice", "libcst", "jsonschema", "httpx", "starlette", "pydantic", "jinja2",
         "yaml", "uvicorn")
# What a quiet warm run has no use for: rich (nothing is printed), the facts' and the model's many
# frozen dataclasses (nothing is unpickled or linked; they cost ~20 ms to define).
QUIET_WARM = ("rich", "decompose.analysis.facts", "decompose.analysis.model", "decompose.analysis.serialize")
PROBE = """
import json, runpy, sys
sys.argv = ["decompose", *sys.argv[1:]]
try:
    runpy.run_module("decompose", run_name="__main__")
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}))
""" % (HEAVY + QUIET_WARM,)


def loaded_by(where, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=where, capture_output=True, text=True, check=True, timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_warm_analyze_loads_no_heavy_library(tmp_path):
    assert loaded_by(tmp_path, "analyze", str(SAMPLE), "-q")["code"] in (0, None)  # cold: parsing is in worker processes
    warm = loaded_by(tmp_path, "analyze", str(SAMPLE), "-q")
    assert warm["code"] in (0, None) and warm["loaded"] == []
    assert "rich" in loaded_by(tmp_path, "analyze", str(SAMPLE))["loaded"]  # the summary is printed with it
    assert "networkx" in loaded_by(tmp_path, "analyze", str(SAMPLE), "-q", "--format", "dot")["loaded"]  # the probe sees them


def test_help_loads_no_heavy_library(tmp_path):
    assert [m for m in loaded_by(tmp_path, "--help")["loaded"] if m in HEAVY] == []
