"""Does a local-mean class score (mean of a class's m best DTW scores) help?

Cross-validation on the TRAINING clips of official splits only, with the
video-disjoint folds of :func:`sklearn_skippose.model_selection.inner_splits`
(as ``select_settings.py``), at the evaluation's classifier settings:
first-pose normalisation with one scale for x and y, whitened embeddings, the
fold's dictionary clips and their left-right mirrors, DTW cosine score with
``aggregate="mean"``. Every embedder is fitted, without labels, on the fold's
dictionary clips.

A validation clip's score for a class is the mean of its ``m`` best DTW
scores against that class's dictionary clips (the local-mean k-NN rule); the
prediction is the best-scoring class. ``m = 1`` is the evaluation's 1-NN
classifier, so that column reproduces ``select_settings.py``. Also printed:
a 3-NN majority vote, ties broken by the nearest neighbour.

Run: ``python benchmarks/local_mean_cv.py --data-home ../shared/data
--method skippose-aug --window 6 --n-components 256 [--splits 1,2,3]
[--m 1,2,3,5,8] [--set cell=lstm]`` (``--set NAME=VALUE``, repeatable, sets an
embedder parameter). Skip-Pose + mocap: about 35 minutes on 2 cores for the
three splits; PCA: seconds.
"""

import argparse
import sys
import time

import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_skippose import PoseNormalizer, SequenceWhitener, mirror_poses
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.evaluation import METHODS, make_method
from sklearn_skippose.metrics import mean_per_class_accuracy, pairwise_dtw_scores
from sklearn_skippose.model_selection import inner_splits

NORMALIZE = "first_pose_isotropic"


def local_mean_predict(S, y_dict, m):
    """Class with the highest mean of its ``m`` best scores, for every row of ``S``.

    ``S``: (n_queries, n_dictionary) DTW scores; a class with fewer than ``m``
    dictionary clips averages those it has.
    """
    classes = np.unique(y_dict)
    scores = np.empty((len(S), len(classes)))
    for c_i, c in enumerate(classes):
        best = -np.sort(-S[:, y_dict == c], axis=1)[:, :m]
        scores[:, c_i] = best.mean(axis=1)
    return classes[scores.argmax(axis=1)]


def vote_predict(S, y_dict, k=3):
    """Majority of the ``k`` best neighbours; a tie goes to the class of the nearest."""
    classes = np.unique(y_dict)
    top = np.argsort(-S, axis=1, kind="stable")[:, :k]
    votes = np.zeros((len(S), len(classes)))
    rows = np.arange(len(S))
    for j in range(k):
        np.add.at(votes, (rows, np.searchsorted(classes, y_dict[top[:, j]])), 1.0)
    votes[rows, np.searchsorted(classes, y_dict[top[:, 0]])] += 0.5
    return classes[votes.argmax(axis=1)]


def _value(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-home", default="../shared/data")
    p.add_argument("--method", default="skippose-aug", choices=METHODS)
    p.add_argument("--splits", default="1,2,3")
    p.add_argument("--window", type=int, default=6)
    p.add_argument("--n-components", type=int, default=256)
    p.add_argument("--m", default="1,2,3,5,8", help="comma-separated numbers of best scores")
    p.add_argument("--augment", type=int, default=20_000)
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="settings",
                   help="an embedder parameter, repeatable (e.g. cell=lstm)")
    args = p.parse_args(argv)
    try:
        splits = [int(s) for s in args.splits.split(",")]
        ms = [int(m) for m in args.m.split(",")]
    except ValueError:
        p.error("--splits and --m must be comma-separated integers")
    if not set(splits) <= {1, 2, 3} or min(ms) < 1:
        p.error("--splits must be among 1, 2, 3 and --m values >= 1")
    extra = {}
    for item in args.settings:
        name, sep, value = item.partition("=")
        if not sep:
            p.error(f"--set expects NAME=VALUE, got {item!r}")
        extra[name] = _value(value)
    jh = load_jhmdb(args.data_home)
    columns = [f"m={m}" for m in ms] + ["3-NN vote"]
    results = {c: [] for c in columns}
    for split in splits:
        idx, cv = inner_splits(jh.splits, split - 1)
        X, y = jh.data[idx], jh.target[idx]
        for fold, (dic, val) in enumerate(cv.split(X)):
            t = time.perf_counter()
            embedder = make_method(args.method, window=args.window,
                                   n_components=args.n_components, augment=args.augment,
                                   data_home=args.data_home, normalize=NORMALIZE,
                                   random_state=args.random_state)
            embedder.set_params(**extra)
            features = make_pipeline(PoseNormalizer(mode=NORMALIZE), embedder,
                                     SequenceWhitener()).fit(X[dic])  # no labels
            D = np.concatenate([features.transform(X[dic]),
                                features.transform(mirror_poses(X[dic]))])
            y_dict = np.concatenate([y[dic], y[dic]])
            S = pairwise_dtw_scores(features.transform(X[val]), D, aggregate="mean")
            preds = [local_mean_predict(S, y_dict, m) for m in ms] + [vote_predict(S, y_dict)]
            for c, pred in zip(columns, preds):
                results[c].append(100 * mean_per_class_accuracy(y[val], pred))
            row = " ".join(f"{c} {results[c][-1]:.1f}" for c in columns)
            print(f"split {split} fold {fold + 1} ({time.perf_counter() - t:.0f} s): {row}",
                  flush=True)
    label = " ".join([args.method, f"T={args.window}", f"d={args.n_components}"]
                     + [f"{k}={v}" for k, v in extra.items()])
    print(f"\n{label}: mean per-class accuracy over {len(results[columns[0]])} folds")
    for c in columns:
        print(f"  {c:<10s} {np.mean(results[c]):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
