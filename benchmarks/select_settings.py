"""Choose the evaluation settings by cross-validation on TRAINING clips only.

For each official split's training clips (the test clips are never touched),
a stratified 3-fold cross-validation scores every combination of

* feature scaling between embedder and classifier: none,
  :class:`~sklearn_skippose.SequenceStandardScaler` or
  :class:`~sklearn_skippose.SequenceWhitener`;
* DTW score: ``aggregate`` in {"sum", "mean"} and ``metric`` in
  {"cosine", "euclidean"};

for the PCA and Skip-Pose embedders (embedder fits are cached across the
classifier settings with ``Pipeline(memory=...)``), with mean per-class
accuracy. Prints the ranking; ``skippose evaluate`` uses the winner.

Run: ``python benchmarks/select_settings.py [--split 1] [--methods pca,skippose-aug]
[--augment 20000]``.
"""

import argparse
import sys
import tempfile
import time

import numpy as np
from joblib import Memory
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from sklearn_skippose import (
    DTWNearestNeighbors,
    PoseNormalizer,
    SequenceStandardScaler,
    SequenceWhitener,
)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.evaluation import make_method
from sklearn_skippose.metrics import mean_per_class_accuracy_scorer


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-home", default="../shared/data")
    p.add_argument("--split", type=int, default=1)
    p.add_argument("--methods", default="pca,skippose-aug")
    p.add_argument("--max-epochs", type=int, default=30)
    p.add_argument("--augment", type=int, default=20_000,
                   help="Human3.6M projections per epoch for skippose-aug")
    args = p.parse_args(argv)
    jh = load_jhmdb(args.data_home)
    tr = jh.splits[:, args.split - 1] == 1
    X, y = jh.data[tr], jh.target[tr]
    print(f"split {args.split}: {tr.sum()} training clips, 3-fold stratified CV, test clips unused")
    grid = {
        "scale": ["passthrough", SequenceStandardScaler(), SequenceWhitener()],
        "knn__aggregate": ["sum", "mean"],
        "knn__metric": ["cosine", "euclidean"],
    }
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    for method in args.methods.split(","):
        with tempfile.TemporaryDirectory() as cache:
            pipe = Pipeline([
                ("norm", PoseNormalizer()),
                ("embed", make_method(method, max_epochs=args.max_epochs, augment=args.augment,
                                      data_home=args.data_home)),
                ("scale", "passthrough"),
                ("knn", DTWNearestNeighbors()),
            ], memory=Memory(cache, verbose=0))
            t = time.perf_counter()
            gs = GridSearchCV(pipe, grid, cv=cv, scoring=mean_per_class_accuracy_scorer,
                              refit=False)
            gs.fit(X, y)
        res = gs.cv_results_
        order = np.argsort(-res["mean_test_score"])
        print(f"\n{method} ({time.perf_counter() - t:.0f} s):")
        for i in order:
            prm = res["params"][i]
            scale = {"SequenceStandardScaler": "std", "SequenceWhitener": "white"}.get(
                type(prm["scale"]).__name__, "none")
            print(f"  scale={scale:<5s} aggregate={prm['knn__aggregate']:<4s} "
                  f"metric={prm['knn__metric']:<9s} CV accuracy "
                  f"{100 * res['mean_test_score'][i]:.1f} +- {100 * res['std_test_score'][i]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
