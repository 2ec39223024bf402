"""Command line: ``python -m sklearn_skippose`` (or ``skippose``).

``skippose summary``
    Load JHMDB (and Human3.6M when present) and print what was found.
``skippose evaluate``
    The JHMDB evaluation over the three official splits: normalise the poses,
    turn every clip into a sequence of window features, register the training
    clips as the dictionary, classify the test clips by DTW 1-NN, and print
    mean per-class accuracy and macro AP per split (JSON written to
    ``--output``).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


def _summary(args):
    from .datasets import load_h36m, load_jhmdb

    jh = load_jhmdb(args.data_home)
    print(jh.DESCR)
    print(f"data: {jh.data.shape} (n_clips, max_frames, 2 * n_joints), NaN-padded")
    missing = np.isnan(jh.data[np.arange(jh.data.shape[1])[None, :] < jh.lengths[:, None]])
    print(f"missing (out-of-frame) coordinates: {missing.mean():.2%}")
    for k in range(jh.splits.shape[1]):
        tr, te = (jh.splits[:, k] == 1).sum(), (jh.splits[:, k] == 2).sum()
        print(f"split {k + 1}: {tr} train / {te} test clips")
    try:
        h = load_h36m(args.data_home)
        print(h.DESCR)
    except (FileNotFoundError, ValueError) as exc:
        print(f"Human3.6M: not available ({str(exc).splitlines()[0]})")
    return 0


def _window_features(X, window):
    """Concatenated normalised poses of every sliding window (missing -> 0)."""
    from .utils import sequence_lengths

    lengths = sequence_lengths(X)
    n, t, f = X.shape
    n_win = np.maximum(lengths - window + 1, 1)
    out = np.full((n, int(n_win.max()), f * window), np.nan)
    Z = np.nan_to_num(X)
    for i in range(n):
        L = int(lengths[i])
        seq = Z[i, :L]
        if L < window:  # documented: short clips repeat their last frame
            seq = np.concatenate([seq, np.repeat(seq[-1:], window - L, axis=0)])
        for w in range(int(n_win[i])):
            out[i, w] = seq[w : w + window].ravel()
    return out


def _evaluate(args):
    from .datasets import load_jhmdb
    from .metrics import macro_average_precision, mean_per_class_accuracy
    from .neighbors import DTWNearestNeighbors
    from .preprocessing import PoseNormalizer

    t0 = time.perf_counter()
    jh = load_jhmdb(args.data_home)
    X = PoseNormalizer().fit_transform(jh.data)
    feats = _window_features(X, args.window)
    splits = range(jh.splits.shape[1]) if not args.quick else [0]
    rows = []
    for k in splits:
        tr, te = jh.splits[:, k] == 1, jh.splits[:, k] == 2
        clf = DTWNearestNeighbors(aggregate=args.aggregate).fit(feats[tr], jh.target[tr])
        scores = clf.class_scores(feats[te])
        pred = clf.predict(feats[te])
        acc = mean_per_class_accuracy(jh.target[te], pred)
        ap = macro_average_precision(jh.target[te], scores, labels=clf.classes_)
        rows.append({"method": "poses", "split": k + 1, "accuracy": acc, "macro_ap": ap,
                     "n_train": int(tr.sum()), "n_test": int(te.sum())})
        print(f"split {k + 1}: mean per-class accuracy {100 * acc:.1f}  macro AP {100 * ap:.1f}"
              f"  ({tr.sum()} dictionary / {te.sum()} test clips)", flush=True)
    mean_acc = float(np.mean([r["accuracy"] for r in rows]))
    print(f"mean over {len(rows)} split(s): accuracy {100 * mean_acc:.1f}"
          f"  ({time.perf_counter() - t0:.1f} s)")
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(
        {"dataset": "JHMDB (804-clip GT subset)", "window": args.window,
         "aggregate": args.aggregate, "results": rows}, indent=2))
    print(f"results written to {out / 'results.json'}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="skippose", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="print what the data folder holds")
    s.add_argument("--data-home", default=None)
    e = sub.add_parser("evaluate", help="JHMDB evaluation over the official splits")
    e.add_argument("--data-home", default=None)
    e.add_argument("--window", type=int, default=4)
    e.add_argument("--aggregate", choices=["sum", "mean", "cost"], default="sum")
    e.add_argument("--quick", action="store_true", help="split 1 only")
    e.add_argument("--output", default="skippose_results")
    args = parser.parse_args(argv)
    if args.command == "summary":
        return _summary(args)
    if args.window < 1:
        parser.error("--window must be >= 1")
    return _evaluate(args)


if __name__ == "__main__":
    sys.exit(main())
