"""Quality metrics for a decomposition: pure functions over plain data, no I/O.

Inputs:
    Partition   = Mapping[element id, service name]
    Dependency  = (src element, dst element, weight = number of calls/references), directed
    TableAccess = (element, table, weight = number of accesses)

Conventions shared by every metric:
    * Elements absent from the partition are ignored: a dependency or table access that
      touches one is dropped before anything is counted.
    * Self-loops (src == dst) are ignored. Duplicate (src, dst) pairs are summed.
    * Weights must be >= 0; zero-weight entries are dropped (they record no call);
      a negative or NaN weight raises ValueError.
    * K = number of services (distinct values of the partition), N_i = size of service i.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

Partition = Mapping[str, str]
Dependency = tuple[str, str, float]
TableAccess = tuple[str, str, float]

NED_CLASSIC_BOUNDS = (5, 20)
NED_PYTHON_BOUNDS = (10, 400)


# ----------------------------------------------------------------------------- helpers
def _check_weight(w: float) -> bool:
    """True if the entry counts; raises on a negative or NaN weight."""
    if not w >= 0:
        raise ValueError(f"weight must be a non-negative number, got {w!r}")
    return w > 0


def _services(partition: Partition) -> dict[str, list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for element, service in partition.items():
        members[service].append(element)
    return {s: sorted(members[s]) for s in sorted(members)}


def _edges(partition: Partition, deps: Sequence[Dependency]) -> dict[tuple[str, str], float]:
    """Directed (src, dst) -> summed weight, restricted to partitioned, distinct elements."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    for src, dst, w in deps:
        if _check_weight(w) and src != dst and src in partition and dst in partition:
            out[(src, dst)] += w
    return dict(out)


def _undirected(edges: Mapping[tuple[str, str], float]) -> dict[frozenset, float]:
    """Unordered element pair -> total weight over both directions."""
    out: dict[frozenset, float] = defaultdict(float)
    for (src, dst), w in edges.items():
        out[frozenset((src, dst))] += w
    return dict(out)


# ----------------------------------------------------------------------------- SM
def structural_modularity(partition: Partition, deps: Sequence[Dependency], *, weighted: bool = False) -> float:
    """SM, structural modularity (higher is better).

    Source: Jin et al., "Service candidate identification from monolithic systems based on
    execution traces", TSE 2019, as implemented in Mono2Micro's evaluation code
    (kaliaanup/Mono2Micro-FSE-2021, metrics/metrics_util.py, ``structural_modularity``):

        SM = (1/K) sum_i mu_i / N_i^2  -  (1 / (K(K-1)/2)) sum_{i != j} sigma_ij / (2 N_i N_j)

    The reference sums the coupling over *ordered* pairs i != j with a symmetric sigma, so
    the 2 in the denominator cancels the double count; equivalently
    coupling = (2 / (K(K-1))) sum_{i<j} sigma_ij / (N_i N_j).
    (Summing over i<j only, as some restatements write, would halve the coupling term.)

    mu_i: number of unordered element pairs {a, b} inside service i joined by a dependency in
    either direction; sigma_ij: same for pairs a in i, b in j. Unique undirected edges, as in
    the reference (a->b and b->a count once). ``weighted=True`` replaces the counts by the
    summed dependency weights (then SM is no longer bounded to [-1, 1]).
    K = 1: the coupling term is 0 (reference convention). Empty partition: 0.0.
    """
    groups = _services(partition)
    k = len(groups)
    if k == 0:
        return 0.0
    size = {s: len(m) for s, m in groups.items()}
    mu: dict[str, float] = defaultdict(float)
    sigma: dict[frozenset, float] = defaultdict(float)
    for pair, w in _undirected(_edges(partition, deps)).items():
        a, b = sorted(pair)
        sa, sb = partition[a], partition[b]
        value = w if weighted else 1.0
        if sa == sb:
            mu[sa] += value
        else:
            sigma[frozenset((sa, sb))] += value
    cohesion = sum(mu[s] / size[s] ** 2 for s in groups) / k
    if k == 1:
        return cohesion
    coupling = 0.0
    for pair, v in sigma.items():
        a, b = tuple(pair)
        coupling += v / (size[a] * size[b])
    return cohesion - coupling * 2 / (k * (k - 1))


# ----------------------------------------------------------------------------- ICP
def inter_call_percentage(partition: Partition, deps: Sequence[Dependency], *, log_damped: bool = False) -> float:
    """ICP, inter-call percentage (lower is better), Kalia et al., Mono2Micro, FSE 2021.

        ICP = sum of w over dependencies crossing services / sum of w over all dependencies

    ``log_damped=True`` uses w' = 1 + ln(w) per directed (src, dst) pair, which is what the
    Mono2Micro evaluation code does (metrics/metrics_util.py, ``inter_call_percentage``:
    ``n_total += np.log(volume) + 1``); weights below 1 are raised to 1 in that mode.
    No dependencies: 0.0 (the reference returns inf).
    """
    total = inter = 0.0
    for (src, dst), w in _edges(partition, deps).items():
        w = 1.0 + math.log(max(w, 1.0)) if log_damped else w
        total += w
        if partition[src] != partition[dst]:
            inter += w
    return inter / total if total else 0.0


# ----------------------------------------------------------------------------- IFN
@dataclass(frozen=True)
class InterfaceNumber:
    mean: float
    per_service: dict[str, int]


def interface_number(partition: Partition, deps: Sequence[Dependency]) -> InterfaceNumber:
    """IFN, interface number (lower is better), Jin et al. TSE 2019 / Mono2Micro FSE 2021.

        ifn_i = |{e in service i : some element of another service depends on e}|
        IFN   = (1/K) sum_i ifn_i

    An element is an interface of its service if it is the destination of at least one
    dependency coming from another service. Empty partition: 0.0.
    """
    groups = _services(partition)
    interfaces: dict[str, set[str]] = {s: set() for s in groups}
    for src, dst in _edges(partition, deps):
        if partition[src] != partition[dst]:
            interfaces[partition[dst]].add(dst)
    per = {s: len(v) for s, v in interfaces.items()}
    return InterfaceNumber(sum(per.values()) / len(per) if per else 0.0, per)


def interface_pairs(partition: Partition, deps: Sequence[Dependency]) -> float:
    """What the Mono2Micro evaluation code actually computes as ``interface_number``
    (metrics/metrics_util.py): the number of unordered cross-service element pairs joined by a
    dependency in either direction, divided by K. Kept to compare with published numbers."""
    k = len(set(partition.values()))
    pairs = [p for p in _undirected(_edges(partition, deps)) if len({partition[e] for e in p}) == 2]
    return len(pairs) / k if k else 0.0


# ----------------------------------------------------------------------------- NED
def non_extreme_distribution(partition: Partition, *, low: int = 5, high: int = 20) -> float:
    """NED, non-extreme distribution (lower is better), Mono2Micro FSE 2021:

        NED = 1 - (sum of N_i over services with low <= N_i <= high) / N

    Defaults (5, 20) are Mono2Micro's, chosen for Java *classes*. Empty partition: 1.0
    (as the reference code). See ``NED_PYTHON_BOUNDS`` for the variant used on Python symbols:
    (10, 400), fixed bounds on element counts (functions/classes), because
      * an element here is a function or a class, finer than a Java class that carries its
        methods, so every bound moves up;
      * 10: below that a service is a handful of functions, a nano-service not worth a
        deployable of its own (2x Mono2Micro's lower bound 5);
      * 400: services of real Python web apps commonly hold 20-300 symbols; 400 leaves a third
        of head-room over that range before calling a service a leftover monolith;
      * fixed rather than relative to N/K, so that scores stay comparable across K (a band
        around N/K would only measure balance, and would move with K itself).
    """
    sizes = Counter(partition.values()).values()
    n = sum(sizes)
    if n == 0:
        return 1.0
    return 1.0 - sum(s for s in sizes if low <= s <= high) / n


# ----------------------------------------------------------------------------- TurboMQ
@dataclass(frozen=True)
class TurboMQ:
    value: float
    normalised: float
    per_service: dict[str, float]


def turbomq(partition: Partition, deps: Sequence[Dependency], *, weighted: bool = True) -> TurboMQ:
    """TurboMQ (higher is better), Mitchell & Mancoridis, "On the automatic modularization of
    software systems using the Bunch tool", TSE 2006:

        MF_i = 0                                          if mu_i = 0
             = 2 mu_i / (2 mu_i + sum_{j != i} (eps_ij + eps_ji))   otherwise
        TurboMQ = sum_i MF_i;   normalised = TurboMQ / K  (in [0, 1])

    mu_i: total weight of directed dependencies inside service i; eps_ij: total weight from
    i to j. ``weighted=False`` counts each distinct directed (src, dst) edge as 1.
    Note: Mono2Micro's ``modular_quality`` counts only outgoing eps_ij; this is Bunch's form.
    """
    groups = _services(partition)
    intra: dict[str, float] = defaultdict(float)
    inter: dict[str, float] = defaultdict(float)
    for (src, dst), w in _edges(partition, deps).items():
        w = w if weighted else 1.0
        s, d = partition[src], partition[dst]
        if s == d:
            intra[s] += w
        else:
            inter[s] += w
            inter[d] += w
    per = {s: (2 * intra[s] / (2 * intra[s] + inter[s]) if intra[s] else 0.0) for s in groups}
    value = sum(per.values())
    return TurboMQ(value, value / len(per) if per else 0.0, per)


# ----------------------------------------------------------------------------- CARGO
def cargo_cohesion_coupling(partition: Partition, deps: Sequence[Dependency]) -> tuple[float, float]:
    """(cohesion, coupling) as CARGO computes them (Nitin et al., ASE 2022; reference code
    IBM/codenet-minerva-cargo, cargo/metrics/metrics.py, ``_static_cohesion`` and
    ``_static_coupling``). With internal_i = weight of dependencies inside service i and
    external_i = weight of dependencies with exactly one end in i (either direction):

        cohesion = (1/K) sum_i 2 internal_i / (2 internal_i + external_i)   (higher is better)
        coupling = weight of cross-service dependencies / total weight       (lower is better)

    i.e. cohesion is the weighted Bunch MF averaged over services (= TurboMQ / K) and coupling
    is weighted ICP. CARGO's evaluation further reports ICP, BCP (business-context purity, needs
    use-case labels we do not have) and a database transaction entropy (see
    ``transaction_purity``). Differences from the reference: it adds 1e-7 to denominators,
    counts self-loops as internal, and counts edges with one unpartitioned end as external;
    here self-loops and unpartitioned elements are ignored like everywhere in this module.
    """
    return turbomq(partition, deps, weighted=True).normalised, inter_call_percentage(partition, deps)


# ----------------------------------------------------------------------------- DB purity
@dataclass(frozen=True)
class TransactionPurity:
    per_table: dict[str, float]
    mean_entropy: float
    purity: float
    skipped_tables: tuple[str, ...]


def _entropy_bits(counts: Sequence[float]) -> float:
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts if c > 0) + 0.0


def transaction_purity(
    partition: Partition, table_access: Sequence[TableAccess], *, weighted: bool = True
) -> TransactionPurity:
    """Database transaction purity, after CARGO's ``transaction_entropy`` (Nitin et al., ASE
    2022; IBM/codenet-minerva-cargo cargo/metrics/metrics.py).

    For each table t, p_t(s) = share of the accesses to t made by elements of service s, and
        H_t = -sum_s p_t(s) log2 p_t(s)       (bits; 0 = one service touches t = pure)
        mean_entropy = mean_t H_t
        purity = 1 - mean_t (H_t / log2 K)    if K > 1, else 1.0     (in [0, 1]; K = number
                 of services in the partition, so log2 K is the largest possible H_t)
    ``weighted=True`` weighs accesses by their weight; ``weighted=False`` counts each distinct
    accessing element once, as CARGO does (CARGO uses natural logs and puts unpartitioned
    accessors in a bucket of their own; here they are ignored). Tables with no access from a
    partitioned element are listed in ``skipped_tables``; with no table left the mean entropy
    is 0.0 and the purity 1.0.
    """
    by_table: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    seen: set[str] = set()
    counted: set[tuple[str, str]] = set()
    for element, table, w in table_access:
        seen.add(table)
        if not _check_weight(w) or element not in partition:
            continue
        if not weighted:
            if (element, table) in counted:
                continue
            counted.add((element, table))
        by_table[table][partition[element]] += w if weighted else 1.0
    per = {t: _entropy_bits(list(by_table[t].values())) for t in sorted(by_table)}
    skipped = tuple(sorted(seen - set(per)))
    k = len(set(partition.values()))
    mean = sum(per.values()) / len(per) if per else 0.0
    purity = 1.0 - mean / math.log2(k) if per and k > 1 else 1.0
    return TransactionPurity(per, mean, purity, skipped)


# ----------------------------------------------------------------------------- MoJo
def _common(a: Partition, b: Partition) -> list[str]:
    return sorted(set(a) & set(b))


def mojo(a: Partition, b: Partition) -> int:
    """mno(A, B): the minimum number of Move and Join operations turning A into B.

    Direction: A = produced partition, B = ground truth (MoJo is not symmetric). Only
    objects present in both partitions count. Exact algorithm of Wen & Tzerpos, "An optimal
    algorithm for MoJo distance", IWPC 2003 (as in the MoJo tool's MoJoCalculator):
    tag every object of each A cluster A_i with its B cluster; let maxtag_i be the largest
    tag count in A_i; join A_i to every B group reaching maxtag_i in a bipartite graph and
    take a maximum matching (size g). Then
        M = sum_i (|A_i| - maxtag_i)    (moves),    J = l - g    (joins; l = #A clusters)
        mno = M + J
    """
    objs = _common(a, b)
    clusters: dict[str, Counter] = defaultdict(Counter)
    for o in objs:
        clusters[a[o]][b[o]] += 1
    graph = nx.Graph()
    moves = 0
    for name, tags in clusters.items():
        top = max(tags.values())
        moves += sum(tags.values()) - top
        graph.add_node(("A", name), bipartite=0)
        graph.add_edges_from((("A", name), ("B", g)) for g, c in tags.items() if c == top)
    left = [n for n in graph if n[0] == "A"]
    matched = len(nx.bipartite.hopcroft_karp_matching(graph, top_nodes=left)) // 2 if left else 0
    return moves + len(clusters) - matched


def max_mojo(b: Partition, objects: Sequence[str] | None = None) -> int:
    """max over all partitions A of mno(A, B) = n - g(B) (Wen & Tzerpos, "An effectiveness
    measure for software clustering algorithms", IWPC 2004; MoJo tool ``maxDistanceTo``):
    sort B's cluster sizes ascending, g = 0, and for each size s: if g < s then g += 1."""
    objs = set(b) if objects is None else set(objects)
    g = 0
    for size in sorted(Counter(b[o] for o in objs).values()):
        if g < size:
            g += 1
    return len(objs) - g


def mojofm(a: Partition, b: Partition) -> float:
    """MoJoFM(A, B) = (1 - mno(A, B) / max_A' mno(A', B)) * 100, Wen & Tzerpos IWPC 2004.
    A = produced, B = ground truth, over the objects present in both. 100 = identical.
    With exactly 1 common object the maximum is 0 and the result is 100.0 (the MoJo tool
    returns 0 there); with none, ValueError. Unrounded (the tool rounds to 2 decimals)."""
    objs = _common(a, b)
    if not objs:
        raise ValueError("MoJoFM: the two partitions share no element")
    worst = max_mojo(b, objs)
    return 100.0 if worst == 0 else (1.0 - mojo(a, b) / worst) * 100.0


# ----------------------------------------------------------------------------- all
def _round4(x: float) -> float:
    return round(x, 4)


@dataclass(frozen=True)
class Scores:
    sm: float
    sm_weighted: float
    icp: float
    icp_log: float
    ifn: InterfaceNumber
    ifn_pairs: float
    ned_5_20: float
    ned_python: float
    turbomq: TurboMQ
    turbomq_unweighted: TurboMQ
    cargo_cohesion: float
    cargo_coupling: float
    transactions: TransactionPurity
    mojofm: float | None = None
    mojo: int | None = None

    def to_dict(self) -> dict:
        """Deterministic, JSON-ready; floats rounded to 4 decimals, keys sorted."""
        r = _round4
        t = self.transactions
        out = {
            "sm": r(self.sm), "sm_weighted": r(self.sm_weighted),
            "icp": r(self.icp), "icp_log_damped": r(self.icp_log),
            "ifn": r(self.ifn.mean), "ifn_per_service": dict(sorted(self.ifn.per_service.items())),
            "ifn_pairs_m2m": r(self.ifn_pairs),
            "ned_5_20": r(self.ned_5_20), "ned_python": r(self.ned_python),
            "turbomq": r(self.turbomq.value), "turbomq_normalised": r(self.turbomq.normalised),
            "turbomq_unweighted": r(self.turbomq_unweighted.value),
            "cargo_cohesion": r(self.cargo_cohesion), "cargo_coupling": r(self.cargo_coupling),
            "db_entropy_per_table": {k: r(v) for k, v in sorted(t.per_table.items())},
            "db_entropy_mean": r(t.mean_entropy), "db_purity": r(t.purity),
            "db_tables_skipped": list(t.skipped_tables),
            "mojo": self.mojo, "mojofm": None if self.mojofm is None else r(self.mojofm),
        }
        return dict(sorted(out.items()))


def score_all(
    partition: Partition,
    deps: Sequence[Dependency],
    table_access: Sequence[TableAccess] = (),
    ground_truth: Partition | None = None,
) -> Scores:
    """Every metric above with its default variant (plus the named alternatives)."""
    cohesion, coupling = cargo_cohesion_coupling(partition, deps)
    return Scores(
        sm=structural_modularity(partition, deps),
        sm_weighted=structural_modularity(partition, deps, weighted=True),
        icp=inter_call_percentage(partition, deps),
        icp_log=inter_call_percentage(partition, deps, log_damped=True),
        ifn=interface_number(partition, deps),
        ifn_pairs=interface_pairs(partition, deps),
        ned_5_20=non_extreme_distribution(partition, low=NED_CLASSIC_BOUNDS[0], high=NED_CLASSIC_BOUNDS[1]),
        ned_python=non_extreme_distribution(partition, low=NED_PYTHON_BOUNDS[0], high=NED_PYTHON_BOUNDS[1]),
        turbomq=turbomq(partition, deps),
        turbomq_unweighted=turbomq(partition, deps, weighted=False),
        cargo_cohesion=cohesion,
        cargo_coupling=coupling,
        transactions=transaction_purity(partition, table_access),
        mojofm=None if ground_truth is None else mojofm(partition, ground_truth),
        mojo=None if ground_truth is None else mojo(partition, ground_truth),
    )
