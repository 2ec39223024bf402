"""Cosine-similarity DTW k-NN: sklearn_skippose against tslearn, aeon, dtaidistance, dtw-python, sktime.

Same inputs, same machine, one run. Prints wall time, DP cells per second
(real cells: sum over pairs of n_query * n_dict) and the speed ratio of
``DTWNearestNeighbors`` against

(a) tslearn ``cdist_dtw`` on the NaN-padded, L2-normalised frames a user
    would pass it (for unit vectors ||u - v||^2 = 2 (1 - cos), so its path
    and ranking are those of cosine DTW);
(b) tslearn ``dtw_path_from_metric(metric="cosine")`` pair by pair (timed on
    a subsample of pairs, extrapolated);
(c) aeon ``dtw_pairwise_distance`` on the same normalised, unpadded series;
(d) dtaidistance ``dtw_ndim.distance_matrix_fast`` (C, OpenMP over pairs)
    on the same series, restricted to the query x dictionary block;
(e) dtw-python ``dtw(dist_method="cosine", step_pattern=symmetric1)`` (C
    dynamic programme over scipy's cosine distances; the classic steps)
    pair by pair on the raw frames;
(f) sktime's numba ``dtw`` kernel (``distance_factory(metric="dtw")``, the
    compiled function its distances and aligners call) pair by pair on the
    same normalised, unpadded series: sktime's public pairwise DTW
    (``DtwDist``, ``KNeighborsTimeSeriesClassifier(distance="dtw")``) takes
    equal-length series only, and calling the compiled kernel directly
    spares the peer the per-call checks of its public functions;

and checks that (a) and (c)-(f) give the same nearest neighbours as ours,
with accumulated costs (each peer's distance mapped to the summed ``1 - cos``)
within 1e-5 relative of ours. Peers that would run for
more than a few minutes are timed on a query subsample and extrapolated (the
table says so).

Workloads (synthetic smooth 64-dim feature sequences, lengths 15-40, the
shape of Skip-Pose features on JHMDB):

* ``jhmdb``: 270 queries x 540 dictionary sequences;
* ``jhmdb10``: 270 queries x 5,400 dictionary sequences (10x the pairs);
* ``large``: 100 queries x 100,000 sequences of length 40 (``--large``),
  brute force (and ``--pruned``), with peak RSS; neighbours checked against
  ``pairwise_dtw_scores`` on a subsample.

Run: ``python benchmarks/bench_dtw.py [--large] [--quick]``.
"""

import argparse
import resource
import sys
import time

import numpy as np

from sklearn_skippose import DTWNearestNeighbors


def make(rng, n, d=64, lo=15, hi=40, fixed=None):
    lengths = np.full(n, fixed) if fixed else rng.integers(lo, hi + 1, n)
    X = np.full((n, int(lengths.max()), d), np.nan, dtype=np.float32)
    for i, L in enumerate(lengths):
        steps = rng.normal(size=(L, d)).astype(np.float32) * 0.25
        X[i, :L] = rng.normal(size=d).astype(np.float32) + steps.cumsum(0)
    return X, lengths


def unit(X):
    n = np.linalg.norm(X, axis=2, keepdims=True)
    return X / n


def cells(lq, ld):
    return float(lq.sum()) * float(ld.sum())


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def row(name, seconds, n_cells, base, note=""):
    ratio = seconds / base if base else float("nan")
    print(f"  {name:<44s} {seconds:10.3f} s {n_cells / seconds / 1e6:10.1f} Mcells/s"
          f" {ratio:9.1f}x {note}")


def peer_rows(name, dist_rows, to_cost, ours_cost, n_cells, t_ours, budget_s):
    """Time a peer that fills the distance matrix row by row (``dist_rows(n)``:
    the first ``n`` queries against the whole dictionary), on a query subsample
    when the whole would exceed ``budget_s``; check its nearest neighbours and
    their accumulated cost (``to_cost`` maps its distance to the summed
    ``1 - cos``) against ours. Returns the full-run time and whether the check
    passed."""
    n_q = len(ours_cost[0])
    _, t_probe = timed(lambda: dist_rows(2))
    nq_sub = n_q if t_probe * n_q / 2 <= budget_s else max(2, int(budget_s / t_probe * 2))
    D, t = timed(lambda: dist_rows(nq_sub))
    t_full = t * n_q / nq_sub
    row(name, t_full, n_cells, t_ours,
        "" if nq_sub == n_q else f"(extrapolated from {nq_sub} queries)")
    nn = D.argmin(axis=1)
    ref_cost = to_cost(D[np.arange(nq_sub), nn])
    same = np.array_equal(nn, ours_cost[1][:nq_sub])
    rel = np.max(np.abs(-ours_cost[0][:nq_sub] - ref_cost) / np.maximum(ref_cost, 1e-12))
    print(f"    same neighbours: {same}; max relative cost difference {rel:.2e}")
    return t_full, bool(same and rel < 1e-5)


def bench_workload(label, Xq, lq, Xd, ld, budget_s, rng):
    print(f"\n== {label}: {len(lq)} queries x {len(ld)} dictionary sequences, "
          f"{Xq.shape[2]} dims, {cells(lq, ld) / 1e6:.0f} M DP cells ==")
    n_cells = cells(lq, ld)
    y = np.arange(len(ld)) % 21  # labels are irrelevant to retrieval
    # ours, warm-up (numba compilation is cached on disk, but load it once)
    DTWNearestNeighbors(aggregate="cost").fit(Xd[:20], y[:20]).kneighbors(Xq[:2])
    ours = {}
    for agg in ("cost", "sum"):
        clf = DTWNearestNeighbors(aggregate=agg).fit(Xd, y)
        (s, idx), t = timed(lambda: clf.kneighbors(Xq, n_neighbors=1))
        ours[agg] = (s[:, 0], idx[:, 0], t)
    t_ours = ours["cost"][2]
    print(f"  {'method':<44s} {'wall':>12s} {'throughput':>19s} {'vs ours':>10s}")
    row("sklearn_skippose DTWNearestNeighbors (cost)", t_ours, n_cells, t_ours)
    row("sklearn_skippose DTWNearestNeighbors (sum)", ours["sum"][2], n_cells, t_ours)
    ok = True

    # (b) tslearn dtw_path_from_metric(metric="cosine") pair by pair, timed on
    # random pairs (whole rows would take hours) and extrapolated by DP cells
    from tslearn.metrics import dtw_path_from_metric

    n_pairs = 300
    qi = rng.integers(0, len(lq), n_pairs)
    di = rng.integers(0, len(ld), n_pairs)
    dtw_path_from_metric(Xq[0, : lq[0]], Xd[0, : ld[0]], metric="cosine")  # compile first
    _, t_loop = timed(lambda: [dtw_path_from_metric(Xq[a, : lq[a]], Xd[b, : ld[b]], metric="cosine")
                               for a, b in zip(qi, di)])
    sub_cells = float((lq[qi] * ld[di]).sum())
    t_loop_full = t_loop * n_cells / sub_cells
    row("tslearn dtw_path_from_metric(cosine) loop", t_loop_full, n_cells, t_ours,
        f"(extrapolated from {n_pairs} pairs)")

    # (a), (c)-(f): every peer fills query rows of its distance matrix; each
    # maps its distance to the summed 1 - cos along the path for the check
    speedups = [("tslearn cosine loop", t_loop_full / t_ours)]
    for name, short, make_rows, to_cost in peers(Xq, lq, Xd, ld):
        try:
            dist_rows = make_rows()
        except ImportError:
            print(f"  {short} not installed (pip install -e '.[bench]'): skipped")
            continue
        t_full, same_ok = peer_rows(name, dist_rows, to_cost, ours["cost"], n_cells,
                                    t_ours, budget_s)
        ok &= same_ok
        speedups.append((short, t_full / t_ours))
    print("  speed-up of ours: " + ", ".join(f"{r:.1f}x {n}" for n, r in speedups))
    return ok


def peers(Xq, lq, Xd, ld):
    """The peers as ``(row label, short name, make_rows, to_cost)``.

    ``make_rows()`` imports the peer (``ImportError`` when it is not
    installed), prepares its inputs and returns ``dist_rows(n)``, the first
    ``n`` queries against the whole dictionary; ``to_cost`` maps its distance
    to the summed ``1 - cos`` along the path.
    """
    Uq, Ud = unit(Xq).astype(np.float64), unit(Xd).astype(np.float64)
    # unpadded unit series, channels first (aeon, dtaidistance, sktime)
    Lq = [np.ascontiguousarray(Uq[i, : lq[i]].T) for i in range(len(lq))]
    Ld = [np.ascontiguousarray(Ud[i, : ld[i]].T) for i in range(len(ld))]

    def tslearn_rows():
        # (a) cdist_dtw on the NaN-padded unit frames a user would pass it;
        # for unit vectors ||u - v||^2 = 2 (1 - cos), and it returns the sqrt
        from tslearn.metrics import cdist_dtw

        cdist_dtw(Uq[:1], Ud[:2])  # compile
        return lambda n: cdist_dtw(Uq[:n], Ud)

    def aeon_rows():
        # (c) summed squared euclidean distances of the unit frames
        from aeon.distances import dtw_pairwise_distance

        dtw_pairwise_distance(Lq[:2], Ld[:5])  # compile
        return lambda n: dtw_pairwise_distance(Lq[:n], Ld)

    def dtaidistance_rows():
        # (d) the C distance matrix (OpenMP over pairs) on the query x
        # dictionary block; the sqrt of the summed squared distances
        from dtaidistance import dtw_ndim

        series = [np.ascontiguousarray(s.T) for s in Lq + Ld]
        dtw_ndim.distance_matrix_fast(series[:3], parallel=True)  # load the C library

        def rows(n):
            D = dtw_ndim.distance_matrix_fast(
                series, block=((0, n), (len(lq), len(series))), parallel=True, compact=False)
            return D[:n, len(lq):]
        return rows

    def dtw_python_rows():
        # (e) C dynamic programme over scipy's cosine distances, classic
        # steps; its distance is the summed 1 - cos itself
        import dtw as dtw_python

        def rows(n):
            return np.array([[dtw_python.dtw(Xq[a, : lq[a]], Xd[b, : ld[b]], dist_method="cosine",
                                             step_pattern=dtw_python.symmetric1,
                                             distance_only=True).distance
                              for b in range(len(ld))] for a in range(n)])
        return rows

    def sktime_rows():
        # (f) sktime's public pairwise DTW (DtwDist,
        # KNeighborsTimeSeriesClassifier(distance="dtw")) takes equal lengths
        # only; its aligners call this compiled kernel for unequal ones
        from sktime.dists_kernels._numba_distances import distance_factory

        sk_dtw = distance_factory(Lq[0], Ld[0], metric="dtw")

        def rows(n):
            return np.array([[sk_dtw(Lq[a], Ld[b]) for b in range(len(ld))] for a in range(n)])
        return rows

    return [
        ("tslearn cdist_dtw (unit frames)", "tslearn cdist_dtw", tslearn_rows,
         lambda D: D ** 2 / 2),
        ("aeon dtw_pairwise_distance (unit frames)", "aeon", aeon_rows, lambda D: D / 2),
        ("dtaidistance distance_matrix_fast (unit frames)", "dtaidistance", dtaidistance_rows,
         lambda D: D ** 2 / 2),
        ("dtw-python dtw(cosine, symmetric1) loop", "dtw-python", dtw_python_rows, lambda D: D),
        ("sktime numba dtw kernel (unit frames) loop", "sktime", sktime_rows, lambda D: D / 2),
    ]


def bench_large(rng, n_dict, n_check, pruned):
    print(f"\n== large: 100 queries x {n_dict} dictionary sequences of length 40, 64 dims ==")
    Xd, ld = make(rng, n_dict, fixed=40)
    Xq, lq = make(rng, 100, fixed=40)
    y = np.arange(n_dict) % 21
    rss0 = peak_rss_mb()
    n_cells = cells(lq, ld)
    results = {}
    for algo in ("brute", "pruned") if pruned else ("brute",):
        clf = DTWNearestNeighbors(algorithm=algo, aggregate="mean").fit(Xd, y)
        (s, idx), t = timed(lambda: clf.kneighbors(Xq, n_neighbors=1))
        results[algo] = (s, idx)
        print(f"  {algo:<8s} {t:8.1f} s  {n_cells / t / 1e6:8.1f} Mcells/s  "
              f"peak RSS {peak_rss_mb():.0f} MB (dictionary input itself "
              f"{Xd.nbytes / 2**20:.0f} MB; {rss0:.0f} MB before fitting)")
    same = True
    if pruned:
        same = np.array_equal(results["brute"][1], results["pruned"][1])
        print(f"  pruned == brute neighbours on all 100 queries: {same}")
    # independent check on a subsample with the pairwise scorer
    from sklearn_skippose.metrics import pairwise_dtw_scores

    sub = pairwise_dtw_scores(Xq[:n_check], Xd[: n_dict // 10], aggregate="mean")
    clf = DTWNearestNeighbors(aggregate="mean").fit(Xd[: n_dict // 10], y[: n_dict // 10])
    same_sub = np.array_equal(sub.argmax(1), clf.kneighbors(Xq[:n_check], 1)[1][:, 0])
    print(f"  brute == pairwise_dtw_scores argmax on a {n_check} x {n_dict // 10} subsample: {same_sub}")
    return same and same_sub


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--large", action="store_true", help="also the 100 x 100,000 workload")
    p.add_argument("--quick", action="store_true", help="jhmdb workload only")
    p.add_argument("--pruned", action="store_true",
                   help="also time algorithm='pruned' on the large workload (slow today: "
                        "its bounds are weak on these data)")
    p.add_argument("--budget", type=float, default=60.0,
                   help="seconds each peer may run before it is subsampled")
    args = p.parse_args(argv)
    rng = np.random.default_rng(0)
    import os

    print(f"cores: {os.cpu_count()}; numpy {np.__version__}")
    Xq, lq = make(rng, 270)
    Xd, ld = make(rng, 540)
    ok = bench_workload("jhmdb", Xq, lq, Xd, ld, args.budget, rng)
    if not args.quick:
        Xd10, ld10 = make(rng, 5400)
        ok &= bench_workload("jhmdb10", Xq, lq, Xd10, ld10, args.budget, rng)
    if args.large:
        ok &= bench_large(rng, 100_000, 10, args.pruned)
    print("\nall neighbour checks passed" if ok else "\nNEIGHBOUR CHECK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
