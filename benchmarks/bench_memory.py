"""Memory of a large search: queries scored block by block against all at once.

``DTWNeighborsIndex.kneighbors`` (and ``DTWNearestNeighbors``' queries)
score the queries in blocks of at most ``_PAIRS_PER_BLOCK`` query x
dictionary pairs. This script runs the same search twice, each in a fresh
process: as shipped, and with the block made large enough to hold every pair
(what the package did before blocking). It prints the wall time and the peak
resident memory each run added above the fitted index, their ratios, and
checks that both return the same neighbours and scores.

Workload: synthetic smooth 64-dimensional sequences of 40 steps (the
generator of ``bench_dtw.py``), 2,000 queries x 10,000 indexed sequences,
the 5 best of each query.

Run: ``python benchmarks/bench_memory.py [--n-queries Q] [--n-index N]``.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def _one_run(n_queries, n_index, unblocked):
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_dtw

    from sklearn_skippose import DTWNeighborsIndex
    from sklearn_skippose.neighbors import _base

    if unblocked:
        _base._PAIRS_PER_BLOCK = n_queries * n_index
    rng = np.random.default_rng(0)
    Xd, _ = bench_dtw.make(rng, n_index, fixed=40)
    Xq, _ = bench_dtw.make(rng, n_queries, fixed=40)
    index = DTWNeighborsIndex(n_neighbors=5).fit(Xd)
    index.kneighbors(Xq[:2])  # compile the kernels outside the measurement
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    scores, idx = index.kneighbors(Xq)
    t = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": t, "added_mb": peak - before, "before_mb": before,
                      "idx": idx.tolist(), "scores": scores.tolist()}))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-queries", type=int, default=2_000)
    p.add_argument("--n-index", type=int, default=10_000)
    p.add_argument("--_child", choices=["blocked", "unblocked"], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args._child:
        _one_run(args.n_queries, args.n_index, args._child == "unblocked")
        return 0
    print(f"{args.n_queries} queries x {args.n_index} indexed sequences of 40 steps, "
          "64 dims, 5 neighbours each")
    runs = {}
    for mode in ("blocked", "unblocked"):
        out = subprocess.run(
            [sys.executable, __file__, "--n-queries", str(args.n_queries), "--n-index",
             str(args.n_index), "--_child", mode],
            check=True, capture_output=True, text=True).stdout
        runs[mode] = json.loads(out.strip().splitlines()[-1])
        r = runs[mode]
        print(f"  {mode:<10} {r['seconds']:7.1f} s   peak RSS +{r['added_mb']:6.0f} MB above "
              f"the fitted index ({r['before_mb']:.0f} MB)")
    b, u = runs["blocked"], runs["unblocked"]
    same = b["idx"] == u["idx"] and b["scores"] == u["scores"]
    print(f"  blocked / all at once: time x{b['seconds'] / u['seconds']:.2f}, "
          f"added memory x{b['added_mb'] / max(u['added_mb'], 1e-9):.2f}; "
          f"identical neighbours and scores: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
