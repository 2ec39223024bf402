"""Do two window lengths together help Skip-Pose more than they help PCA?

Cross-validation on the TRAINING clips of one official split only, with the
video-disjoint folds of :func:`sklearn_skippose.model_selection.inner_splits`
(as ``select_settings.py``), at the evaluation's settings for target 2:
first-pose normalisation with one scale for x and y, whitened embeddings, the
fold's dictionary clips and their left-right mirrors, DTW cosine score with
``aggregate="mean"``, 1-NN. Every embedder is fitted, without labels, on the
fold's dictionary clips.

A short window codes the pose, a long one more of the motion around it. For
each method and fold the script scores every window alone and every
combination of windows, "multi-scale": each window's whitened embeddings,
cropped to the windows whose centres match those of the longest window's
(window ``k`` of ``T`` frames is centred on frame ``k + (T - 1) / 2``), each
frame scaled to unit length and concatenated, so that the cosine of the
concatenation is the mean of the windows' cosines and DTW aligns clips on the
windows' mean similarity map. PCA gets the same combinations as Skip-Pose, so
that a gain can be told apart from one that any embedding of two windows
would get.

Run: ``python benchmarks/multiscale_cv.py --data-home ../shared/data [--split
1] [--skippose 6:256,2:64] [--pca 10:192,2:60] [--augment 20000]`` (a
``WINDOW:SIZE`` list per method; ``none`` leaves the method out; Skip-Pose
is Skip-Pose + mocap + jitter, seed 0; about 22 minutes a split on 2 cores
with the defaults, PCA alone about a minute).
"""

import argparse
import itertools
import time

import numpy as np
from sklearn.pipeline import Pipeline

from sklearn_skippose import DTWNearestNeighbors, PoseNormalizer, SequenceWhitener, mirror_poses
from sklearn_skippose.__main__ import _int_at_least  # the CLI's argparse type
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.evaluation import make_method
from sklearn_skippose.metrics import mean_per_class_accuracy
from sklearn_skippose.model_selection import inner_splits

NORMALIZE = "first_pose_isotropic"
METHODS = {"skippose": "skippose-aug", "pca": "pca"}
LABELS = {"skippose": "Skip-Pose + mocap", "pca": "PCA"}


def embed(name, window, n_components, X_dict, X_val, augment, data_home, seed=0):
    """Whitened embeddings of the dictionary clips, their mirrors and the validation clips."""
    embedder = make_method(name, window=window, n_components=n_components, augment=augment,
                           data_home=data_home, normalize=NORMALIZE, jitter=True,
                           random_state=seed)
    pipe = Pipeline([("norm", PoseNormalizer(mode=NORMALIZE)), ("embed", embedder),
                     ("scale", SequenceWhitener())]).fit(X_dict)
    return {"dict": pipe.transform(X_dict), "mirror": pipe.transform(mirror_poses(X_dict)),
            "val": pipe.transform(X_val)}


def n_steps(Z):
    """Real (not all-NaN) steps of every NaN-padded sequence."""
    return (~np.isnan(Z).all(axis=-1)).sum(axis=1)


def centred_crop(Z, window, longest, lengths):
    """Steps of ``Z`` (embeddings of ``window``-frame windows) centred as those of
    ``longest``-frame windows: ``lengths[i]`` steps of sequence ``i`` from step
    ``(longest - window) // 2`` on (earlier where the sequence is too short)."""
    have = n_steps(Z)
    if np.any(have < lengths):
        raise ValueError(f"windows of {window} frames give fewer steps than those of "
                         f"{longest}; expected window <= longest")
    out = np.full((len(Z), int(lengths.max()), Z.shape[-1]), np.nan)
    offset = (longest - window) // 2
    for i, (n, m) in enumerate(zip(have, lengths)):
        a = min(offset, n - m)
        out[i, :m] = Z[i, a : a + m]
    return out


def multiscale(parts, windows):
    """Concatenation of the unit-length frames of every window's embeddings, each
    cropped to the steps of the longest window (``parts``: dicts as :func:`embed`'s)."""
    longest = max(windows)
    ref = parts[windows.index(longest)]
    out = {}
    for key in ("dict", "mirror", "val"):
        lengths = n_steps(ref[key])
        cols = []
        for Z, w in zip(parts, windows):
            C = centred_crop(Z[key], w, longest, lengths)
            cols.append(C / np.linalg.norm(C, axis=-1, keepdims=True))
        out[key] = np.concatenate(cols, axis=-1)
    return out


def accuracy(Z, y_dict, y_val):
    """Mean per-class accuracy of the DTW 1-NN whose dictionary is the clips and their mirrors."""
    knn = DTWNearestNeighbors(n_neighbors=1, metric="cosine", aggregate="mean")
    knn.fit(Z["dict"], y_dict).partial_fit(Z["mirror"], y_dict)
    return mean_per_class_accuracy(y_val, knn.predict(Z["val"]))


def _specs(text):
    if text.strip().lower() == "none":
        return []
    try:
        specs = [tuple(int(v) for v in part.split(":")) for part in text.split(",")]
    except ValueError:
        specs = None
    if (not specs or any(len(s) != 2 or min(s) < 1 for s in specs)
            or len({s[0] for s in specs}) != len(specs)):
        raise argparse.ArgumentTypeError(
            f"expected WINDOW:SIZE pairs of positive integers with distinct windows, separated "
            f"by commas (e.g. 6:256,2:64), or 'none'; got {text!r}")
    return specs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--split", type=int, default=1, choices=(1, 2, 3))
    parser.add_argument("--skippose", type=_specs, default=[(6, 256), (2, 64)],
                        help="WINDOW:SIZE list of Skip-Pose + mocap + jitter, or none")
    parser.add_argument("--pca", type=_specs, default=[(10, 192), (2, 60)],
                        help="WINDOW:SIZE list of PCA, or none")
    parser.add_argument("--augment", type=_int_at_least(1), default=20_000)
    args = parser.parse_args(argv)
    specs = {"skippose": args.skippose, "pca": args.pca}
    if not any(specs.values()):
        parser.error("both --skippose and --pca are none: nothing to score")

    jhmdb = load_jhmdb(args.data_home)
    idx, cv = inner_splits(jhmdb.splits, args.split - 1)
    X, y = jhmdb.data[idx], jhmdb.target[idx]
    rows = {}
    for fold, (tr, va) in enumerate(cv.split(X)):
        for method, spec in specs.items():
            Z = {}
            for window, size in spec:
                t0 = time.perf_counter()
                Z[window] = embed(METHODS[method], window, size, X[tr], X[va], args.augment,
                                  args.data_home)
                label = f"{LABELS[method]} T={window} d={size}"
                rows.setdefault(label, []).append(accuracy(Z[window], y[tr], y[va]))
                print(f"fold {fold + 1}: {label} {100 * rows[label][-1]:.1f} "
                      f"({time.perf_counter() - t0:.0f} s)", flush=True)
            for r in range(2, len(spec) + 1):
                for combo in itertools.combinations(spec, r):
                    windows = [w for w, _ in combo]
                    label = (f"{LABELS[method]} multi-scale "
                             + " + ".join(f"T={w} d={d}" for w, d in combo))
                    rows.setdefault(label, []).append(
                        accuracy(multiscale([Z[w] for w in windows], windows), y[tr], y[va]))
                    print(f"fold {fold + 1}: {label} {100 * rows[label][-1]:.1f}", flush=True)

    print(f"\nsplit {args.split}, training clips, video-disjoint folds: "
          "mean per-class accuracy (%)")
    width = max(map(len, rows))
    for label, accs in rows.items():
        folds = " / ".join(f"{100 * a:.1f}" for a in accs)
        print(f"{label:<{width}}  {100 * np.mean(accs):5.1f}   (folds {folds})")


if __name__ == "__main__":
    main()
