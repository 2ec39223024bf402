"""Training speed of SkipPoseEmbedder on CPU.

1. One epoch over 10^5 triplets at window 4 with 15 joints (targets: <= 30 s
   on 2 cores): random-walk pose sequences of 40 frames, timed per epoch, and
   samples (triplets) per second reported.
2. A full fit on the JHMDB split-1 training clips with early stopping
   (target: <= 5 minutes), with the number of epochs and the best epoch.
3. Generation speed of MocapProjection (augmented triplets per second) when
   the Human3.6M data is present.

Run: ``python benchmarks/bench_train.py [--data-home ../shared/data]``.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

from sklearn_skippose import MocapProjection, PoseNormalizer, SkipPoseEmbedder


def synthetic(n_triplets, window, n_joints=15, length=40, seed=0):
    per_seq = length - 3 * window + 1
    n_seq = -(-n_triplets // per_seq)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_seq, length, 2 * n_joints)).cumsum(axis=1) * 0.05
    return X.astype(np.float32), n_seq * per_seq


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-home", default=os.environ.get("SKIPPOSE_DATA", "../shared/data"))
    p.add_argument("--epochs", type=int, default=2)
    args = p.parse_args(argv)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} cores")

    X, n_trip = synthetic(100_000, 4)
    emb = SkipPoseEmbedder(window=4, n_components=64, max_epochs=args.epochs,
                           validation_fraction=0, random_state=0)
    t = time.perf_counter()
    emb.fit(X)
    total = time.perf_counter() - t
    for h in emb.history_:
        print(f"epoch {h['epoch']}: {h['dur']:.1f} s for {n_trip} triplets "
              f"({n_trip / h['dur']:.0f} triplets/s), train loss {h['train_loss']:.4f}")
    print(f"fit total {total:.1f} s (includes windowing); target <= 30 s per epoch")

    from sklearn_skippose.datasets import load_jhmdb

    try:
        jh = load_jhmdb(args.data_home)
    except (FileNotFoundError, ValueError) as exc:
        print(f"JHMDB not found ({str(exc).splitlines()[0]}): skipping the real fit")
        return 0
    Xj = PoseNormalizer().fit_transform(jh.data[jh.splits[:, 0] == 1])
    emb = SkipPoseEmbedder(window=4, random_state=0)
    t = time.perf_counter()
    emb.fit(Xj)
    dt = time.perf_counter() - t
    print(f"JHMDB split 1 ({len(Xj)} training clips): full fit with early stopping "
          f"{dt:.1f} s, {emb.n_epochs_} epochs (best {emb.best_epoch_}), "
          f"{np.mean([h['dur'] for h in emb.history_]):.2f} s/epoch; target <= 300 s")

    try:
        aug = MocapProjection(data_home=args.data_home, random_state=0)
        aug.sample(10, 12)  # load
    except (FileNotFoundError, ValueError) as exc:
        print(f"Human3.6M not found ({str(exc).splitlines()[0]})")
        return 0
    t = time.perf_counter()
    for _ in range(20):
        aug.sample(256, 12)
    dt = time.perf_counter() - t
    print(f"MocapProjection: {20 * 256 / dt:.0f} augmented triplets/s (window 4, batches of 256)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
