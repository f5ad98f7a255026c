"""Metrics on hand-computed graphs, edge cases, and cross-checks against independent ports of
the reference code (Mono2Micro SM, CARGO cohesion) and a brute-force MoJo search."""

import itertools
import json
import math
import random

import networkx as nx
import pytest

from decompose.planning.metrics import (
    NED_PYTHON_BOUNDS,
    cargo_cohesion_coupling,
    inter_call_percentage,
    interface_number,
    interface_pairs,
    max_mojo,
    mojo,
    mojofm,
    non_extreme_distribution,
    score_all,
    structural_modularity,
    transaction_purity,
    turbomq,
)

# S1 = {a, b, c}, S2 = {d, e}, S3 = {f}; x is not partitioned.
P = {"a": "S1", "b": "S1", "c": "S1", "d": "S2", "e": "S2", "f": "S3"}
DEPS = [
    ("a", "b", 3), ("b", "a", 1), ("b", "c", 2),  # inside S1
    ("c", "d", 4),                                # S1 -> S2
    ("d", "e", 5),                                # inside S2
    ("e", "a", 1),                                # S2 -> S1
    ("f", "d", 2),                                # S3 -> S2
    ("a", "a", 7),                                # self-loop: ignored
    ("a", "x", 9), ("x", "f", 9),                 # x unpartitioned: ignored
]
# Kept directed edges: ab3 ba1 bc2 cd4 de5 ea1 fd2 -> total 18, crossing cd4 + ea1 + fd2 = 7.
CLEAN = [d for d in DEPS if d[0] != d[1] and "x" not in d[:2]]


# ---------------------------------------------------------------- SM
def test_sm_unique_edges_by_hand():
    # Unordered connected pairs: {a,b} {b,c} in S1; {d,e} in S2; {c,d} {a,e} S1-S2; {d,f} S2-S3.
    # cohesion = (2/3^2 + 1/2^2 + 0/1^2) / 3 = (2/9 + 1/4) / 3 = 17/108
    # coupling = 2/(K(K-1)) * (sigma12/(3*2) + sigma23/(2*1)) = 1/3 * (2/6 + 1/2) = 5/18 = 30/108
    # SM = 17/108 - 30/108 = -13/108
    assert structural_modularity(P, DEPS) == pytest.approx(-13 / 108)


def test_sm_weighted_by_hand():
    # mu1 = w{a,b} 3+1 + w{b,c} 2 = 6 -> 6/9; mu2 = 5 -> 5/4; cohesion = (2/3 + 5/4)/3 = 23/36
    # sigma12 = 4 + 1 = 5 -> 5/6; sigma23 = 2 -> 2/2; coupling = 1/3 * (5/6 + 1) = 11/18 = 22/36
    assert structural_modularity(P, DEPS, weighted=True) == pytest.approx(1 / 36)


def test_sm_one_service_has_no_coupling_term():
    # One service of 3 with pairs {a,b}, {b,c}: SM = 2/9 - 0 (no division by K-1 = 0)
    one = {"a": "S", "b": "S", "c": "S"}
    assert structural_modularity(one, [("a", "b", 1), ("b", "c", 1)]) == pytest.approx(2 / 9)


def test_sm_both_directions_count_once():
    # a<->b inside a 2-element service: mu = 1 pair -> 1/4 (not 2/4)
    two = {"a": "S", "b": "S"}
    assert structural_modularity(two, [("a", "b", 1), ("b", "a", 1)]) == pytest.approx(0.25)


def _reference_sm(partition, deps):
    """Port of Mono2Micro metrics_util.structural_modularity (loops kept as in the original)."""
    volume = {f"{s}--{d}": w for s, d, w in deps}
    clusters = sorted(set(partition.values()))
    members = {c: sorted(e for e in partition if partition[e] == c) for c in clusters}
    scoh = []
    for c in clusters:
        cls = members[c]
        mu = sum(
            1 for i in range(len(cls) - 1) for j in range(i, len(cls))
            if f"{cls[i]}--{cls[j]}" in volume or f"{cls[j]}--{cls[i]}" in volume
        )
        scoh.append(mu / (len(cls) * len(cls)))
    p2 = 0.0
    for m, n in itertools.permutations(clusters, 2):
        sigma = sum(
            1 for x in members[m] for y in members[n]
            if f"{x}--{y}" in volume or f"{y}--{x}" in volume
        )
        p2 += sigma / (2 * len(members[m]) * len(members[n]))
    k = len(clusters)
    return sum(scoh) / k - (0 if k == 1 else p2 / k / (k - 1) * 2)


def _random_case(rng, n=9, k=3, m=20):
    elements = [f"e{i}" for i in range(n)]
    partition = {e: f"S{rng.randrange(k)}" for e in elements}
    deps = [(rng.choice(elements), rng.choice(elements), rng.randint(1, 9)) for _ in range(m)]
    return partition, [d for d in deps if d[0] != d[1]]


def test_sm_matches_reference_port_on_random_graphs():
    rng = random.Random(7)
    for _ in range(200):
        partition, deps = _random_case(rng)
        assert structural_modularity(partition, deps) == pytest.approx(_reference_sm(partition, deps))


# ---------------------------------------------------------------- ICP
def test_icp_by_hand():
    assert inter_call_percentage(P, DEPS) == pytest.approx(7 / 18)  # crossing 7 of 18


def test_icp_log_damped_by_hand():
    # w' = 1 + ln w per directed pair: total = 7 + ln(3*1*2*4*5*1*2) = 7 + ln 240
    # crossing: (1+ln4) + (1+ln1) + (1+ln2) = 3 + ln 8
    expected = (3 + math.log(8)) / (7 + math.log(240))
    assert inter_call_percentage(P, DEPS, log_damped=True) == pytest.approx(expected)


def test_icp_duplicates_are_summed():
    # two entries a->d of 2 and 3 = 5 crossing, b->a 5 inside: 5/10
    p = {"a": "S1", "b": "S1", "d": "S2"}
    assert inter_call_percentage(p, [("a", "d", 2), ("a", "d", 3), ("b", "a", 5)]) == pytest.approx(0.5)


# ---------------------------------------------------------------- IFN
def test_ifn_by_hand():
    # cross deps c->d, e->a, f->d: interfaces S1 {a}, S2 {d}, S3 {} -> mean 2/3
    ifn = interface_number(P, DEPS)
    assert ifn.per_service == {"S1": 1, "S2": 1, "S3": 0}
    assert ifn.mean == pytest.approx(2 / 3)


def test_ifn_pairs_like_mono2micro_code():
    # unordered cross pairs {c,d} {a,e} {d,f} = 3, / K = 3
    assert interface_pairs(P, DEPS) == pytest.approx(1.0)


# ---------------------------------------------------------------- NED
def test_ned_classic_bounds():
    # sizes 5, 20, 21, 4: in [5, 20] -> 5 + 20 = 25 of N = 50 -> 1 - 0.5
    sizes = {"A": 5, "B": 20, "C": 21, "D": 4}
    p = {f"{s}{i}": s for s, n in sizes.items() for i in range(n)}
    assert non_extreme_distribution(p) == pytest.approx(0.5)


def test_ned_python_bounds():
    lo, hi = NED_PYTHON_BOUNDS
    # sizes lo, hi, hi + 1, lo - 1: in range lo + hi of 2(lo + hi) -> 0.5
    sizes = {"A": lo, "B": hi, "C": hi + 1, "D": lo - 1}
    p = {f"{s}{i}": s for s, n in sizes.items() for i in range(n)}
    assert non_extreme_distribution(p, low=lo, high=hi) == pytest.approx(0.5)
    # under Mono2Micro's 5..20 only the sizes 10 and 9 count: 1 - 19/820
    assert (lo, hi) == (10, 400)
    assert non_extreme_distribution(p) == pytest.approx(1 - 19 / 820)


def test_ned_fixture_all_extreme():
    assert non_extreme_distribution(P) == 1.0  # sizes 3, 2, 1 all below 5


# ---------------------------------------------------------------- TurboMQ and CARGO
def test_turbomq_weighted_by_hand():
    # intra S1 = 3+1+2 = 6, S2 = 5, S3 = 0; boundary S1 = cd4 + ea1 = 5, S2 = 4+1+2 = 7, S3 = 2
    # MF1 = 12/17, MF2 = 10/17, MF3 = 0 (mu = 0)
    mq = turbomq(P, DEPS)
    assert mq.per_service == pytest.approx({"S1": 12 / 17, "S2": 10 / 17, "S3": 0.0})
    assert mq.value == pytest.approx(22 / 17)
    assert mq.normalised == pytest.approx(22 / 51)


def test_turbomq_unweighted_by_hand():
    # edges: intra S1 3 (ab, ba, bc), S2 1 (de); boundary S1 2 (cd, ea), S2 3 (cd, ea, fd)
    # MF1 = 6/8, MF2 = 2/5 -> 1.15
    assert turbomq(P, DEPS, weighted=False).value == pytest.approx(0.75 + 0.4)


def _reference_cargo_cohesion(partition, deps):
    """Port of CARGO Metrics._static_cohesion (without its 1e-7)."""
    clusters = sorted(set(partition.values()))
    internal = dict.fromkeys(clusters, 0.0)
    external = dict.fromkeys(clusters, 0.0)
    for s, d, w in deps:
        if partition[s] == partition[d]:
            internal[partition[s]] += w
        else:
            external[partition[s]] += w
            external[partition[d]] += w
    mfs = [2 * internal[c] / (2 * internal[c] + external[c]) if internal[c] + external[c] else 0.0 for c in clusters]
    return sum(mfs) / len(mfs)


def test_cargo_by_hand_and_against_port():
    cohesion, coupling = cargo_cohesion_coupling(P, DEPS)
    assert cohesion == pytest.approx(22 / 51)  # (12/17 + 10/17 + 0) / 3
    assert coupling == pytest.approx(7 / 18)
    rng = random.Random(11)
    for _ in range(100):
        partition, deps = _random_case(rng)
        got, _ = cargo_cohesion_coupling(partition, deps)
        assert got == pytest.approx(_reference_cargo_cohesion(partition, deps))


# ---------------------------------------------------------------- edge cases
def test_empty_deps_and_self_loops_only():
    for deps in ([], [("a", "a", 3), ("d", "d", 1)]):
        assert structural_modularity(P, deps) == 0.0
        assert inter_call_percentage(P, deps) == 0.0
        assert interface_number(P, deps).mean == 0.0
        assert turbomq(P, deps).value == 0.0


def test_unpartitioned_elements_are_ignored():
    noisy = CLEAN + [("x", "a", 100), ("d", "y", 100), ("x", "y", 100)]
    for fn in (structural_modularity, inter_call_percentage):
        assert fn(P, noisy) == pytest.approx(fn(P, CLEAN))
    assert interface_number(P, noisy) == interface_number(P, CLEAN)
    assert turbomq(P, noisy) == turbomq(P, CLEAN)


def test_one_service():
    one = dict.fromkeys("abc", "S")
    deps = [("a", "b", 2), ("b", "c", 1)]
    assert inter_call_percentage(one, deps) == 0.0
    assert interface_number(one, deps).per_service == {"S": 0}
    mq = turbomq(one, deps)
    assert (mq.value, mq.normalised) == (1.0, 1.0)  # 2mu / (2mu + 0)
    tp = transaction_purity(one, [("a", "t", 1), ("c", "t", 4)])
    assert tp.per_table == {"t": 0.0} and tp.purity == 1.0


def test_empty_partition():
    assert structural_modularity({}, DEPS) == 0.0
    assert non_extreme_distribution({}) == 1.0
    assert turbomq({}, DEPS).value == 0.0


def test_weights_validated():
    with pytest.raises(ValueError):
        inter_call_percentage(P, [("a", "d", -1)])
    with pytest.raises(ValueError):
        transaction_purity(P, [("a", "t", float("nan"))])
    # a zero weight records no call: it does not create an SM pair
    assert structural_modularity(P, DEPS + [("a", "f", 0)]) == pytest.approx(-13 / 108)


# ---------------------------------------------------------------- transactions
ACCESS = [
    ("a", "orders", 3), ("b", "orders", 1),                  # only S1: H = 0
    ("a", "users", 2), ("d", "users", 2),                    # S1 2, S2 2: H = 1 bit
    ("a", "audit", 1), ("d", "audit", 1), ("f", "audit", 1), # three services evenly: H = log2 3
    ("x", "ghost", 5),                                       # only unpartitioned: skipped
]


def test_transaction_purity_by_hand():
    tp = transaction_purity(P, ACCESS)
    assert tp.per_table == pytest.approx({"audit": math.log2(3), "orders": 0.0, "users": 1.0})
    assert tp.skipped_tables == ("ghost",)
    mean = (0 + 1 + math.log2(3)) / 3
    assert tp.mean_entropy == pytest.approx(mean)
    assert tp.purity == pytest.approx(1 - mean / math.log2(3))  # K = 3; about 0.4564


def test_transaction_weighted_vs_element_count():
    access = [("a", "t", 5), ("a", "t", 1), ("d", "t", 1)]
    # weighted: S1 6, S2 1 -> H = -(6/7 log2 6/7 + 1/7 log2 1/7) ~ 0.5917
    h = -(6 / 7 * math.log2(6 / 7) + 1 / 7 * math.log2(1 / 7))
    assert transaction_purity(P, access).per_table["t"] == pytest.approx(h)
    # distinct elements (CARGO style): S1 {a}, S2 {d} -> 1 bit
    assert transaction_purity(P, access, weighted=False).per_table["t"] == pytest.approx(1.0)


def test_transaction_no_tables():
    tp = transaction_purity(P, [("x", "ghost", 1)])
    assert (tp.per_table, tp.mean_entropy, tp.purity, tp.skipped_tables) == ({}, 0.0, 1.0, ("ghost",))


# ---------------------------------------------------------------- MoJo
def _part(*clusters):
    return {o: f"C{i}" for i, c in enumerate(clusters) for o in c}


def test_mojo_identical_up_to_names():
    a = _part("12", "345")
    b = {o: "other" + c for o, c in a.items()}
    assert mojo(a, b) == 0 and mojofm(a, b) == 100.0


def test_mojo_one_move():
    # A = {1,2,3}{4,5}, B = {1,2}{3,4,5}: move 3 -> mno 1; max = 5 - g, sizes [2,3] give g = 2
    a, b = _part("123", "45"), _part("12", "345")
    assert (mojo(a, b), max_mojo(b)) == (1, 3)
    assert mojofm(a, b) == pytest.approx(200 / 3)


def test_mojo_joins_and_worst_cases():
    singletons, whole = _part("1", "2", "3", "4"), _part("1234")
    assert mojo(singletons, whole) == 3  # 3 joins
    assert mojo(whole, singletons) == 3  # 3 moves out
    assert mojofm(singletons, whole) == 0.0 and mojofm(whole, singletons) == 0.0


def test_mojo_is_not_symmetric():
    halves, whole = _part("12", "34"), _part("1234")
    assert mojo(halves, whole) == 1  # one join
    assert mojo(whole, halves) == 2  # two moves


def test_mojo_needs_the_matching_on_ties():
    # A1 = {1,2} ties between B groups {1,3} and {2}; A2 = {3} wants {1,3}.
    # Matching A1-{2}, A2-{1,3}: move 1 into A2 -> mno 1 (a greedy pick of {1,3} for A1 gives 2).
    assert mojo(_part("12", "3"), _part("13", "2")) == 1


def test_mojofm_degenerate_overlaps():
    assert mojofm({"a": "X"}, {"a": "Y", "b": "Y"}) == 100.0  # one common object
    with pytest.raises(ValueError):
        mojofm({"a": "X"}, {"b": "X"})


def test_mojo_only_common_objects_count():
    a, b = _part("123", "45"), _part("12", "345")
    a2, b2 = {**a, "z": "C9"}, {**b, "y": "C0"}
    assert (mojo(a2, b2), mojofm(a2, b2)) == (mojo(a, b), mojofm(a, b))


def _set_partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for p in _set_partitions(rest):
        for i in range(len(p)):
            yield p[:i] + [[first] + p[i]] + p[i + 1:]
        yield [[first]] + p


def _canon(clusters):
    return frozenset(frozenset(c) for c in clusters if c)


def _one_op(state):
    """Every partition reachable by one Move (to another or a new cluster) or one Join."""
    cl = [set(c) for c in state]
    for i, c in enumerate(cl):
        for o in c:
            rest = [set(x) - {o} if k == i else set(x) for k, x in enumerate(cl)]
            for j in range(len(cl)):
                if j != i:
                    yield _canon([x | {o} if k == j else x for k, x in enumerate(rest)])
            yield _canon(rest + [{o}])
    for i, j in itertools.combinations(range(len(cl)), 2):
        yield _canon([x for k, x in enumerate(cl) if k not in (i, j)] + [cl[i] | cl[j]])


@pytest.mark.parametrize("n", [3, 4, 5])
def test_mojo_and_max_against_brute_force(n):
    objs = [str(i) for i in range(n)]
    states = [_canon(p) for p in _set_partitions(objs)]
    graph = nx.DiGraph()
    graph.add_nodes_from(states)
    graph.add_edges_from((s, t) for s in states for t in _one_op(s) if t != s)
    reverse = graph.reverse()
    as_map = lambda s: {o: f"C{i}" for i, c in enumerate(sorted(map(sorted, s))) for o in c}
    for b in states:
        dist = nx.single_source_shortest_path_length(reverse, b)  # dist[A] = mno(A, B)
        assert max_mojo(as_map(b)) == max(dist.values())
        for a, d in dist.items():
            assert mojo(as_map(a), as_map(b)) == d


# ---------------------------------------------------------------- score_all
def test_score_all_dict():
    truth = {**P, "c": "S2"}  # one element moved: mno 1
    scores = score_all(P, DEPS, ACCESS, ground_truth=truth)
    d = scores.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert list(d) == sorted(d)
    assert d["icp"] == 0.3889 and d["sm"] == -0.1204 and d["turbomq"] == 1.2941
    assert d["ifn"] == 0.6667 and d["ifn_per_service"] == {"S1": 1, "S2": 1, "S3": 0}
    assert d["ned_5_20"] == 1.0 and d["ned_python"] == 1.0
    assert d["db_tables_skipped"] == ["ghost"] and d["db_purity"] == 0.4564
    assert d["mojo"] == 1
    # truth sizes sorted [1, 2, 3]: g goes 1, 2, 3 -> max = 6 - 3 = 3; MoJoFM = (1 - 1/3) * 100
    assert max_mojo(truth) == 3 and d["mojofm"] == 66.6667
    shuffled = list(reversed(DEPS))
    assert score_all(P, shuffled, list(reversed(ACCESS)), truth).to_dict() == d


def test_score_all_without_ground_truth():
    d = score_all(P, DEPS).to_dict()
    assert d["mojofm"] is None and d["mojo"] is None
    assert d["db_entropy_per_table"] == {} and d["db_purity"] == 1.0
