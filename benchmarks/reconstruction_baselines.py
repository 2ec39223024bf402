"""How much of Skip-Pose's objective is motion? The trained model against trivial predictors.

Skip-Pose reconstructs the past and the future window of every triplet from
the embedding of the current window. This script trains Skip-Pose (no
augmentation; the evaluation's normalisation) on the training clips of one
official JHMDB split, for every window given, and prints the reconstruction
error on the split's test triplets (minus ``SkipPoseEmbedder.score``: the
masked mean squared error per observed coordinate of the paper's equation
5) beside three predictors that need no training, on the same triplets
(every run of ``3 * window`` consecutive frames of a test clip):

* ``copy``: every past frame is the current window's first frame, every
  future frame its last one (the motion is ignored);
* ``extrapolate``: the current window's first (last) frame moved backwards
  (forwards) at the velocity of its first (last) two frames;
* ``zero``: every coordinate predicted as 0 (the normalised pose's centre).

Where the trained model does no better than ``copy``, the objective can be
met without encoding motion, and the embedding carries little more than the
current pose, which PCA of the window carries as well.

Run: ``python benchmarks/reconstruction_baselines.py --data-home
../shared/data [--split 1] [--windows 2,4,6]`` (about a minute per window
on 2 cores).
"""

import argparse
import os
import time

import numpy as np

from sklearn_skippose import PoseNormalizer, SkipPoseEmbedder
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.utils import sequence_lengths


def triplets(X, window):
    """Every (past, current, future) run of ``3 * window`` real frames (NaN kept)."""
    span = 3 * window
    out = [x[s:s + span] for x, n in zip(X, sequence_lengths(X)) for s in range(n - span + 1)]
    return np.array(out)


def trivial_errors(T, window):
    """Masked MSE of the three untrained predictors over triplets ``T``."""
    w = window
    past, cur, fut = T[:, :w], T[:, w:2 * w], T[:, 2 * w:]
    steps = np.arange(1, w + 1)[None, :, None]
    preds = {
        "copy": (np.repeat(cur[:, :1], w, axis=1), np.repeat(cur[:, -1:], w, axis=1)),
        "extrapolate": (cur[:, :1] - (cur[:, 1:2] - cur[:, :1]) * steps[:, ::-1],
                        cur[:, -1:] + (cur[:, -1:] - cur[:, -2:-1]) * steps),
        "zero": (np.zeros_like(past), np.zeros_like(fut)),
    }
    out = {}
    for name, (p, f) in preds.items():
        err = np.concatenate([(p - past) ** 2, (f - fut) ** 2], axis=1)
        seen = np.isfinite(err)  # target and predictor observed
        out[name] = float(err[seen].sum() / seen.sum())
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-home", default=os.environ.get("SKIPPOSE_DATA", "../shared/data"))
    p.add_argument("--split", type=int, default=1, choices=[1, 2, 3])
    p.add_argument("--windows", default="2,4,6")
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--max-epochs", type=int, default=100,
                   help="epoch cap (early stopping decides below it)")
    args = p.parse_args(argv)
    jh = load_jhmdb(args.data_home)
    tr, te = jh.splits[:, args.split - 1] == 1, jh.splits[:, args.split - 1] == 2
    norm = PoseNormalizer(mode="first_pose_isotropic")
    Xtr, Xte = norm.fit_transform(jh.data[tr]), norm.transform(jh.data[te])
    print(f"JHMDB split {args.split}: Skip-Pose trained on {int(tr.sum())} training clips, "
          f"errors on the triplets of its {int(te.sum())} test clips\n"
          "(masked mean squared error per observed coordinate; poses normalised with "
          "first_pose_isotropic)\n")
    print(f"{'window':>6s} {'triplets':>9s} {'Skip-Pose':>10s} {'copy':>8s} "
          f"{'extrapolate':>12s} {'zero':>8s} {'epochs':>7s} {'fit':>6s}")
    for window in (int(w) for w in args.windows.split(",")):
        t0 = time.perf_counter()
        emb = SkipPoseEmbedder(window=window, max_epochs=args.max_epochs,
                               random_state=args.random_state).fit(Xtr)
        fit_s = time.perf_counter() - t0
        T = triplets(Xte, window)
        trivial = trivial_errors(T, window)
        # each triplet as a sequence of its own: one training sample each, so the
        # model is scored on exactly the triplets the predictors are
        print(f"{window:6d} {len(T):9d} {-emb.score(T):10.4f} {trivial['copy']:8.4f} "
              f"{trivial['extrapolate']:12.4f} {trivial['zero']:8.4f} {emb.n_epochs_:7d} "
              f"{fit_s:5.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
