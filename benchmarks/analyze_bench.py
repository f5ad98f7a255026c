"""Benchmark `decompose analyze` on a real codebase against its peers, measured in one run.

What flows through it:
    --corpus (a checkout, e.g. saleor/saleor) + --packages (grimp's top-level packages)
      -> a private copy of the corpus (so the one-file-changed run can edit a file)
      -> per round, each in a fresh process: bare libcst parse (same process count), the same
         without libcst's node validation (as our parser workers build trees), ours cold,
         ours warm, ours after one file changed (a comment appended), ours after the same file
         changed again so that every line moves (a comment on top), grimp cold, grimp warm. Ours are whole CLI
         processes (interpreter start-up included); the peers are timed inside their process, as
         peers.py did, and the bare parse and grimp warm are also given as whole processes for a
         like-for-like ratio
      -> medians, CPU time, peak RSS, ratios against the peers; for cold also each round's own ratio
         (the bare parse and ours run back to back), which shared machines' drifts disturb less
      -> recall of grimp's module->module import edges by ours, each missing edge explained
      -> a Markdown table on stdout (paste it into docs/performance.md)

Usage:
    pip install grimp
    python benchmarks/analyze_bench.py --corpus ~/src/saleor --packages saleor --rounds 3
    python benchmarks/analyze_bench.py --corpus ~/src/netbox --packages auto
    python benchmarks/analyze_bench.py --corpus ~/src/netbox --ours-only --rounds 1   # quick: no peers

Needs only decompose, libcst and grimp. Nothing here is a pass/fail test: numbers vary with the
machine, so read the ratios against the peers, which ran on the same machine in the same minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

UNVALIDATED = "libcst parse_module, no node validation (bare)"
BARE_PARSE = textwrap.dedent("""
    import json, sys, time
    from concurrent.futures import ProcessPoolExecutor
    import libcst
    def parse(path):
        try:
            libcst.parse_module(open(path, "rb").read())
            return 0
        except Exception:
            return 1
    def unvalidated():  # what decompose's parser workers do (decompose.analysis.parse.skip_node_validation)
        libcst.CSTNode.__post_init__ = lambda self: None
    if __name__ == "__main__":
        paths = json.load(open(sys.argv[1]))
        start = time.perf_counter()
        setup = unvalidated if sys.argv[3:] == ["unvalidated"] else None
        with ProcessPoolExecutor(max_workers=int(sys.argv[2]), initializer=setup) as pool:
            failed = sum(pool.map(parse, paths, chunksize=8))
        print(json.dumps({"seconds": time.perf_counter() - start, "failed": failed}))
""")

GRIMP_BUILD = textwrap.dedent("""
    import json, sys, time
    start = time.perf_counter()
    import grimp
    graph = grimp.build_graph(*sys.argv[2:], cache_dir=sys.argv[1])
    print(json.dumps({"seconds": time.perf_counter() - start, "modules": len(graph.modules)}))
""")


@dataclass
class Sample:
    seconds: float
    peak_mb: float
    cpu: float = 0.0  # user + system seconds of the whole process tree


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Sample:
    """Wall time, peak RSS (largest process in the tree) and CPU time (all its processes) of one
    command, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{err.decode()[-2000:]}")
    sample = Sample(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
    sample.stdout = out  # type: ignore[attr-defined]
    return sample


def inner_seconds(sample: Sample) -> float:
    """Measured inside the child: excludes interpreter start-up, like grimp's own timing."""
    return json.loads(sample.stdout)["seconds"]  # type: ignore[attr-defined]


def packages_of(corpus: Path, names: list[str], root: Path) -> list[str]:
    if names != ["auto"]:
        return names
    return sorted(p.name for p in root.iterdir() if (p / "__init__.py").exists())


def import_root(corpus: Path) -> Path:
    """Where grimp needs sys.path to point: the folder decompose names modules from."""
    from decompose.analysis.discovery import discover

    found = discover(corpus)
    first = found.sources[0]
    depth = first.module.count(".") + (1 if first.is_package else 0)
    return Path(first.path).parents[depth]


class Bench:
    def __init__(self, corpus: Path, packages: list[str], workdir: Path, jobs: int, peers: bool = True) -> None:
        self.corpus, self.workdir, self.jobs, self.peers = corpus, workdir, jobs, peers
        self.root = import_root(corpus)
        self.packages = packages_of(corpus, packages, self.root)
        self.samples: dict[str, list[Sample]] = {}
        from decompose.analysis.discovery import discover

        self.files = [s.path for s in discover(corpus).sources]
        (workdir / "files.json").write_text(json.dumps(self.files))
        (workdir / "bare.py").write_text(BARE_PARSE)
        (workdir / "grimp_build.py").write_text(GRIMP_BUILD)
        self.edited = max(self.files, key=lambda p: (Path(p).stat().st_size < 20_000, Path(p).stat().st_size))

    def add(self, name: str, sample: Sample) -> None:
        self.samples.setdefault(name, []).append(sample)

    def decompose(self, out: Path) -> Sample:
        return run([sys.executable, "-m", "decompose", "analyze", str(self.corpus), "--out", str(out), "-q", "--jobs", str(self.jobs)])

    def round(self, index: int) -> None:
        if self.peers:
            bare_cmd = [sys.executable, str(self.workdir / "bare.py"), str(self.workdir / "files.json"), str(self.jobs)]
            bare = run(bare_cmd)
            self.add("libcst parse_module (bare)", Sample(inner_seconds(bare), bare.peak_mb, bare.cpu))
            self.add("bare parse, whole process", bare)  # start-up, libcst import and pool included, as in ours
            same = run([*bare_cmd, "unvalidated"])  # parsed as our workers parse: what the analysis adds
            self.add(UNVALIDATED, Sample(inner_seconds(same), same.peak_mb, same.cpu))
        out = self.workdir / f"out{index}"
        self.add("decompose cold", self.decompose(out))
        self.add("decompose warm", self.decompose(out))
        original = Path(self.edited).read_bytes()
        try:
            Path(self.edited).write_bytes(original + b"\n# edited by the benchmark\n")
            self.add("decompose one file changed", self.decompose(out))
            Path(self.edited).write_bytes(b"# edited by the benchmark: every line moves down\n" + original)
            self.add("decompose one file changed, lines moved", self.decompose(out))
        finally:
            Path(self.edited).write_bytes(original)
        self.last_out = out
        if self.peers:
            self.grimp(index)

    def grimp(self, index: int) -> None:
        cache = self.workdir / f"grimp{index}"
        env = {**os.environ, "PYTHONPATH": str(self.root)}
        grimp_cmd = [sys.executable, str(self.workdir / "grimp_build.py"), str(cache), *self.packages]
        cold = run(grimp_cmd, env)
        warm = run(grimp_cmd, env)
        self.add("grimp build_graph cold", Sample(inner_seconds(cold), cold.peak_mb, cold.cpu))
        self.add("grimp build_graph warm", Sample(inner_seconds(warm), warm.peak_mb, warm.cpu))
        self.add("grimp warm, whole process", warm)

    def table(self) -> str:
        med = {name: statistics.median(s.seconds for s in samples) for name, samples in self.samples.items()}
        rows = ["| measure | median s | runs s | CPU s | peak RSS MB | ratio |", "|---|---:|---|---:|---:|---|"]
        for name, samples in self.samples.items():
            runs = " ".join(f"{s.seconds:.2f}" for s in samples)
            peak = max(s.peak_mb for s in samples)
            cpu = statistics.median(s.cpu for s in samples)
            ratio = self.ratio(name, med) if self.peers else ""
            rows.append(f"| {name} | {med[name]:.2f} | {runs} | {cpu:.1f} | {peak:.0f} | {ratio} |")
        return "\n".join(rows)

    def ratio(self, name: str, med: dict[str, float]) -> str:
        if name == "decompose cold":
            bare, cold = self.samples["libcst parse_module (bare)"], self.samples[name]
            paired = " ".join(f"{c.seconds / b.seconds:.2f}" for b, c in zip(bare, cold, strict=True))
            cpu = statistics.median(c.cpu for c in cold) / statistics.median(b.cpu for b in bare)
            whole = med[name] / med["bare parse, whole process"]
            return (f"{med[name] / med['libcst parse_module (bare)']:.2f}x bare parse (each round: {paired}; "
                    f"CPU {cpu:.2f}x; {whole:.2f}x as whole processes; {med[name] / med[UNVALIDATED]:.2f}x "
                    "the bare parse without node validation, as our workers parse)")
        if name.startswith(("decompose warm", "decompose one file changed")):
            whole = med["grimp warm, whole process"]
            return f"{med[name] / med['grimp build_graph warm']:.2f}x grimp warm ({med[name] / whole:.2f}x as whole processes)"
        return ""


def recall(bench: Bench) -> tuple[str, list[str]]:
    """How many of grimp's direct module->module imports decompose also reports, and why not the rest."""
    sys.path.insert(0, str(bench.root))
    import grimp

    graph = grimp.build_graph(*bench.packages, cache_dir=None)
    theirs = {(a, b) for a in graph.modules for b in graph.find_modules_directly_imported_by(a)}
    if not theirs:
        return f"grimp found no module->module edges in {' '.join(bench.packages)}: check --packages", []
    data = json.loads((bench.last_out / "analysis.json").read_text())
    kinds = ("import", "import-type-checking", "import-lazy", "import-dynamic")
    ours, via = set(), set()
    for edge in data["edges"]:
        if edge["kind"] in kinds:
            ours.add((edge["src"], edge["dst"]))
            if edge["via"]:
                via.add((edge["src"], edge["via"]))
    failed = {m["name"] for m in data["modules"] if m["parse_error"]}
    modules = {m["name"] for m in data["modules"]}
    covered, reasons, examples = 0, Counter(), {}
    for edge in sorted(theirs):
        if edge in ours:
            covered += 1
            continue
        reason = explain(edge, via, failed, modules, ours)
        if reason.startswith("covered"):
            covered += 1
        reasons[reason] += 1
        examples.setdefault(reason, edge)
    lines = [f"recall of grimp's {len(theirs):,} module->module edges: {covered:,} = {100 * covered / len(theirs):.2f}%"]
    for reason, count in reasons.most_common():
        a, b = examples[reason]
        lines.append(f"- {count:,} {reason} (e.g. {a} -> {b})")
    return lines[0], lines[1:]


def explain(edge, via, failed, modules, ours) -> str:  # noqa: ANN001
    src, dst = edge
    if src == dst:
        return "by design: a module importing itself is not a dependency, so not an edge"
    if edge in via:
        return "covered: `from pkg import name` points at the module defining name (via=pkg)"
    if src in failed:
        return "missing: the importing file could not be parsed"
    if src not in modules or dst not in modules:
        return "missing: module not found by decompose's discovery"
    if any(a == src and b.startswith(dst + ".") for a, b in ours):
        return "covered: ours points at the submodule actually imported"
    return "missing: not explained"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="a checkout of the codebase to analyse")
    parser.add_argument("--packages", nargs="+", default=["auto"], help="grimp's top-level packages (auto: every package at the import root)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--ours-only", action="store_true", help="skip the peers (bare parse, grimp) and recall: quicker")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="decompose-bench-") as tmp:
        workdir = Path(tmp)
        corpus = workdir / "corpus"
        shutil.copytree(args.corpus, corpus, symlinks=True, ignore=shutil.ignore_patterns(".git", "node_modules"))
        bench = Bench(corpus, args.packages, workdir, args.jobs, peers=not args.ours_only)
        for index in range(args.rounds):
            print(f"round {index + 1}/{args.rounds}", file=sys.stderr)
            bench.round(index)
        headline, details = recall(bench) if bench.peers else ("", [])
        print(f"corpus: {args.corpus.name} ({len(bench.files):,} files), packages: {' '.join(bench.packages)}, "
              f"{args.jobs} process(es), {args.rounds} rounds, edited file: {Path(bench.edited).relative_to(corpus)}\n")
        print(bench.table())
        print(f"\n{headline}")
        print("\n".join(details))


if __name__ == "__main__":
    main()
