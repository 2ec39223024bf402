"""Choose the evaluation settings by cross-validation on TRAINING clips only.

For the training clips of one official split (its test clips are never
touched), video-disjoint folds come from the other two official splits
(:func:`sklearn_skippose.model_selection.inner_splits`: restricted to these
clips, each other split's train/test sides share no source video). A random
K-fold would not do: JHMDB cuts several clips from one video, and with their
near-duplicates in the dictionary a random 3-fold scores ~74 % where the
video-disjoint folds and the real test sets score 50-65 %, and it favours
settings that memorise.

Every combination of

* window length T of the embedder (``--window 2,4,6``; default 4 only);
* embedding size (``--n-components 64,128``; default 64 only, the paper's);
* pose normalisation: :class:`~sklearn_skippose.PoseNormalizer` mode
  (for ``skippose-aug`` the Human3.6M projections follow the same mode);
* for ``skippose-aug``: with or without :class:`~sklearn_skippose.PoseJitter`
  (random mirror, scale and rotation of the training triplets; ``--jitter
  yes`` or ``no`` keeps one, halving the fits);
* for ``skippose-aug``: the frame rate of the Human3.6M windows
  (``MocapProjection(fps=...)``, ``--mocap-fps 25,30``: the recordings'
  own 25 Hz, or resampled to JHMDB's 30; default 25 only) and how many
  projections each epoch draws (``MocapProjection(n_samples=...)``,
  ``--augment 20000,60000``; default 20,000 only);
* for the Skip-Pose methods: the weight of the view-invariance term
  (``SkipPoseEmbedder(contrastive=...)``, not in the paper; ``--contrastive
  0,0.1``; default 0 only) and what it pairs a window with
  (``--contrastive-pair view,neighbours``: a second view of the window
  itself, or of its past and future windows; default view only);
* for the neural methods: the early-stopping patience, epochs without a
  better validation loss before training stops (``--patience 5,20``;
  default 5 only, the embedders' own);
* feature scaling between embedder and classifier: none,
  :class:`~sklearn_skippose.SequenceStandardScaler` or
  :class:`~sklearn_skippose.SequenceWhitener` (``--scale`` keeps some of
  them; the whitener's shrinkage, ``--shrinkage 0.001,0.1``, default 0.001
  only), then each sequence's own mean frame subtracted in part
  (:class:`~sklearn_skippose.SequenceCenterer`, ``--center 0,0.6``: the
  fraction subtracted; default 0 only, no centring);
* DTW score: ``aggregate`` in {"sum", "mean"} and ``metric`` in
  {"cosine", "euclidean"}; neighbours that vote (``--n-neighbors 1,3``;
  default 1 only); global path constraint of the DTW (``--constraint
  none,2,5,itakura``: none, a Sakoe-Chiba band of that radius in time
  steps, or the Itakura parallelogram; default none only);
* dictionary: the fold's dictionary clips, or those and their left-right
  mirrors (:func:`~sklearn_skippose.mirror_poses`, added with
  ``partial_fit`` after the pipeline is fitted on the clips themselves);

is scored for the chosen embedders (each embedder is fitted, without labels,
on the fold's dictionary clips only; fits are cached across the classifier
settings with ``Pipeline(memory=...)``) with mean per-class accuracy, and the
ranking is printed. ``skippose evaluate`` uses the winner.

Run: ``python benchmarks/select_settings.py [--split 1] [--methods pca,skippose-aug]
[--augment 20000,60000] [--normalize first_pose,first_pose_isotropic,sequence_bbox]
[--window 4] [--n-components 64] [--n-neighbors 1] [--constraint none] [--jitter both]
[--contrastive 0] [--contrastive-pair view] [--mocap-fps 25] [--patience 5] [--scale none,standard,whiten] [--shrinkage 0.001] [--center 0]
[--random-state 0]``.
"""

import argparse
import itertools
import sys
import tempfile
import time

import numpy as np
from joblib import Memory
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_skippose import (
    DTWNearestNeighbors,
    PoseNormalizer,
    SequenceCenterer,
    SequenceStandardScaler,
    PoseJitter,
    SequenceWhitener,
    mirror_poses,
)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.evaluation import make_method
from sklearn_skippose.metrics import mean_per_class_accuracy_scorer
from sklearn_skippose.model_selection import inner_splits

_SHORT = {"SequenceStandardScaler": "std", "SequenceWhitener": "white"}


class _Mirrored(ClassifierMixin, BaseEstimator):
    """A fitted pipeline whose DTW dictionary optionally holds the mirrored clips too
    (what ``skippose evaluate --mirror`` does)."""

    def __init__(self, pipeline, mirror=False):
        self.pipeline = pipeline
        self.mirror = mirror

    def fit(self, X, y):
        self.pipeline_ = clone(self.pipeline).fit(X, y)
        if self.mirror:
            self.pipeline_[-1].partial_fit(self.pipeline_[:-1].transform(mirror_poses(X)), y)
        self.classes_ = self.pipeline_[-1].classes_
        return self

    def predict(self, X):
        return self.pipeline_.predict(X)


def _number_list(parser, flag, text, kind=int, minimum=1):
    """Comma-separated numbers of ``kind``, each >= ``minimum`` (else a parser error)."""
    try:
        values = [kind(v) for v in text.split(",")]
    except ValueError:
        parser.error(f"{flag} must be comma-separated {'integers' if kind is int else 'numbers'}, "
                     f"got {text!r}")
    if not min(values) >= minimum:
        parser.error(f"{flag} values must be >= {minimum}, got {text!r}")
    return values


def _constraints(parser, text):
    """``--constraint``: each of "none", "itakura" or a Sakoe-Chiba radius >= 0, as
    ``DTWNearestNeighbors`` parameter grids (one per constraint)."""
    grids = []
    for value in text.split(","):
        if value == "none":
            grids.append({"pipeline__knn__global_constraint": [None]})
        elif value == "itakura":
            grids.append({"pipeline__knn__global_constraint": ["itakura"]})
        elif value.isdigit():
            grids.append({"pipeline__knn__global_constraint": ["sakoe_chiba"],
                          "pipeline__knn__sakoe_chiba_radius": [int(value)]})
        else:
            parser.error("--constraint must be comma-separated 'none', 'itakura' or "
                         f"Sakoe-Chiba radii (integers >= 0), got {text!r}")
    return grids


def _constraint_label(prm):
    kind = prm.get("knn__global_constraint")
    if kind == "sakoe_chiba":
        return f"band={prm['knn__sakoe_chiba_radius']}"
    return "band=none" if kind is None else "itakura"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-home", default="../shared/data")
    p.add_argument("--split", type=int, default=1, choices=[1, 2, 3])
    p.add_argument("--methods", default="pca,skippose-aug")
    p.add_argument("--max-epochs", type=int, default=100)
    p.add_argument("--augment", default="20000",
                   help="skippose-aug: comma-separated numbers of Human3.6M projections "
                        "per epoch to compare")
    p.add_argument("--normalize", default="first_pose,first_pose_isotropic,sequence_bbox",
                   help="comma-separated PoseNormalizer modes to compare")
    p.add_argument("--window", default="4",
                   help="comma-separated window lengths T to compare")
    p.add_argument("--n-components", default="64",
                   help="comma-separated embedding sizes to compare")
    p.add_argument("--n-neighbors", default="1",
                   help="comma-separated numbers of voting neighbours to compare")
    p.add_argument("--constraint", default="none",
                   help="comma-separated DTW global constraints to compare: 'none', "
                        "'itakura' or a Sakoe-Chiba radius in time steps")
    p.add_argument("--jitter", default="both", choices=["both", "yes", "no"],
                   help="skippose-aug: compare with and without PoseJitter, or keep one")
    p.add_argument("--contrastive", default="0",
                   help="Skip-Pose methods: comma-separated view-invariance weights to compare")
    p.add_argument("--contrastive-pair", default="view",
                   help="Skip-Pose methods: comma-separated positives of the contrastive term "
                        "to compare among view, neighbours")
    p.add_argument("--mocap-fps", default="25",
                   help="skippose-aug: comma-separated frame rates of the Human3.6M windows "
                        "to compare (25: the recordings' own)")
    p.add_argument("--patience", default="5",
                   help="neural methods: comma-separated early-stopping patiences to compare")
    p.add_argument("--scale", default="none,standard,whiten",
                   help="comma-separated scalings to try among none, standard, whiten")
    p.add_argument("--shrinkage", default="0.001",
                   help="comma-separated shrinkages of the whitener (default 0.001, its own)")
    p.add_argument("--center", default="0",
                   help="comma-separated fractions of each sequence's mean frame subtracted "
                        "after the scaling (SequenceCenterer; default 0, none)")
    p.add_argument("--random-state", type=int, default=0,
                   help="seed of the neural embedders (PCA takes none), to measure seed noise")
    args = p.parse_args(argv)
    if args.random_state < 0:
        p.error(f"--random-state must be >= 0, got {args.random_state}")
    windows = _number_list(p, "--window", args.window)
    ks = _number_list(p, "--n-neighbors", args.n_neighbors)
    dims = _number_list(p, "--n-components", args.n_components)
    contrastive = _number_list(p, "--contrastive", args.contrastive, float, 0)
    pairs = args.contrastive_pair.split(",")
    if not pairs or set(pairs) - {"view", "neighbours"}:
        p.error("--contrastive-pair must be comma-separated view, neighbours; "
                f"got {args.contrastive_pair!r}")
    mocap_fps = _number_list(p, "--mocap-fps", args.mocap_fps, float, 1)
    augments = _number_list(p, "--augment", args.augment, int, 0)
    patiences = _number_list(p, "--patience", args.patience)
    constraints = _constraints(p, args.constraint)
    shrinkages = _number_list(p, "--shrinkage", args.shrinkage, float, 0)
    centers = _number_list(p, "--center", args.center, float, 0)
    if max(centers) > 1:
        p.error(f"--center fractions must be in [0, 1], got {args.center!r}")
    scalers = {"none": ["passthrough"], "standard": [SequenceStandardScaler()],
               "whiten": [SequenceWhitener(shrinkage=s) for s in shrinkages]}
    scale_names = args.scale.split(",")
    if not scale_names or set(scale_names) - set(scalers):
        p.error(f"--scale must be comma-separated none, standard, whiten; got {args.scale!r}")
    jh = load_jhmdb(args.data_home)
    idx, cv = inner_splits(jh.splits, args.split - 1)
    X, y = jh.data[idx], jh.target[idx]
    sizes = ", ".join(f"{len(a)}/{len(b)}" for a, b in cv.split(X))
    print(f"split {args.split}: {len(idx)} training clips, video-disjoint folds from the "
          f"other splits (dictionary/validation {sizes}), test clips unused")
    modes = args.normalize.split(",")
    classifier = {
        "pipeline__scale": [sc for name in dict.fromkeys(scale_names) for sc in scalers[name]],
        "pipeline__center__fraction": centers,
        "pipeline__knn__aggregate": ["sum", "mean"],
        "pipeline__knn__metric": ["cosine", "euclidean"],
        "pipeline__knn__n_neighbors": ks,
        "mirror": [False, True],
    }
    for method in args.methods.split(","):
        aug = method == "skippose-aug"
        jitters = {"both": [None, PoseJitter()], "yes": [PoseJitter()], "no": [None]}
        extra = {"pipeline__embed__jitter": jitters[args.jitter]} if aug else {}
        if aug:  # 25 Hz: the recordings as they are (fps=None)
            extra["pipeline__embed__augmentation__fps"] = [None if f == 25 else f
                                                           for f in mocap_fps]
            extra["pipeline__embed__augmentation__n_samples"] = augments
        # the pair matters only with a contrastive term: contrastive=0 is fitted once
        terms = [{}]
        if method.startswith("skippose"):
            unique_pairs = list(dict.fromkeys(pairs))
            off, on = [c for c in contrastive if c == 0], [c for c in contrastive if c != 0]
            terms = ([{"pipeline__embed__contrastive": off,
                       "pipeline__embed__contrastive_pair": unique_pairs[:1]}] if off else []) \
                + ([{"pipeline__embed__contrastive": on,
                     "pipeline__embed__contrastive_pair": unique_pairs}] if on else [])
        if method != "pca":
            extra["pipeline__embed__patience"] = patiences
        grid = []
        for m, band, term in itertools.product(modes, constraints, terms):
            g = {**classifier, **band, **extra, **term, "pipeline__norm__mode": [m],
                 "pipeline__embed__window": windows, "pipeline__embed__n_components": dims}
            if aug:  # the mocap projections are normalised like the real clips
                g["pipeline__embed__augmentation__normalizer_mode"] = [m]
            grid.append(g)
        with tempfile.TemporaryDirectory() as cache:
            pipe = Pipeline([
                ("norm", PoseNormalizer()),
                ("embed", make_method(method, max_epochs=args.max_epochs, augment=augments[0],
                                      data_home=args.data_home,
                                      random_state=args.random_state)),
                ("scale", "passthrough"),
                ("center", SequenceCenterer(fraction=0.0)),
                ("knn", DTWNearestNeighbors()),
            ], memory=Memory(cache, verbose=0))
            t = time.perf_counter()
            gs = GridSearchCV(_Mirrored(pipe), grid, cv=cv, scoring=mean_per_class_accuracy_scorer,
                              refit=False)
            gs.fit(X, y)
        res = gs.cv_results_
        order = np.argsort(-res["mean_test_score"])
        print(f"\n{method} ({time.perf_counter() - t:.0f} s):")
        for i in order:
            prm = {k.removeprefix("pipeline__"): v for k, v in res["params"][i].items()}
            scale = _SHORT.get(type(prm["scale"]).__name__, "none")
            if scale == "white" and len(shrinkages) > 1:
                scale += f"({prm['scale'].shrinkage:g})"
            if len(centers) > 1:
                scale += f" center={prm['center__fraction']:g}"
            folds = " ".join(f"{100 * res[f'split{j}_test_score'][i]:.1f}"
                             for j in range(cv.get_n_splits()))
            jit = "" if "embed__jitter" not in prm else \
                f"jitter={'no ' if prm['embed__jitter'] is None else 'yes'} "
            if "embed__augmentation__fps" in prm:
                jit += f"mocap_fps={prm['embed__augmentation__fps'] or 25:g} "
            if len(augments) > 1 and "embed__augmentation__n_samples" in prm:
                jit += f"augment={prm['embed__augmentation__n_samples']} "
            if "embed__contrastive" in prm:
                jit += f"contrastive={prm['embed__contrastive']:g} "
            if len(pairs) > 1 and prm.get("embed__contrastive"):  # no pair without a term
                jit += f"pair={prm['embed__contrastive_pair']} "
            if len(patiences) > 1 and "embed__patience" in prm:
                jit += f"patience={prm['embed__patience']} "
            print(f"  T={prm['embed__window']} d={prm['embed__n_components']} normalize={prm['norm__mode']:<20s} "
                  f"{jit}scale={scale:<5s} "
                  f"aggregate={prm['knn__aggregate']:<4s} metric={prm['knn__metric']:<9s} "
                  f"k={prm['knn__n_neighbors']} {_constraint_label(prm)} "
                  f"mirror={'yes' if prm['mirror'] else 'no ':<3s} "
                  f"accuracy {100 * res['mean_test_score'][i]:.1f} (folds {folds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
