"""Do dilated windows (every d-th frame) help the learned embedding more than PCA?

The results page finds that at JHMDB's 30 frames per second the pose changes
so little over a window that Skip-Pose's past and future windows are mostly
the current pose, and the objective is met by encoding that pose. This script
asks whether windows that skip frames change that: a window of ``T`` poses
taken every ``d``-th frame (frames ``t, t + d, ..., t + d (T - 1)``) covers
``d`` times the time, and a Skip-Pose triplet ``3 d T`` frames.

How: every clip is cut into its ``d`` phase sub-sequences (frames ``p, p + d,
p + 2 d, ...`` for ``p < d``); the embedder is fitted, without labels, on the
phase sub-sequences of the fold's dictionary clips, and a clip's embedding at
step ``t`` is that of the window starting at frame ``t`` of phase ``t mod d``
(:class:`DilatedWindows`). So the embedding sequence keeps one step per frame,
``L - d (T - 1)`` steps for a clip of ``L`` frames, and ``d = 1`` is the
embedder itself. For ``skippose-aug`` the Human3.6M projections are resampled
to ``25 / d`` frames per second (``MocapProjection(fps=...)``), the dilated
analogue of the evaluation's default (the 25 Hz recordings taken frame for
frame).

Cross-validation on the TRAINING clips of official splits only, with the
video-disjoint folds of :func:`sklearn_skippose.model_selection.inner_splits`
(as ``select_settings.py``), at the evaluation's classifier settings:
first-pose normalisation with one scale for x and y, whitened embeddings, the
fold's dictionary clips and their left-right mirrors, DTW cosine 1-NN with
``aggregate="mean"``.

Run: ``python benchmarks/dilated_windows_cv.py --data-home ../shared/data
--method pca [--splits 1,2,3] [--dilation 1,2,3] [--window 4]
[--n-components 64]``. On 2 cores: PCA seconds; Skip-Pose under a minute
per fold and dilation; Skip-Pose + mocap (20,000 projections per epoch, the
default ``--augment``) 3 to 8 minutes per fold and dilation.
"""

import argparse
import sys
import time

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

from sklearn_skippose import DTWNearestNeighbors, PoseNormalizer, SequenceWhitener, mirror_poses
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.evaluation import METHODS, make_method
from sklearn_skippose.metrics import mean_per_class_accuracy
from sklearn_skippose.model_selection import inner_splits
from sklearn_skippose.utils import sequence_lengths, to_sequence_dataset

NORMALIZE = "first_pose_isotropic"


def phase_sequences(X, d):
    """The ``d`` phase sub-sequences ``X[i, p::d]`` of every sequence, NaN-padded.

    Returns
    -------
    P : ndarray of shape (n_sequences * d, max_phase_frames, n_features)
        Row ``i * d + p`` is phase ``p`` of sequence ``i``; a phase with no
        frame (a sequence shorter than ``d``) holds the sequence's last frame.
    lengths : ndarray of shape (n_sequences,)
        Real frames of every sequence.
    """
    lengths = sequence_lengths(X)
    phases = []
    for x, n in zip(X, lengths):
        for p in range(d):
            phases.append(x[p:n:d] if p < n else x[n - 1:n])
    return to_sequence_dataset(phases), lengths


class DilatedWindows(TransformerMixin, BaseEstimator):
    """``embedder`` applied to windows of every ``dilation``-th frame, one step per frame.

    Parameters
    ----------
    embedder : estimator
        A window embedder with a ``window`` parameter (``PCAEmbedder``,
        ``SkipPoseEmbedder``, ...), fitted on the phase sub-sequences.
    dilation : int, default=1
        Frames between the poses of a window; 1 is the embedder itself.
    """

    def __init__(self, embedder=None, dilation=1):
        self.embedder = embedder
        self.dilation = dilation

    def fit(self, X, y=None):
        """Fit a clone of ``embedder`` on the phase sub-sequences of ``X`` (no labels)."""
        if not (isinstance(self.dilation, int) and self.dilation >= 1):
            raise ValueError(f"dilation must be an integer >= 1, got {self.dilation!r}.")
        self.embedder_ = clone(self.embedder).fit(phase_sequences(X, self.dilation)[0])
        return self

    def transform(self, X):
        """Step ``t`` of a sequence: the window at frames ``t, t + d, ..., t + d (T - 1)``.

        A sequence of ``L`` frames gets ``max(1, L - d (T - 1))`` steps (a
        shorter one: its first phase's window, padded as the embedder pads).
        """
        check_is_fitted(self, "embedder_")
        d, T = self.dilation, self.embedder_.window
        P, lengths = phase_sequences(X, d)
        E = self.embedder_.transform(P)
        steps = np.maximum(1, lengths - d * (T - 1))
        out = np.full((len(X), steps.max(), E.shape[2]), np.nan, dtype=E.dtype)
        for i, n in enumerate(steps):
            for p in range(min(d, n)):
                k = len(range(p, n, d))  # steps t = p, p + d, ... below n
                out[i, p:n:d] = E[i * d + p, :k]
        if np.isnan(out[np.arange(steps.max())[None, :] < steps[:, None]]).any():
            raise RuntimeError("a dilated step was left without an embedding")
        return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-home", default="../shared/data")
    p.add_argument("--method", default="pca", choices=METHODS)
    p.add_argument("--splits", default="1,2,3")
    p.add_argument("--dilation", default="1,2,3", help="comma-separated frame steps d")
    p.add_argument("--window", type=int, default=4)
    p.add_argument("--n-components", type=int, default=64)
    p.add_argument("--augment", type=int, default=20_000)
    p.add_argument("--random-state", type=int, default=0)
    args = p.parse_args(argv)
    try:
        splits = [int(s) for s in args.splits.split(",")]
        dilations = [int(d) for d in args.dilation.split(",")]
    except ValueError:
        p.error("--splits and --dilation must be comma-separated integers")
    if not set(splits) <= {1, 2, 3} or min(dilations) < 1:
        p.error("--splits must be among 1, 2, 3 and --dilation values >= 1")
    jh = load_jhmdb(args.data_home)
    results = {d: [] for d in dilations}
    for split in splits:
        idx, cv = inner_splits(jh.splits, split - 1)
        X, y = jh.data[idx], jh.target[idx]
        for fold, (dic, val) in enumerate(cv.split(X)):
            row = []
            for d in dilations:
                t = time.perf_counter()
                embedder = make_method(args.method, window=args.window,
                                       n_components=args.n_components, augment=args.augment,
                                       data_home=args.data_home, normalize=NORMALIZE,
                                       random_state=args.random_state)
                if args.method == "skippose-aug" and d > 1:
                    embedder.set_params(augmentation__fps=25.0 / d)
                features = make_pipeline(PoseNormalizer(mode=NORMALIZE),
                                         DilatedWindows(embedder, d),
                                         SequenceWhitener()).fit(X[dic])  # no labels
                knn = DTWNearestNeighbors(aggregate="mean").fit(features.transform(X[dic]),
                                                                y[dic])
                knn.partial_fit(features.transform(mirror_poses(X[dic])), y[dic])
                pred = knn.predict(features.transform(X[val]))
                results[d].append(100 * mean_per_class_accuracy(y[val], pred))
                row.append(f"d={d} {results[d][-1]:.1f} ({time.perf_counter() - t:.0f} s)")
            print(f"split {split} fold {fold + 1}: " + "  ".join(row), flush=True)
    print(f"\n{args.method} T={args.window} n_components={args.n_components}: mean per-class "
          f"accuracy over {len(results[dilations[0]])} folds")
    for d in dilations:
        print(f"  d={d}  {np.mean(results[d]):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
