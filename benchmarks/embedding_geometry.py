"""How alike do any two frames' embeddings look to the cosine? PCA and Skip-Pose, scaled or not.

DTW scores a pair of clips by the cosine similarities of their frames'
embeddings. When the embeddings share a common direction, any two frames
look alike and a summed score counts path cells more than it measures the
match; when a few directions carry most of the variance, they decide the
cosine alone. This script fits PCA and Skip-Pose (no augmentation) without
labels on the training clips of one official JHMDB split, embeds those
clips, and prints the cosine similarity of random pairs of real frames
(mean and 10 / 50 / 90 % quantiles) with the embeddings as they are,
standardised per feature, and whitened
(:class:`~sklearn_skippose.SequenceStandardScaler`,
:class:`~sklearn_skippose.SequenceWhitener`), and the share of the
variance carried by the first 5 principal directions of the embeddings.

Run: ``python benchmarks/embedding_geometry.py --data-home ../shared/data
[--split 1] [--normalize first_pose] [--window 4]`` (about 30 s on 2 cores).
"""

import argparse
import os
import time

import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_skippose import (PCAEmbedder, PoseNormalizer, SequenceStandardScaler,
                              SequenceWhitener, SkipPoseEmbedder)
from sklearn_skippose.datasets import load_jhmdb

SCALERS = {"none": None, "standard": SequenceStandardScaler, "whiten": SequenceWhitener}


def frames(Z):
    """The real frames of a NaN-padded embedded dataset, one per row."""
    F = Z.reshape(-1, Z.shape[-1])
    return F[~np.isnan(F).any(axis=1)]


def pair_cosines(F, n_pairs, rng):
    """Cosine similarities of ``n_pairs`` random pairs of distinct rows of ``F``."""
    a = rng.integers(0, len(F), n_pairs)
    b = (a + rng.integers(1, len(F), n_pairs)) % len(F)  # never the same row
    U = F / np.linalg.norm(F, axis=1, keepdims=True)
    return np.einsum("ij,ij->i", U[a], U[b])


def top_variance_share(F, k=5):
    """Share of the total variance of the rows of ``F`` along its first ``k``
    principal directions."""
    ev = np.linalg.eigvalsh(np.cov(F, rowvar=False))[::-1]
    return float(ev[:k].sum() / ev.sum())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-home", default=os.environ.get("SKIPPOSE_DATA", "../shared/data"))
    p.add_argument("--split", type=int, default=1, choices=[1, 2, 3])
    p.add_argument("--normalize", default="first_pose",
                   choices=["first_pose", "first_pose_isotropic", "sequence_bbox"],
                   help="PoseNormalizer mode (default first_pose, the paper's)")
    p.add_argument("--window", type=int, default=4)
    p.add_argument("--n-components", type=int, default=64)
    p.add_argument("--max-epochs", type=int, default=30,
                   help="Skip-Pose's epoch cap (early stopping decides below it)")
    p.add_argument("--pairs", type=int, default=20000, help="random frame pairs")
    p.add_argument("--random-state", type=int, default=0)
    args = p.parse_args(argv)
    if args.window < 1 or args.n_components < 1 or args.pairs < 1 or args.max_epochs < 1:
        p.error("--window, --n-components, --pairs and --max-epochs must be positive")
    jh = load_jhmdb(args.data_home)
    X = jh.data[jh.splits[:, args.split - 1] == 1]
    print(f"JHMDB split {args.split}: {len(X)} training clips, {args.normalize} poses, "
          f"window {args.window}, {args.n_components} dimensions; cosine similarity of "
          f"{args.pairs} random frame pairs\n")
    print(f"{'embedder':10s} {'scaling':9s} {'mean':>6s} {'q10':>6s} {'q50':>6s} {'q90':>6s} "
          f"{'top-5 variance':>15s}")
    embedders = {
        "PCA": PCAEmbedder(window=args.window, n_components=args.n_components),
        "Skip-Pose": SkipPoseEmbedder(window=args.window, n_components=args.n_components,
                                      max_epochs=args.max_epochs,
                                      random_state=args.random_state),
    }
    for name, embedder in embedders.items():
        t0 = time.perf_counter()
        features = make_pipeline(PoseNormalizer(mode=args.normalize), embedder).fit(X)
        Z = features.transform(X)
        for scaling, scaler in SCALERS.items():
            F = frames(Z if scaler is None else scaler().fit_transform(Z))
            c = pair_cosines(F, args.pairs, np.random.default_rng(args.random_state))
            q10, q50, q90 = np.quantile(c, [0.1, 0.5, 0.9])
            print(f"{name:10s} {scaling:9s} {c.mean():6.3f} {q10:6.3f} {q50:6.3f} {q90:6.3f} "
                  f"{top_variance_share(F):15.3f}", flush=True)
        print(f"({name}: {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
