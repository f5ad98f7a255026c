"""Benchmark what `decompose generate` buys on Lambda: per service, code size and cold start,
against the whole monolith measured in the same run.

    python benchmarks/generation_bench.py                       # the sample, planned by default
    python benchmarks/generation_bench.py --services DIR --root R --entry pkg.app:create_app

Sizes are deflate-zipped bytes of what each deployment ships of *our* code (third-party packages
are the same for both sides and not counted): a service's `app.py` and `chalicelib/`, the shared
layer's `python/` tree, and the monolith's package (its tests excluded). Cold start is measured in a fresh interpreter
each time, from the first import to a framework app ready to answer (the service: `import app`
plus the monolith's factory with only its blueprints; the monolith: its factory), median of
--repeat runs, and the number of the project's own modules loaded.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SERVICE_PROBE = """
import time, sys
start = time.perf_counter()
import app
from chalicelib import framework
framework.app()
took = time.perf_counter() - start
print(took, sum(1 for m in list(sys.modules) if m.split(".")[0] == {top!r}))
"""

MONOLITH_PROBE = """
import time, sys, importlib
start = time.perf_counter()
module, _, name = {entry!r}.partition(":")
factory = getattr(importlib.import_module(module), name)
factory()
took = time.perf_counter() - start
print(took, sum(1 for m in list(sys.modules) if m.split(".")[0] == {top!r}))
third = sorted({{m.split(".")[0] for m in list(sys.modules)}} - set(sys.stdlib_module_names) - {{{top!r}, "__main__"}})
print(" ".join(m for m in third if not m.startswith("_")))
"""

FLOOR_PROBE = """
import time, sys, importlib
start = time.perf_counter()
for name in {modules!r}:
    try:
        importlib.import_module(name)
    except ImportError:  # extension internals such as cython_runtime are not importable by name
        pass
took = time.perf_counter() - start
print(took, 0)
"""


def zipped(paths: list[Path], base: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(paths):
            if "__pycache__" not in path.parts and path.suffix != ".pyc":
                archive.write(path, path.relative_to(base).as_posix())
    return len(buffer.getvalue())


def files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def probe(code: str, cwd: Path, env: dict[str, str]) -> tuple[float, int, list[str]]:
    """One fresh interpreter: seconds, the project's modules loaded, and the probe's extra output words."""
    with tempfile.TemporaryDirectory() as scratch:
        run_env = {**env, "SAMPLE_DATABASE_URL": f"sqlite:///{scratch}/bench.db", "SAMPLE_UPLOAD_DIR": scratch}
        out = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=run_env, capture_output=True, text=True,
                             check=False)
    if out.returncode != 0:
        raise SystemExit(f"probe failed in {cwd}:\n{out.stderr[-2000:]}")
    lines = out.stdout.splitlines()
    took, count = lines[0].split()
    return float(took), int(count), (lines[1].split() if len(lines) > 1 else [])


def round_robin(probes: dict[str, tuple[str, Path, dict[str, str]]], repeat: int) -> dict[str, tuple[float, int]]:
    """Median per probe, every probe run once per round so that drift on a noisy machine hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in probes}
    modules: dict[str, int] = {}
    for _ in range(repeat):
        for name, (code, cwd, env) in probes.items():
            took, modules[name], _ = probe(code, cwd, env)
            times[name].append(took)
    return {name: (statistics.median(times[name]), modules[name]) for name in probes}


def generate_sample(where: Path) -> Path:
    for args in (["analyze", str(ROOT / "sample_monolith"), "-q"], ["plan", "-q"], ["generate", "-q"]):
        subprocess.run([sys.executable, "-m", "decompose", *args], cwd=where, check=True)
    return where / "services"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=Path, help="a generated services/ folder (default: generate the sample)")
    parser.add_argument("--root", type=Path, default=ROOT, help="folder the monolith's package imports from")
    parser.add_argument("--entry", default="sample_monolith.app:create_app", help="the monolith's app factory")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    top = args.entry.split(".")[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DECOMPOSE_", "PYTHONPATH"))}
    with tempfile.TemporaryDirectory() as scratch:
        services = args.services or generate_sample(Path(scratch))
        report = json.loads((services / "generation.json").read_text())
        root_env = {**env, "PYTHONPATH": str(args.root)}
        *_, third_party = probe(MONOLITH_PROBE.format(entry=args.entry, top=top), args.root, root_env)
        probes = {
            "monolith": (MONOLITH_PROBE.format(entry=args.entry, top=top), args.root, root_env),
            "floor": (FLOOR_PROBE.format(modules=third_party), args.root, env),
            "floor+chalice": (FLOOR_PROBE.format(modules=[*third_party, "chalice", "apig_wsgi"]), args.root, env),
        }
        for service in report["services"]:
            probes[service["name"]] = (SERVICE_PROBE.format(top=top), services / service["name"], env)
        measured = round_robin(probes, args.repeat)
        whole, whole_modules = measured["monolith"]
        floor, with_chalice = measured["floor"][0], measured["floor+chalice"][0]
        package = [p for p in files(args.root / top) if "tests" not in p.relative_to(args.root / top).parts]
        whole_size = zipped(package, args.root)
        layer = zipped(files(services / "shared" / "python"), services / "shared" / "python")
        rows = []
        for service in report["services"]:
            folder = services / service["name"]
            took, count = measured[service["name"]]
            rows.append((service["name"], len(service["routes"]), zipped([folder / "app.py", *files(folder / "chalicelib")],
                                                                         folder), took, count))
    print(f"monolith {args.entry}: code {whole_size / 1024:.1f} KiB zipped, {whole_modules} modules, "
          f"cold start {whole * 1000:.0f} ms (median of {args.repeat})")
    print(f"floor: importing the monolith's third-party packages alone takes {floor * 1000:.0f} ms, "
          f"{with_chalice * 1000:.0f} ms with chalice and apig-wsgi")
    print(f"shared layer (kernel, schema, runtime): {layer / 1024:.1f} KiB zipped\n")
    print("| service | routes | code KiB | + layer KiB | modules | cold start ms | vs monolith |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, routes, size, took, count in rows:
        print(f"| {name} | {routes} | {size / 1024:.1f} | {(size + layer) / 1024:.1f} | {count} | "
              f"{took * 1000:.0f} | {took / whole:.2f}x |")
    print(f"| **monolith** | {sum(r[1] for r in rows)} | {whole_size / 1024:.1f} | - | {whole_modules} | "
          f"{whole * 1000:.0f} | 1.00x |")


if __name__ == "__main__":
    main()
