"""Tuning the classifier without training the embedder again: Pipeline(memory=...).

``GridSearchCV`` over the DTW classifier's settings alone (here ``aggregate``
x ``n_neighbors``, 4 candidates) on the three official JHMDB splits fits the
whole pipeline 4 x 3 + 1 = 13 times, the Skip-Pose embedder included. With
``Pipeline(memory=folder)`` scikit-learn caches every fitted transformer
(normaliser, embedder, whitener) by its parameters and input, so the
embedder is trained once per split and once for the refit: 4 times.

Both searches run in this script, one after the other, on the same data and
seed; it prints their times, the ratio, and checks that every candidate's
score is identical (the cache returns the same fitted embedders).

Run: ``python benchmarks/bench_pipeline_memory.py [--data-home ../shared/data]
[--max-epochs 5]``.
"""

import argparse
import os
import shutil
import tempfile
import time

import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_skippose import (DTWNearestNeighbors, PoseNormalizer, SequenceWhitener,
                              SkipPoseEmbedder)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.model_selection import PredefinedSplits

GRID = {"dtwnearestneighbors__aggregate": ["sum", "mean"],
        "dtwnearestneighbors__n_neighbors": [1, 5]}


def search(jhmdb, max_epochs, memory):
    pipe = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"),
                         SkipPoseEmbedder(max_epochs=max_epochs, random_state=0),
                         SequenceWhitener(), DTWNearestNeighbors(), memory=memory)
    t0 = time.perf_counter()
    gs = GridSearchCV(pipe, GRID, cv=PredefinedSplits(jhmdb.splits))
    gs.fit(jhmdb.data, jhmdb.target)
    return time.perf_counter() - t0, gs


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-home", default=os.environ.get("SKIPPOSE_DATA", "../shared/data"))
    p.add_argument("--max-epochs", type=int, default=5)
    args = p.parse_args(argv)
    jhmdb = load_jhmdb(args.data_home)
    print(f"{len(jhmdb.data)} JHMDB clips, 3 official splits, {len(GRID)} classifier "
          f"parameters ({np.prod([len(v) for v in GRID.values()])} candidates), Skip-Pose "
          f"with max_epochs={args.max_epochs}")
    plain_s, plain = search(jhmdb, args.max_epochs, None)
    folder = tempfile.mkdtemp(prefix="skippose_cache_")
    try:
        cached_s, cached = search(jhmdb, args.max_epochs, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    same = all(
        np.array_equal(plain.cv_results_[f"split{k}_test_score"],
                       cached.cv_results_[f"split{k}_test_score"]) for k in range(3))
    print(f"without memory: {plain_s:6.1f} s   best {plain.best_params_} "
          f"{100 * plain.best_score_:.1f} %")
    print(f"with memory:    {cached_s:6.1f} s   best {cached.best_params_} "
          f"{100 * cached.best_score_:.1f} %")
    print(f"ratio {plain_s / cached_s:.2f}x; identical scores for every candidate: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
