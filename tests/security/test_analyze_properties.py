"""Issue #27: `analyze` never crashes and never hangs, whatever the source files hold.

Two generators: hypothesmith writes Python programs from the grammar (and hypothesis mutates
them), and a seeded mutation corpus breaks the sample monolith's and the zoo apps' real files
(truncations, deleted and duplicated lines, indentation flips, NUL bytes, invalid UTF-8, BOMs, CRLF,
lone surrogates, deep nesting, huge literals). Each generated file must come out as facts or as a
reported finding; none may raise, and a truncated Python 3 file is never called Python 2. The
examples are fixed (derandomized, no database), so CI sees the same files every run; the timeout of
the corpus run is a safety net against a hang, not a measure of speed.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import hypothesmith
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decompose.analysis.facts import FileFacts
from decompose.analysis.parse import facts_from_bytes
from decompose.analysis.sources import ParseFailure, SourceFile

REPO = Path(__file__).resolve().parents[2]
SEEDS = [REPO / "sample_monolith", REPO / "tests" / "zoo" / "apps"]
SAFETY_NET = 300  # seconds for the whole corpus: only a hang reaches it
FIXED = settings(max_examples=60, derandomize=True, database=None, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
SOURCE = SourceFile("/generated/mod.py", "mod.py", "mod", False)


def facts_or_finding(data: bytes) -> FileFacts | ParseFailure:
    """What a parser worker computes and sends back (pickled) for one file."""
    return pickle.loads(pickle.dumps(facts_from_bytes(SOURCE, data, "0" * 64)))


@FIXED
@given(hypothesmith.from_grammar())
def test_grammar_generated_programs_give_facts(source):
    result = facts_or_finding(source.encode("utf-8", "surrogatepass"))
    assert isinstance(result, FileFacts) or result.kind in ("too-complex", "too-large", "parser-error"), result


@FIXED
@given(hypothesmith.from_grammar(), st.integers(min_value=0), st.binary(max_size=8))
def test_grammar_generated_programs_cut_or_spliced_are_facts_or_findings(source, where, junk):
    data = source.encode("utf-8", "surrogatepass")
    at = where % (len(data) + 1)
    for broken in (data[:at], data[:at] + junk + data[at:]):
        result = facts_or_finding(broken)
        assert isinstance(result, (FileFacts, ParseFailure))
        if isinstance(result, ParseFailure):
            assert result.kind != "analyzer-error", result
    cut = facts_or_finding(data[:at])
    assert not isinstance(cut, ParseFailure) or cut.kind != "python2", cut


@FIXED
@given(st.text(max_size=400))
def test_arbitrary_text_is_facts_or_a_finding(text):
    result = facts_or_finding(text.encode("utf-8", "surrogatepass"))
    assert isinstance(result, FileFacts) or result.kind != "analyzer-error", result


# The mutation corpus: each mutation is deterministic given the file and a seeded random.Random.
Mutation = Callable[[bytes, random.Random], bytes]


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randrange(len(data) + 1)]


def delete_lines(data: bytes, rnd: random.Random) -> bytes:
    lines = data.splitlines(keepends=True)
    for _ in range(min(3, len(lines))):
        lines.pop(rnd.randrange(len(lines)))
    return b"".join(lines)


def duplicate_lines(data: bytes, rnd: random.Random) -> bytes:
    lines = data.splitlines(keepends=True) or [b""]
    at = rnd.randrange(len(lines))
    return b"".join(lines[:at] + lines[at : at + 3] * 2 + lines[at + 3 :])


def flip_indentation(data: bytes, rnd: random.Random) -> bytes:
    lines = data.splitlines(keepends=True)
    for _ in range(min(4, len(lines))):
        at = rnd.randrange(len(lines))
        lines[at] = lines[at].lstrip(b" \t") if lines[at][:1] in b" \t" else b"   \t" + lines[at]
    return b"".join(lines)


def insert_bytes(junk: bytes) -> Mutation:
    def mutate(data: bytes, rnd: random.Random) -> bytes:
        at = rnd.randrange(len(data) + 1)
        return data[:at] + junk + data[at:]

    mutate.__name__ = f"insert_{junk.hex()}"
    return mutate


def bom_and_crlf(data: bytes, rnd: random.Random) -> bytes:
    return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")


def lone_cr(data: bytes, rnd: random.Random) -> bytes:
    return data.replace(b"\n", b"\r", rnd.randrange(1, 4))


def deep_nesting(data: bytes, rnd: random.Random) -> bytes:
    depth = rnd.choice([150, 199, 201, 400, 3_000])
    return data + b"\nDEEP = " + b"(" * depth + b"1" + b")" * depth + b"\n"


def long_chain(data: bytes, rnd: random.Random) -> bytes:
    link = rnd.choice([b"+1", b".a", b"[0]", b"()", b" and x", b" if x else y"])
    return data + b"\nCHAIN = x" + link * rnd.choice([500, 1_001, 5_000]) + b"\n"


def huge_literal(data: bytes, rnd: random.Random) -> bytes:
    count = rnd.choice([10_000, 200_000])
    return data + b"\nHUGE = [" + b"0," * count + b"]\nLONG = '" + b"x" * 500_000 + b"'\n"


MUTATIONS: list[Mutation] = [
    truncate, truncate, delete_lines, duplicate_lines, flip_indentation, insert_bytes(b"\0"),
    insert_bytes(b"\xff\xfe"), insert_bytes(b"\xed\xa0\x80"), insert_bytes(b"\x80"), insert_bytes(b'"""'),
    insert_bytes(b"\\"), bom_and_crlf, lone_cr, deep_nesting, long_chain, huge_literal,
]


def mutation_corpus(target: Path) -> dict[str, str]:
    """Write every seed file under every mutation (two per file, picked by a seeded random) into
    `target`; return file name -> mutation name."""
    rnd = random.Random(27)
    seeds = sorted(p for root in SEEDS for p in root.rglob("*.py"))
    written: dict[str, str] = {}
    for index, seed in enumerate(seeds):
        data = seed.read_bytes()
        for mutate in rnd.sample(MUTATIONS, 2):
            name = f"m{index:03d}_{mutate.__name__}.py"
            (target / name).write_bytes(mutate(data, rnd))
            written[name] = mutate.__name__
    return written


def test_the_mutation_corpus_is_analysed_without_a_crash_or_a_hang(tmp_path):
    tree = tmp_path / "corpus"
    tree.mkdir()
    written = mutation_corpus(tree)
    assert len(written) > 400
    inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*inherited, str(REPO)])}
    result = subprocess.run([sys.executable, "-m", "decompose", "analyze", str(tree), "--out", str(tmp_path / "out"), "--no-cache"],
                            capture_output=True, text=True, timeout=SAFETY_NET, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    analysis = json.loads((tmp_path / "out" / "analysis.json").read_text())
    failures = {f["path"]: f for f in analysis["failures"]}
    parsed = {m["path"] for m in analysis["modules"] if not m.get("parse_error")}
    assert set(written) == parsed | set(failures)  # every file accounted for: facts or a finding
    assert not parsed & set(failures)
    kinds = {f["kind"] for f in failures.values()}
    assert not kinds & {"analyzer-error", "parser-crash", "out-of-memory"}, [f for f in failures.values() if f["kind"] in
                                                                            ("analyzer-error", "parser-crash", "out-of-memory")]
    assert {"binary", "undecodable", "syntax-error", "too-large", "too-complex"} <= kinds
    cut_to_python2 = [name for name, how in written.items() if how == "truncate" and failures.get(name, {}).get("kind") == "python2"]
    assert cut_to_python2 == []
    assert all(f["line"] for f in failures.values() if f["kind"] == "syntax-error")
