"""Subsequence DTW search: sklearn_skippose against tslearn and dtaidistance, on Human3.6M.

Looks for a 2-second stretch of motion (50 frames at 25 Hz) in the
recordings of six other subjects (about 180,000 frames), everything as 2D
poses of JHMDB's 15 joints seen by one fixed camera (30 features per
frame), and prints the wall time of

(a) :func:`sklearn_skippose.metrics.dtw_subsequence_search` with the
    squared euclidean cost and tslearn's steps (``steps="classic"``), best
    match only (``n_matches=1``);
(b) tslearn ``dtw_subsequence_path`` (the same open-begin, open-end DTW on
    the squared euclidean cost), called on every recording, keeping the
    best; tslearn searches one recording per call and returns its best
    match;
(c) dtaidistance ``subsequence_alignment(..., penalty=0, use_c=True)``
    (its C implementation of the same search; ``penalty=0`` removes its
    default penalty on non-diagonal steps), ``best_match()`` of every
    recording, keeping the best;
(d) ``dtw_subsequence_search`` as it is meant to be used: cosine cost,
    ``"mean"`` score, the default slope-bounded steps, the ten best matches
    (tslearn has no cosine subsequence search);

and the ratios (b) / (a) and (c) / (a). Then ``--queries`` queries (50
frames each, evenly spaced over S1's recordings of every action), each
searched for its best match as in (a):

(e) :class:`sklearn_skippose.DTWSubsequenceIndex`: the recordings
    registered once (``fit``, timed), then one ``search`` per query;
(f) one ``dtw_subsequence_search`` call per query;
(g), (h) tslearn and dtaidistance as in (b) and (c), per query;

with the ratios against (e), checking that (e), (f) and (g) find the same
matches with the same costs, and counting the queries on which (h) does. This part takes the best of ``--repeat-many`` runs. It checks that (a), (b) and (c)
find the same stretch of the same recording with the same cost (1e-9
relative). Each timing is
the best of ``--repeat`` runs after one warm-up run (numba compilation).

With ``--breakdown`` it also times the pieces of (a) one by one: input
validation and packing, the float64 matrix products of the similarities,
the whole profile (products and dynamic programme), and what is left
(choosing the matches).

Run: ``python benchmarks/bench_subsequence.py --data-home ../shared/data
[--quick] [--breakdown] [--queries 20]`` (``--quick``: two subjects
searched).
"""

import argparse
import time

import numpy as np
from dtaidistance.subsequence.dtw import subsequence_alignment
from tslearn.metrics import dtw_subsequence_path

from sklearn_skippose import DTWSubsequenceIndex, PoseNormalizer
from sklearn_skippose.augmentation import project_poses
from sklearn_skippose.datasets import load_h36m
from sklearn_skippose.metrics import dtw_subsequence_search


def to_2d(seq):
    """One recording (T, 15, 3) seen by a fixed camera, as (T, 30) pixels."""
    one = np.ones(1)
    uv = project_poses(seq[None].astype(np.float64), 0.4 * one, 0.15 * one, 4500.0 * one,
                       500.0 * one, np.array([[160.0, 120.0]]))
    return uv[0].reshape(len(seq), -1)


def best_of(fn, repeat):
    fn()  # warm-up: numba compilation, caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--query-frames", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--repeat-many", type=int, default=3)
    args = parser.parse_args(argv)

    subjects = ["S5", "S6"] if args.quick else ["S5", "S6", "S7", "S8", "S9", "S11"]
    norm = PoseNormalizer(mode="first_pose_isotropic")
    searched = load_h36m(args.data_home, subjects=subjects, joints="jhmdb")
    recordings = [norm.fit_transform(to_2d(s)[None])[0] for s in searched.sequences]
    source = load_h36m(args.data_home, subjects=["S1"], actions=["walking"], joints="jhmdb")
    walk = norm.fit_transform(to_2d(source.sequences[0])[None])[0]
    query = walk[200 : 200 + args.query_frames]
    n_frames = sum(len(r) for r in recordings)
    print(f"query: {len(query)} frames of {source.names[0]}; searched: "
          f"{len(recordings)} recordings of {', '.join(subjects)}, {n_frames:,} frames, "
          f"{query.shape[1]} features; {n_frames * len(query) / 1e6:.1f} M DP cells")

    t_ours, ours = best_of(lambda: dtw_subsequence_search(
        query, recordings, n_matches=1, metric="euclidean", aggregate="cost", steps="classic"),
        args.repeat)

    def tslearn_best():
        best = (np.inf, None, None)
        for i, rec in enumerate(recordings):
            path, dist = dtw_subsequence_path(query, rec)
            if dist < best[0]:
                best = (dist, i, path)
        return best

    t_tsl, (dist, rec_idx, path) = best_of(tslearn_best, args.repeat)

    def dtaidistance_best():
        best = (np.inf, None, None)
        for i, rec in enumerate(recordings):
            match = subsequence_alignment(query, rec, penalty=0.0, use_c=True).best_match()
            if match.value < best[0]:
                best = (match.value, i, match.segment)
        return best

    t_dtai, (value, dtai_idx, segment) = best_of(dtaidistance_best, args.repeat)
    t_cos, cos = best_of(lambda: dtw_subsequence_search(query, recordings, n_matches=10),
                         args.repeat)

    best = (ours.sequence[0], ours.start[0], ours.stop[0])
    same = (best == (rec_idx, path[0][1], path[-1][1] + 1)
            and np.isclose(ours.cost[0], dist**2, rtol=1e-9)
            # dtaidistance: sqrt of the cost over the query's length; inclusive end
            and best == (dtai_idx, segment[0], segment[1] + 1)
            and np.isclose(ours.cost[0], (value * len(query)) ** 2, rtol=1e-9))
    print(f"{'method':58s} {'time (s)':>9s} {'M cells/s':>10s}")
    cells = n_frames * len(query) / 1e6
    for name, t in (("sklearn_skippose dtw_subsequence_search (sq. euclidean)", t_ours),
                    ("tslearn dtw_subsequence_path, every recording", t_tsl),
                    ("dtaidistance subsequence_alignment (C), every recording", t_dtai),
                    ("sklearn_skippose (cosine, bounded steps, 10 best)", t_cos)):
        print(f"{name:58s} {t:9.3f} {cells / t:10.0f}")
    print(f"speed ratio, same search: tslearn / sklearn_skippose {t_tsl / t_ours:.1f}x, "
          f"dtaidistance / sklearn_skippose {t_dtai / t_ours:.1f}x")
    print(f"all three find the same best match ({searched.names[ours.sequence[0]]} frames "
          f"{ours.start[0]}-{ours.stop[0]}, cost {ours.cost[0]:.4f}): {same}")
    actions = [searched.actions[s] for s in cos.sequence]
    print("cosine 10 best: " + ", ".join(
        f"{a} {s:.3f}" for a, s in zip(actions, cos.score)))
    if args.breakdown:
        breakdown(query, recordings, args.repeat)
    if not same:
        raise SystemExit("the searches disagree")
    if args.queries:
        s1 = load_h36m(args.data_home, subjects=["S1"], joints="jhmdb")
        sources = [norm.fit_transform(to_2d(s)[None])[0] for s in s1.sequences]
        picks = np.linspace(0, len(sources) * 0.999, args.queries).astype(int)
        queries = []
        for k, i in enumerate(picks):  # an evenly spaced start inside recording i
            rec = sources[i]
            t = int((k * 0.618 % 1) * (len(rec) - args.query_frames))
            queries.append(rec[t : t + args.query_frames])
        if not many_queries(queries, recordings, args.repeat_many):
            raise SystemExit("the searches disagree")


def many_queries(queries, recordings, repeat):
    """(e)-(h): many queries, the same best-match search."""
    settings = dict(metric="euclidean", aggregate="cost", steps="classic")

    def indexed():
        index = DTWSubsequenceIndex(n_matches=1, **settings).fit(recordings)
        return [index.search(q) for q in queries]

    def per_call():
        return [dtw_subsequence_search(q, recordings, n_matches=1, **settings)
                for q in queries]

    def peer(search_one):
        def run():
            out = []
            for q in queries:
                found = [search_one(q, rec) for rec in recordings]
                i = int(np.argmin([c for c, _, _ in found]))
                out.append((found[i][0], i, *found[i][1:]))
            return out
        return run

    def tslearn_one(q, rec):
        path, dist = dtw_subsequence_path(q, rec)
        return dist**2, path[0][1], path[-1][1] + 1

    def dtai_one(q, rec):
        m = subsequence_alignment(q, rec, penalty=0.0, use_c=True).best_match()
        return (m.value * len(q)) ** 2, m.segment[0], m.segment[1] + 1

    t_idx, a = best_of(indexed, repeat)
    t_fn, b = best_of(per_call, repeat)
    t_tsl, c = best_of(peer(tslearn_one), repeat)
    t_dtai, d = best_of(peer(dtai_one), repeat)
    ours = [(m.cost[0], m.sequence[0], m.start[0], m.stop[0]) for m in a]
    calls = [(m.cost[0], m.sequence[0], m.start[0], m.stop[0]) for m in b]

    def agree(x, y, rtol):
        return x[1:] == y[1:] and np.isclose(x[0], y[0], rtol=rtol)

    same = (all(agree(x, y, 1e-12) for x, y in zip(ours, calls))
            and all(agree(x, z, 1e-9) for x, z in zip(ours, c)))
    dtai_same = sum(agree(x, w, 1e-9) for x, w in zip(ours, d))
    n = len(queries)
    print(f"\n{n} queries of {len(queries[0])} frames, best match each (sq. euclidean, "
          "classic steps):")
    for name, t in ((f"DTWSubsequenceIndex: fit once, {n} searches", t_idx),
                    (f"dtw_subsequence_search, {n} calls", t_fn),
                    ("tslearn dtw_subsequence_path, every recording", t_tsl),
                    ("dtaidistance subsequence_alignment (C), every recording", t_dtai)):
        print(f"{name:58s} {t:9.3f} s  {t / t_idx:5.1f}x the index")
    print(f"the index, the calls and tslearn find the same match (and cost) for every "
          f"query: {same}; dtaidistance for {dtai_same} of {n}")
    differ = [(x, w) for x, w in zip(ours, d) if not agree(x, w, 1e-9)]
    if differ:
        print(f"  where they differ: our (and tslearn's) match lengths "
              f"{[int(x[3] - x[2]) for x, _ in differ]}, dtaidistance's "
              f"{[int(w[3] - w[2]) for _, w in differ]}; its cost is higher on "
              f"{sum(w[0] > x[0] * (1 + 1e-9) for x, w in differ)} of {len(differ)}")
    return same


def breakdown(query, recordings, repeat):
    """Time the pieces of search (a) separately (private helpers of the package)."""
    from sklearn_skippose.metrics import _subsequence as sub
    from sklearn_skippose.metrics._dtw import _single_threaded_blas

    total, _ = best_of(lambda: dtw_subsequence_search(
        query, recordings, n_matches=1, metric="euclidean", aggregate="cost", steps="classic"),
        repeat)
    t_in, (Q, D) = best_of(lambda: (sub.check_query(query, "euclidean"),
                                    sub.pack_recordings(recordings, "euclidean")), repeat)
    t_prof, _ = best_of(lambda: sub.subsequence_profile(Q, D, "euclidean", "classic"), repeat)
    qT = np.ascontiguousarray(Q.frames.T)
    step = sub._BLOCK_BYTES // (8 * len(qT.T))

    def products():
        with _single_threaded_blas():
            for a in range(0, len(D.frames), step):
                D.frames[a : a + step] @ qT

    t_mm, _ = best_of(products, repeat)
    print(f"breakdown of (a), {total:.3f} s: validation and packing {t_in:.3f} s; profile "
          f"{t_prof:.3f} s, of which matrix products {t_mm:.3f} s and dynamic programme "
          f"about {t_prof - t_mm:.3f} s; the rest (choosing matches) "
          f"{total - t_in - t_prof:.3f} s")


if __name__ == "__main__":
    main()
