"""Do seed ensembles, fusion with PCA or centred class scores help Skip-Pose?

Cross-validation on the TRAINING clips of one official split only, with the
video-disjoint folds of :func:`sklearn_skippose.model_selection.inner_splits`
(as ``select_settings.py``), at the settings ``skippose evaluate`` was run
with for target 2: first-pose normalisation with one scale for x and y,
whitened embeddings, the fold's dictionary clips and their left-right mirrors,
DTW cosine score with ``aggregate="mean"``, 1-NN; Skip-Pose + mocap + jitter at
T = 6 with 256 dimensions (20,000 Human3.6M projections per epoch), PCA at
T = 10 with 192 components. Every embedder is fitted, without labels, on the
fold's dictionary clips. For each fold the script scores

* every seed's Skip-Pose alone (the seed-to-seed spread of the
  cross-validation);
* seed ensembles: the seeds' whitened embeddings, each frame scaled to unit
  length, concatenated (the cosine of the concatenation is the mean of the
  seeds' cosines, so DTW aligns on the seeds' mean similarity map;
  "concatenated"), and the mean of the seeds' DTW class scores ("mean
  class scores");
* PCA alone, and PCA's class scores averaged with those of Skip-Pose (one seed
  or the mean over several);
* each class score minus its mean over the dictionary clips (every clip scored
  against the dictionary without itself and its own mirror; "centred"): a
  class whose clips score high against everything stops winning the argmax.

A clip's class score is its best DTW score against the dictionary clips of
that class (:meth:`~sklearn_skippose.DTWNearestNeighbors.class_scores`), so
the argmax of the raw class scores is the 1-NN prediction. Mean per-class accuracy (%) is the mean over the two folds.

Run: ``python benchmarks/ensemble_cv.py --data-home ../shared/data [--split 1]
[--seeds 0,1,2] [--augment 20000]`` (about 35 minutes on 2 cores for three
seeds: six Skip-Pose fits).
"""

import argparse
import itertools
import time
import warnings

import numpy as np
from sklearn.pipeline import Pipeline

from sklearn_skippose import (
    DTWNearestNeighbors,
    PoseNormalizer,
    SequenceWhitener,
    mirror_poses,
)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.evaluation import make_method
from sklearn_skippose.metrics import mean_per_class_accuracy, pairwise_dtw_scores
from sklearn_skippose.model_selection import inner_splits

NORMALIZE = "first_pose_isotropic"
SETTINGS = {"pca": dict(window=10, n_components=192),
            "skippose-aug": dict(window=6, n_components=256)}
DTW = dict(metric="cosine", aggregate="mean")


def embed(name, seed, X_dict, X_val, augment, data_home):
    """Whitened embeddings of the dictionary clips, their mirrors and the validation clips."""
    embedder = make_method(name, **SETTINGS[name], augment=augment, data_home=data_home,
                           normalize=NORMALIZE, jitter=True, random_state=seed)
    pipe = Pipeline([("norm", PoseNormalizer(mode=NORMALIZE)), ("embed", embedder),
                     ("scale", SequenceWhitener())]).fit(X_dict)
    return {"dict": pipe.transform(X_dict), "mirror": pipe.transform(mirror_poses(X_dict)),
            "val": pipe.transform(X_val)}


def unit_frames(Z):
    return Z / np.linalg.norm(Z, axis=-1, keepdims=True)


def class_scores(Z, y_dict):
    """Best DTW score of every validation clip against each class of the dictionary
    (its clips and their mirrors): ``DTWNearestNeighbors.class_scores``, whose argmax
    is the 1-NN prediction; columns in ``np.unique(y_dict)`` order."""
    knn = DTWNearestNeighbors(n_neighbors=1, **DTW).fit(Z["dict"], y_dict)
    return knn.partial_fit(Z["mirror"], y_dict).class_scores(Z["val"])


def centre_scores(Z, y_dict, scores):
    """``scores`` minus each class's mean best score over the dictionary clips, every
    clip scored against the dictionary without itself and its own mirror."""
    y_D = np.concatenate([y_dict, y_dict])
    S = pairwise_dtw_scores(Z["dict"], np.concatenate([Z["dict"], Z["mirror"]]), **DTW)
    n = len(y_dict)
    S[np.arange(n), np.arange(n)] = np.nan
    S[np.arange(n), np.arange(n) + n] = np.nan
    with warnings.catch_warnings():   # a class with one dictionary clip has no score for it
        warnings.simplefilter("ignore", RuntimeWarning)
        best = np.stack([np.nanmax(S[:, y_D == c], axis=1) for c in np.unique(y_dict)], axis=1)
    return scores - np.nanmean(best, axis=0)


def _seeds(text):
    try:
        seeds = [int(s) for s in text.split(",")]
    except ValueError:
        seeds = None
    if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(
            f"expected distinct non-negative integer seeds separated by commas, got {text!r}")
    return seeds


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--split", type=int, default=1, choices=(1, 2, 3))
    parser.add_argument("--seeds", type=_seeds, default=[0, 1, 2])
    parser.add_argument("--augment", type=_positive_int, default=20_000)
    args = parser.parse_args(argv)
    seeds = args.seeds

    jhmdb = load_jhmdb(args.data_home)
    idx, cv = inner_splits(jhmdb.splits, args.split - 1)
    X, y = jhmdb.data[idx], jhmdb.target[idx]
    rows = {}

    def record(label, fold, y_val, pred):
        rows.setdefault(label, [None, None])[fold] = mean_per_class_accuracy(y_val, pred)

    for fold, (tr, va) in enumerate(cv.split(X)):
        classes = np.unique(y[tr])
        Z, raw, centred_ = {}, {}, {}
        for key in ["pca"] + [("skippose-aug", s) for s in seeds]:
            name, seed = (key, 0) if key == "pca" else key
            t0 = time.perf_counter()
            Z[key] = embed(name, seed, X[tr], X[va], args.augment, args.data_home)
            raw[key] = class_scores(Z[key], y[tr])
            centred_[key] = centre_scores(Z[key], y[tr], raw[key])
            print(f"fold {fold}: {key} fitted and scored in {time.perf_counter() - t0:.0f} s",
                  flush=True)

        def predict(scores):
            return classes[scores.argmax(axis=1)]

        record("PCA", fold, y[va], predict(raw["pca"]))
        record("PCA, centred", fold, y[va], predict(centred_["pca"]))
        for r in range(1, len(seeds) + 1):
            for combo in itertools.combinations(seeds, r):
                keys = [("skippose-aug", s) for s in combo]
                tag = "seed " + "+".join(map(str, combo))
                mean_raw = np.mean([raw[k] for k in keys], axis=0)
                if r == 1:
                    record(f"Skip-Pose {tag}", fold, y[va], predict(mean_raw))
                    record(f"Skip-Pose {tag}, centred", fold, y[va], predict(centred_[keys[0]]))
                else:
                    cat = {part: np.concatenate([unit_frames(Z[k][part]) for k in keys], axis=-1)
                           for part in ("dict", "mirror", "val")}
                    record(f"Skip-Pose {tag}, concatenated", fold, y[va],
                           predict(class_scores(cat, y[tr])))
                    record(f"Skip-Pose {tag}, mean class scores", fold, y[va], predict(mean_raw))
                record(f"PCA + Skip-Pose {tag}, mean class scores", fold, y[va],
                       predict((raw["pca"] + mean_raw) / 2))

    print(f"\nsplit {args.split}, training clips, video-disjoint folds: mean per-class accuracy (%)")
    width = max(map(len, rows))
    for label, (a0, a1) in rows.items():
        print(f"{label:<{width}}  {100 * (a0 + a1) / 2:5.1f}   (folds {100 * a0:.1f} / {100 * a1:.1f})")


if __name__ == "__main__":
    main()
