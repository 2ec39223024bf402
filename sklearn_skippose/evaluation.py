"""The paper's JHMDB evaluation as one function (and the ``evaluate`` command).

For every official split and every method: the embedder is trained on the
split's training clips **without labels**, the training clips are embedded
and registered as the dictionary of a DTW nearest-neighbour classifier, and
the test clips are classified. Reported per split: mean per-class accuracy
(JHMDB's measure) and macro average precision of the per-class DTW scores.
"""

import hashlib
import json
import os
import time
from datetime import datetime, timezone
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.pipeline import make_pipeline

from .augmentation import MocapProjection, PoseJitter, mirror_poses
from .datasets import load_jhmdb
from .embedding import AutoencoderEmbedder, PCAEmbedder, SkipPoseEmbedder
from .metrics import macro_average_precision, mean_per_class_accuracy
from .neighbors import DTWNearestNeighbors
from .preprocessing import _MODES as _NORMALIZE_MODES
from .preprocessing import (PoseNormalizer, SequenceCenterer, SequenceStandardScaler,
                            SequenceWhitener)
from .utils._sequences import check_bool_param, check_int_param

__all__ = ["METHODS", "METHOD_SETTINGS", "make_method", "evaluate_jhmdb", "format_table",
           "compare_methods"]

#: Method names understood by :func:`make_method`: the rows of Table 1, and
#: ``"skippose-random"``, Skip-Pose's network left untrained (a control).
METHODS = ("pca", "ae", "skippose-nopast", "skippose", "skippose-aug", "skippose-random")

#: Methods without a contrastive term (the global ``contrastive`` skips them).
_NO_CONTRASTIVE = ("pca", "ae", "skippose-random")

#: Methods whose fit draws no random numbers: one run per split serves every seed.
UNSEEDED_METHODS = ("pca",)


def make_method(name, *, window=4, n_components=64, augment=100_000, data_home=None,
                max_epochs=100, normalize="first_pose", jitter=True, contrastive=0.0,
                random_state=0):
    """The embedder of one Table-1 method.

    Parameters
    ----------
    name : {"pca", "ae", "skippose-nopast", "skippose", "skippose-aug", "skippose-random"}
        PCA baseline, autoencoder baseline, Skip-Pose without the past
        decoder, Skip-Pose, Skip-Pose trained with ``augment`` Human3.6M
        projections per epoch (and, with ``jitter=True``, every training
        triplet randomly mirrored, scaled and rotated by
        :class:`~sklearn_skippose.PoseJitter`); or, not in the paper,
        ``"skippose-random"``: Skip-Pose's network at its random
        initialisation, never trained (``max_epochs=0``; ``max_epochs`` is
        ignored), a control for how much the learned objective adds to the
        same window, size, scaling and DTW matching.
    window : int, default=4
        The paper's ``T``.
    n_components : int, default=64
        Embedding size.
    augment : int, default=100_000
        Augmented samples per epoch for ``"skippose-aug"``.
    data_home : str, default=None
        Where Human3.6M is found.
    max_epochs : int, default=100
        Epoch cap of the neural embedders (early stopping decides below it).
    normalize : str, default="first_pose"
        :class:`~sklearn_skippose.PoseNormalizer` mode of the real clips; the
        Human3.6M projections of ``"skippose-aug"`` are normalised the same way.
    jitter : bool, default=True
        ``"skippose-aug"`` also trains on randomly mirrored, scaled and
        rotated triplets (:class:`~sklearn_skippose.PoseJitter` defaults).
        With the mirrored dictionary of :func:`evaluate_jhmdb` it was
        ahead in the video-disjoint selection on the training clips of splits
        1 and 2 (results page); the encoder then has seen motions of both
        handedness, as the mirrored dictionary clips are.
    contrastive : float, default=0.0
        Weight of the view-invariance term of the three Skip-Pose methods
        (:class:`~sklearn_skippose.SkipPoseEmbedder`'s ``contrastive``; not in
        the paper; 0: the paper's objective). PCA and the autoencoder have
        none: a non-zero value for them raises ``ValueError``.
    random_state : int, default=0
        Seed of the neural embedders (weights, batch order, validation
        clips, Human3.6M projections, jitter). PCA takes none: its
        covariance eigendecomposition is deterministic.

    Returns
    -------
    embedder : estimator
        An unfitted embedder.

    Examples
    --------
    >>> from sklearn_skippose.evaluation import make_method
    >>> make_method("skippose-nopast", window=6, max_epochs=20)
    SkipPoseEmbedder(decode_past=False, max_epochs=20, random_state=0, window=6)
    """
    common = dict(window=window, n_components=n_components)
    nn = dict(max_epochs=max_epochs, random_state=random_state)
    sp = dict(contrastive=contrastive)
    check_bool_param(jitter, "jitter")
    if contrastive and name in _NO_CONTRASTIVE:
        raise ValueError(f"contrastive applies to the trained Skip-Pose methods only; {name!r} "
                         f"has no contrastive term (got contrastive={contrastive!r}).")
    if name == "pca":
        return PCAEmbedder(**common)
    if name == "ae":
        return AutoencoderEmbedder(**common, **nn)
    if name == "skippose-nopast":
        return SkipPoseEmbedder(decode_past=False, **common, **nn, **sp)
    if name == "skippose":
        return SkipPoseEmbedder(**common, **nn, **sp)
    if name == "skippose-aug":
        aug = MocapProjection(n_samples=augment, data_home=data_home,
                              normalizer_mode=normalize, random_state=random_state)
        return SkipPoseEmbedder(augmentation=aug, jitter=PoseJitter() if jitter else None,
                                **common, **nn, **sp)
    if name == "skippose-random":
        return SkipPoseEmbedder(**common, max_epochs=0, random_state=random_state)
    raise ValueError(f"Unknown method {name!r}; expected one of {METHODS}.")


SCALINGS = ("whiten", "standard", "none")


def _scaler(scale, shrinkage=1e-3):
    """The steps between embedder and classifier for ``scale`` (``shrinkage``:
    the whitener's)."""
    if scale is True:
        scale = "standard"
    if scale is False or scale is None:
        scale = "none"
    if scale not in SCALINGS:
        raise ValueError(f"scale must be one of {SCALINGS} (or a bool), got {scale!r}.")
    return {"whiten": [SequenceWhitener(shrinkage=shrinkage)],
            "standard": [SequenceStandardScaler()], "none": []}[scale]


def evaluate_jhmdb(data_home=None, *, methods=("pca", "skippose"), splits=(1, 2, 3),
                   window=4, n_components=64, augment=100_000,
                   normalize="first_pose_isotropic", jitter=True, mirror=True,
                   scale="whiten", shrinkage=1e-3, center=0.0, aggregate="mean", metric="cosine",
                   n_neighbors=1, max_epochs=100,
                   contrastive=0.0, method_settings=None, classes=None, random_state=0, output=None,
                   save_embedders=False, verbose=True):
    """Run the JHMDB evaluation and return (and optionally write) the results.

    Parameters
    ----------
    data_home : str, default=None
        Folder with ``jhmdb/`` (and ``h36m/`` for augmentation).
    methods : sequence of str, default=("pca", "skippose")
        Names from :data:`METHODS`.
    splits : sequence of int, default=(1, 2, 3)
        Official splits to run.
    window : int, default=4
        Frames per window, the paper's ``T`` (:func:`make_method`).
    n_components : int, default=64
        Embedding size of every method.
    augment : int, default=100_000
        Human3.6M projections per epoch for ``"skippose-aug"``.
    normalize : {"first_pose", "first_pose_isotropic", "sequence_bbox", "pose_centred"}, \
            default="first_pose_isotropic"
        :class:`~sklearn_skippose.PoseNormalizer` mode (for the real clips
        and the Human3.6M projections alike). The paper's ``"first_pose"``
        maps x and y of the first pose to [-1, 1] separately, which distorts
        the body's aspect ratio; one scale for both axes won the
        video-disjoint cross-validation on the training clips of every
        split, for PCA and Skip-Pose (results page).
    jitter : bool, default=True
        ``"skippose-aug"`` also trains on randomly mirrored, scaled and
        rotated triplets (:class:`~sklearn_skippose.PoseJitter`; see
        :func:`make_method`).
    mirror : bool, default=True
        Also register the left-right mirror of every training clip
        (:func:`~sklearn_skippose.mirror_poses`, same label) in the
        dictionary, so that a query matches a motion of either handedness or
        direction. The embedder and the scaler are fitted on the original
        training clips only; the mirrored ones are embedded with them and
        added with ``partial_fit``. In the video-disjoint cross-validation on
        the training clips it raised PCA on splits 1 and 2 (not 3) and
        Skip-Pose + mocap on splits 1 and 2 (3 not run); on the test sets it
        did not help (results page).
    scale : {"whiten", "standard", "none"} or bool, default="whiten"
        What happens to the window embeddings between embedder and DTW,
        fitted on the training clips: :class:`~sklearn_skippose.SequenceWhitener`
        (PCA whitening, shrinkage 1e-3), :class:`~sklearn_skippose.SequenceStandardScaler`
        (per-feature standardisation; ``True`` means this) or nothing
        (``False``).
    shrinkage : float, default=1e-3
        The whitener's shrinkage (:class:`~sklearn_skippose.SequenceWhitener`:
        added to every variance, relative to the largest), for
        ``scale="whiten"``; the other scalings ignore it. The larger, the
        less the minor directions of the embedding are raised to the major
        ones' variance. Chosen per method on the training clips (results
        page): PCA keeps 1e-3, Skip-Pose + augmentation prefers about 0.1.
    center : float, default=0.0
        Fraction of each clip's own mean embedding subtracted from its
        frames after the scaling (:class:`~sklearn_skippose.SequenceCenterer`),
        in [0, 1]; 0 (the default) leaves them as they are.
    aggregate : {"sum", "mean", "cost"}, default="mean"
        DTW score.
    metric : {"cosine", "euclidean"}, default="cosine"
        Local similarity. The defaults (``scale="whiten"``, ``"mean"``,
        ``"cosine"``) won the cross-validation on the training clips of split
        1 (``benchmarks/select_settings.py``) for PCA and Skip-Pose.
    n_neighbors : int, default=1
        Neighbours that vote.
    max_epochs : int, default=100
        Epoch cap of the neural embedders (early stopping decides below it).
    contrastive : float, default=0.0
        View-invariance weight of the Skip-Pose methods (see
        :func:`make_method`); PCA and the autoencoder ignore the global
        value, and ``method_settings`` sets it per method.
    method_settings : dict, default=None
        Per-method overrides of the settings above, ``{method: {name:
        value}}`` with names among :data:`METHOD_SETTINGS` (``window``,
        ``scale``, ``n_neighbors``, ...), so that every method runs with
        the settings chosen for it (e.g. by ``benchmarks/select_settings.py``
        on the training clips) in one run.
    classes : sequence of str, default=None
        Restrict to these action classes (for quick runs and tests).
    random_state : int or sequence of int, default=0
        Seed of the neural embedders (see :func:`make_method`). A sequence
        runs every seeded method once per seed and split, and reports the
        mean over the seeds with its standard deviation; the methods of
        :data:`UNSEEDED_METHODS` (PCA) are run once per split, since no seed
        changes them.
    output : str or path-like, default=None
        Folder for ``results.json`` and figures (when matplotlib is
        installed): ``results.png``, the accuracy of every method and split,
        and ``similarity_map.png``, the first test clip of the last row
        against its nearest dictionary clip, with the DTW path and both
        clips' poses (:func:`~sklearn_skippose.plotting.plot_similarity_map`).
    save_embedders : bool, default=False
        Also write every fitted embedder, as soon as it is fitted, to
        ``output/embedders/METHOD_splitK_seedS.npz`` (PCA, which takes no
        seed: ``pca_splitK.npz``) with its ``save_params`` (what it learnt
        and its settings, loaded back by
        :func:`~sklearn_skippose.embedding.load_embedder`), and record that
        path, relative to ``output``, as the row's ``embedder_file``.
        Needs ``output``.
    verbose : bool, default=True
        Progress bar and one line per result.

    Returns
    -------
    results : dict
        ``{"dataset", "settings", "method_settings", "target_names",
        "results": [{"method", "split", "seed", "accuracy", "macro_ap",
        "fit_seconds", "y_true", "y_pred", "scores", "score_labels", ...}],
        "mean": {method:
        {"accuracy", "macro_ap", "accuracy_std", "macro_ap_std", "seeds"}},
        "environment"}``;
        ``method_settings`` holds the overrides only; ``seed`` is ``None``
        for an unseeded method; ``y_true`` and ``y_pred`` are the test clips'
        label indices into ``target_names``, in the same order in every row
        of a split, and ``scores`` their DTW class scores (columns ordered as
        ``score_labels``; what macro AP ranks), which :func:`compare_methods`
        resamples. ``mean`` is
        the mean over the splits, averaged over the seeds; the standard
        deviations are across the seeds' three-split means (``ddof=1``;
        0 with one seed). ``environment`` records where the numbers came
        from: the versions of Python, this package and its dependencies,
        the machine and its processor, numba's and (when loaded) torch's
        threads, the start time (UTC), the wall time in seconds, and
        ``data_sha256``, a SHA-256 of the evaluated clips' array (float64,
        C order), which tells whether two runs read the same data.

    Examples
    --------
    >>> from sklearn_skippose.evaluation import evaluate_jhmdb
    >>> res = evaluate_jhmdb(methods=["pca"], splits=[1], classes=["clap", "jump"],
    ...                      method_settings={"pca": {"window": 6}},
    ...                      verbose=False)  # doctest: +SKIP
    >>> sorted(res["mean"])  # doctest: +SKIP
    ['pca']
    """
    from tqdm.auto import tqdm

    # one name or split number is a list of one (a string is not its characters)
    methods = [methods] if isinstance(methods, str) else list(methods)
    splits = [splits] if isinstance(splits, Integral) else list(splits)
    if classes is not None:
        classes = [classes] if isinstance(classes, str) else list(classes)
        if len(set(classes)) < 2:
            raise ValueError(
                f"classes must name at least two JHMDB classes to classify, got "
                f"{classes!r}."
            )
    jh = load_jhmdb(data_home, classes=classes)  # names unknown to the data: an error
    X, y = jh.data, jh.target
    splits_m = jh.splits
    names = jh.target_names
    for k in splits:
        if isinstance(k, bool) or k not in (1, 2, 3):
            raise ValueError(f"splits must be among 1, 2, 3; got {k!r}.")
    seeds = _check_seeds(random_state)
    check_bool_param(save_embedders, "save_embedders")
    check_bool_param(verbose, "verbose")
    if save_embedders and output is None:
        raise ValueError("save_embedders=True needs an output folder to write them to.")
    rows = []
    last = None
    jobs = [(m, k, s) for k in splits for m in methods
            for s in ([None] if m in UNSEEDED_METHODS else seeds)]
    base = {"window": window, "n_components": n_components, "augment": augment,
            "normalize": normalize, "jitter": jitter, "mirror": mirror, "scale": scale,
            "shrinkage": shrinkage, "center": center, "aggregate": aggregate, "metric": metric,
            "n_neighbors": n_neighbors, "max_epochs": max_epochs, "contrastive": contrastive}
    overrides, config = _method_configs(methods, base, method_settings)
    if output is not None:  # before any training: a run is not lost for want of a folder
        _prepare_output(output)
    started = datetime.now(timezone.utc)
    t_start = time.perf_counter()
    bar = tqdm(jobs, disable=not verbose, desc="evaluate")
    for method, k, seed in bar:
        bar.set_postfix(method=method, split=k, **({} if seed is None else {"seed": seed}))
        tr, te = splits_m[:, k - 1] == 1, splits_m[:, k - 1] == 2
        c = config[method]
        emb = make_method(method, window=c["window"], n_components=c["n_components"],
                          augment=c["augment"], data_home=data_home,
                          max_epochs=c["max_epochs"], normalize=c["normalize"],
                          jitter=c["jitter"], contrastive=c["contrastive"],
                          random_state=seeds[0] if seed is None else seed)
        t0 = time.perf_counter()
        steps = [PoseNormalizer(mode=c["normalize"]), emb] + _scaler(c["scale"],
                                                                     c["shrinkage"])
        if c["center"]:
            steps.append(SequenceCenterer(fraction=c["center"]))
        feat = make_pipeline(*steps).fit(X[tr])  # no labels
        fit_s = time.perf_counter() - t0
        saved = None
        if save_embedders:  # written before any scoring
            saved = f"embedders/{method}_split{k}" + ("" if seed is None else f"_seed{seed}") \
                + ".npz"
            (Path(output) / "embedders").mkdir(parents=True, exist_ok=True)
            emb.save_params(Path(output) / saved)
        Ztr, Zte = feat.transform(X[tr]), feat.transform(X[te])
        clf = DTWNearestNeighbors(n_neighbors=c["n_neighbors"], aggregate=c["aggregate"],
                                  metric=c["metric"])
        clf.fit(Ztr, y[tr])
        ytr = y[tr]
        if c["mirror"]:  # dictionary rows: the clips, then their mirrors
            Zm = feat.transform(mirror_poses(X[tr]))
            clf.partial_fit(Zm, ytr)
            Ztr, ytr = np.concatenate([Ztr, Zm]), np.concatenate([ytr, ytr])
        pred = clf.predict(Zte)
        scores = clf.class_scores(Zte)
        row = {
            "method": method, "split": k, "seed": seed,
            "accuracy": mean_per_class_accuracy(y[te], pred),
            "macro_ap": macro_average_precision(y[te], scores, labels=clf.classes_),
            "fit_seconds": round(fit_s, 2), "n_train": int(tr.sum()), "n_test": int(te.sum()),
            "epochs": getattr(emb, "n_epochs_", None),
            "best_epoch": getattr(emb, "best_epoch_", None),
            "history": _history(emb),
            "y_true": y[te].tolist(), "y_pred": np.asarray(pred).tolist(),
            "scores": scores.tolist(), "score_labels": clf.classes_.tolist(),
        }
        if save_embedders:
            row["embedder_file"] = saved
        rows.append(row)
        last = (method, Zte, Ztr, clf, y[te], ytr, X[te], X[tr])
        if verbose:
            tag = "" if seed is None or len(seeds) == 1 else f" seed {seed}"
            tqdm.write(f"{method:>16s} split {k}{tag}: accuracy {100 * row['accuracy']:.1f}  "
                       f"macro AP {100 * row['macro_ap']:.1f}  (fit {fit_s:.0f} s)")
    result = {
        "dataset": "JHMDB (804-clip GT subset)" if classes is None else
                   f"JHMDB (804-clip GT subset), classes {list(classes)}",
        "settings": {**_jsonable(base), "random_state": seeds[0] if
                     isinstance(random_state, (int, np.integer)) else seeds},
        "method_settings": {m: _jsonable(o) for m, o in overrides.items()},
        "target_names": [str(n) for n in names],
        "results": rows, "mean": {m: _method_mean(rows, m) for m in methods},
        "environment": _environment(X, started, time.perf_counter() - t_start),
    }
    if output is not None:
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(result, indent=2))
        _figures(out, result, last, names)
    return result


def _environment(X, started, wall_seconds):
    """Versions, machine, start time, wall time and a fingerprint of the data."""
    from .utils._show_versions import _versions

    versions = _versions(import_torch=False)
    data = np.ascontiguousarray(X, dtype=np.float64)
    return {
        "python": versions["System"]["python"],
        "machine": versions["System"]["machine"],
        "cpu": versions["System"]["cpu"],
        "versions": versions["Dependencies"],
        "compute": versions["Compute"],
        "started_utc": started.isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 1),
        "data_sha256": hashlib.sha256(data.tobytes()).hexdigest(),
    }


def _check_seeds(random_state):
    """``random_state`` as a non-empty list of distinct non-negative ints."""
    one = isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool)
    seeds = [random_state] if one else random_state
    try:
        seeds = list(seeds)
    except TypeError:
        raise TypeError("random_state must be an int or a sequence of ints, got "
                        f"{type(random_state).__name__}.") from None
    if not seeds:
        raise ValueError("random_state must name at least one seed, got an empty sequence.")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"random_state must hold ints, got {s!r}.")
        if s < 0:
            raise ValueError(f"random_state seeds must be >= 0, got {s}.")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"random_state repeats a seed: {seeds}.")
    return [int(s) for s in seeds]


def _seed_means(rows, method, key):
    """Three-split mean of ``key`` for each seed of ``method`` (one value if unseeded)."""
    mine = [r for r in rows if r["method"] == method]
    seeds = list(dict.fromkeys(r["seed"] for r in mine))
    return seeds, [float(np.mean([r[key] for r in mine if r["seed"] == s])) for s in seeds]


def _method_mean(rows, method):
    out = {}
    for key in ("accuracy", "macro_ap"):
        seeds, vals = _seed_means(rows, method, key)
        out[key] = float(np.mean(vals))
        out[f"{key}_std"] = float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0
    out["seeds"] = seeds
    return out


def compare_methods(result, method, baseline, *, metric="accuracy", n_resamples=10_000,
                    confidence=0.95, random_state=0):
    """Difference of two methods of one run, with a bootstrap interval.

    The difference is ``method``'s score minus ``baseline``'s, each averaged
    over the run's splits (and over the seeds of a method run with several):
    mean per-class accuracy or macro average precision. The interval comes
    from a paired, class-stratified bootstrap over the test clips: every
    resample draws, within each split and each class, as many test clips as
    the class has, with replacement, and scores both methods (all their
    seeds) on the same draw. It measures how much the difference could move
    with another draw of test clips of the same classes; the spread between
    seeds is reported by :func:`evaluate_jhmdb` separately.

    Parameters
    ----------
    result : dict
        What :func:`evaluate_jhmdb` returned (or its ``results.json``).
    method, baseline : str
        Two methods of the run.
    metric : {"accuracy", "macro_ap"}, default="accuracy"
        Mean per-class accuracy (from the stored predictions) or macro
        average precision (from the stored per-class scores; a drawn clip
        counts as many times as it is drawn, ties between scores handled as
        :func:`sklearn.metrics.average_precision_score` does).
    n_resamples : int, default=10_000
        Bootstrap resamples.
    confidence : float, default=0.95
        Coverage of the percentile interval, in (0, 1).
    random_state : int, default=0
        Seed of the resampling (the same seed draws the same resamples for
        either metric).

    Returns
    -------
    comparison : dict
        ``{"method", "baseline", "metric", "difference", "low", "high",
        "confidence", "n_resamples", "splits", "per_class"}``, differences
        on the 0 to 1 scale (0.04 is 4 points). ``per_class`` maps each
        class (its name from ``result["target_names"]`` when present, else
        its label) to ``{"method": value, "baseline": value}``, the class's
        accuracy or average precision averaged over the splits and seeds:
        where the difference comes from.

    Examples
    --------
    >>> from sklearn_skippose.evaluation import compare_methods
    >>> row = {"split": 1, "seed": None, "accuracy": 0.0, "macro_ap": 0.0}
    >>> result = {"results": [
    ...     {**row, "method": "a", "y_true": [0, 0, 1, 1], "y_pred": [0, 0, 1, 0]},
    ...     {**row, "method": "b", "y_true": [0, 0, 1, 1], "y_pred": [0, 0, 1, 1]}]}
    >>> c = compare_methods(result, "b", "a", n_resamples=200)
    >>> round(c["difference"], 3)
    0.25
    >>> c["low"] <= c["difference"] <= c["high"]
    True
    """
    _check_result(result)
    if metric not in ("accuracy", "macro_ap"):
        raise ValueError(f"metric must be 'accuracy' or 'macro_ap', got {metric!r}.")
    check_int_param(n_resamples, "n_resamples", minimum=1)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)) \
            or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number in (0, 1), got {confidence!r}.")
    rows = result["results"]
    present = list(dict.fromkeys(r["method"] for r in rows))
    for name in (method, baseline):
        if name not in present:
            raise ValueError(f"{name!r} is not a method of this run; it has {present}.")
    if method == baseline:
        raise ValueError(f"method and baseline are both {method!r}; name two methods.")
    mine = [r for r in rows if r["method"] in (method, baseline)]
    if any("y_pred" not in r for r in mine):
        raise ValueError("result has no per-clip predictions (y_true, y_pred); it was written "
                         "before evaluate_jhmdb stored them. Re-run the evaluation.")
    if metric == "macro_ap" and any("scores" not in r for r in mine):
        raise ValueError("result has no per-clip class scores, which metric='macro_ap' needs; "
                         "it was written before evaluate_jhmdb stored them. Re-run the "
                         "evaluation, or compare metric='accuracy'.")
    splits = sorted({r["split"] for r in mine})
    rng = np.random.default_rng(random_state)
    diff_boot = np.zeros(n_resamples)
    diff = 0.0
    per_class = {}  # label -> {name: [value on each split]}
    for k in splits:
        y_true = _split_test_labels(mine, (method, baseline), k)
        classes = np.unique(y_true)
        # row 0: the test set itself; then how often each test clip is drawn, by class
        W = np.ones((1 + n_resamples, y_true.size))
        for c in classes:
            idx = np.flatnonzero(y_true == c)
            W[1:, idx] = rng.multinomial(idx.size, np.full(idx.size, 1 / idx.size),
                                         size=n_resamples)
        for sign, name in ((1, method), (-1, baseline)):
            runs = [r for r in mine if r["method"] == name and r["split"] == k]
            vals = _per_class_scores(runs, y_true, classes, metric, W)
            diff_boot += sign * vals[1:].mean(axis=1) / len(splits)
            diff += sign * float(vals[0].mean()) / len(splits)
            for c, v in zip(classes, vals[0]):
                per_class.setdefault(int(c), {}).setdefault(name, []).append(float(v))
    alpha = (1 - confidence) / 2
    low, high = np.quantile(diff_boot, [alpha, 1 - alpha])
    names = result.get("target_names")
    per_class = {(str(names[c]) if names is not None else str(c)):
                 {"method": float(np.mean(v[method])), "baseline": float(np.mean(v[baseline]))}
                 for c, v in sorted(per_class.items())}
    return {"method": method, "baseline": baseline, "metric": metric, "difference": diff,
            "low": float(low), "high": float(high), "confidence": float(confidence),
            "n_resamples": int(n_resamples), "splits": splits, "per_class": per_class}


def _prepare_output(output):
    """Create the output folder ``output`` (and its parents) if needed, and
    check that files can be written in it; a ValueError says why not."""
    if not isinstance(output, (str, os.PathLike)):
        raise TypeError(f"output must be a folder path (str or os.PathLike), got "
                        f"{type(output).__name__}.")
    out = Path(output)
    if out.exists() and not out.is_dir():
        raise ValueError(f"output must be a folder, but {out} is a file.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"the output folder {out} cannot be created: "
                         f"{exc.strerror or exc}.") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise ValueError(f"the output folder {out} is not writable.")
    return out


def _check_result(result, mean=False):
    """Raise a clear error unless ``result`` has the shape of what
    :func:`evaluate_jhmdb` returns: rows with a method, split, accuracy and
    macro AP each, and (``mean=True``) a summary of every method."""
    if not isinstance(result, dict) or not isinstance(result.get("results"), list):
        raise TypeError("result must be the dict evaluate_jhmdb returns (with a 'results' list).")
    if not result["results"]:
        raise ValueError("result holds no rows: its 'results' list is empty.")
    keys = ("method", "split", "accuracy", "macro_ap")
    for i, row in enumerate(result["results"]):
        if not isinstance(row, dict):
            raise TypeError(f"result['results'][{i}] must be a dict (one method on one split), "
                            f"got {type(row).__name__}.")
        missing = [k for k in keys if k not in row]
        if missing:
            raise ValueError(f"result['results'][{i}] lacks {missing}; the rows of "
                             f"evaluate_jhmdb have {list(keys)} and more.")
    if mean:
        summary = result.get("mean")
        absent = [m for m in dict.fromkeys(r["method"] for r in result["results"])
                  if not isinstance(summary, dict) or not isinstance(summary.get(m), dict)]
        if absent:
            raise ValueError(f"result['mean'] has no summary of {absent}; it must be the "
                             "dict evaluate_jhmdb returns.")


def _split_test_labels(rows, names, split):
    """The test labels of ``split``, checked identical across the rows of both methods."""
    y_true = None
    for name in names:
        runs = [r for r in rows if r["method"] == name and r["split"] == split]
        if not runs:
            raise ValueError(f"{name!r} has no result on split {split}; both methods must "
                             f"cover the same splits.")
        for r in runs:
            yt = np.asarray(r["y_true"])
            if y_true is None:
                y_true = yt
            elif yt.shape != y_true.shape or np.any(yt != y_true):
                raise ValueError(f"split {split}: the rows do not hold the same test clips; "
                                 "only methods of one run can be compared.")
    return y_true


def _per_class_scores(runs, y_true, classes, metric, W):
    """Per-class accuracy or AP of one method on one split, averaged over its seeds
    (rows), under every row of sample weights ``W`` (n_weightings, n_clips):
    (n_weightings, n_classes)."""
    vals = np.zeros((W.shape[0], classes.size))
    for r in runs:
        if metric == "accuracy":
            correct = np.asarray(r["y_pred"]) == y_true
            for j, c in enumerate(classes):
                m = y_true == c
                vals[:, j] += W[:, m] @ correct[m] / W[:, m].sum(axis=1)
        else:
            S = np.asarray(r["scores"], dtype=np.float64)
            col = {int(c): j for j, c in enumerate(r["score_labels"])}
            for j, c in enumerate(classes):
                vals[:, j] += _weighted_average_precision(y_true == c, S[:, col[int(c)]], W)
    return vals / len(runs)


def _weighted_average_precision(positive, score, W):
    """Average precision of ``score`` for the binary ``positive``, once per row of
    sample weights ``W`` (n_weightings, n_samples); ties as in scikit-learn's
    ``average_precision_score`` (precision taken at the end of each tie)."""
    order = np.argsort(-score, kind="stable")
    s, pos, Wo = score[order], positive[order].astype(float), W[:, order]
    tp = np.cumsum(Wo * pos, axis=1)
    seen = np.cumsum(Wo, axis=1)
    end = np.searchsorted(-s, -s, side="right") - 1  # last index of each tie
    tp_end, seen_end = tp[:, end], seen[:, end]
    prec = np.divide(tp_end, seen_end, out=np.zeros_like(tp_end), where=seen_end > 0)
    return (Wo * pos * prec).sum(axis=1) / tp[:, -1]


#: Settings of :func:`evaluate_jhmdb` that ``method_settings`` may override per method.
METHOD_SETTINGS = ("window", "n_components", "augment", "normalize", "jitter", "mirror",
                   "scale", "shrinkage", "center", "aggregate", "metric", "n_neighbors", "max_epochs",
                   "contrastive")


def _check_method_settings(method_settings, methods):
    """Validated copy of the per-method overrides (unknown methods/names raise)."""
    if method_settings is None:
        return {}
    if not isinstance(method_settings, dict):
        raise TypeError("method_settings must be a dict {method: {setting: value}}, got "
                        f"{type(method_settings).__name__}.")
    out = {}
    for m, over in method_settings.items():
        if m not in methods:
            raise ValueError(f"method_settings names {m!r}, which is not among the methods "
                             f"being run {list(methods)}.")
        if not isinstance(over, dict):
            raise TypeError(f"method_settings[{m!r}] must be a dict, got {type(over).__name__}.")
        bad = sorted(set(over) - set(METHOD_SETTINGS))
        if bad:
            raise ValueError(f"method_settings[{m!r}] has unknown setting(s) {bad}; "
                             f"expected names among {METHOD_SETTINGS}.")
        out[m] = dict(over)
    return out


def _method_configs(methods, base, method_settings):
    """The checked overrides and every method's settings (``base`` with its
    overrides), validated before any work."""
    overrides = _check_method_settings(method_settings, methods)
    config = {m: {**base, **overrides.get(m, {})} for m in methods}
    for m in methods:  # the global contrastive weight concerns the trained Skip-Pose methods
        if m in _NO_CONTRASTIVE and "contrastive" not in overrides.get(m, {}):
            config[m]["contrastive"] = 0.0
    for cfg in [base, *config.values()]:
        _check_settings(cfg)
    for m in methods:  # names, and a contrastive weight on PCA/AE, before any work
        make_method(m, contrastive=config[m]["contrastive"])
    return overrides, config


def _check_settings(c):
    _scaler(c["scale"])
    SequenceWhitener(shrinkage=c["shrinkage"])._check_shrinkage()
    SequenceCenterer(fraction=c["center"])._check_params()
    for name in ("jitter", "mirror"):
        check_bool_param(c[name], name)
    if c["normalize"] not in _NORMALIZE_MODES:
        raise ValueError(f"normalize must be one of {_NORMALIZE_MODES}, got {c['normalize']!r}.")
    for name in ("window", "n_components", "augment", "max_epochs"):
        check_int_param(c[name], name, minimum=0 if name == "augment" else 1)
    SkipPoseEmbedder(contrastive=c["contrastive"])._check_train_params()
    # the classifier's own checks (n_neighbors, aggregate, metric), before any training
    DTWNearestNeighbors(n_neighbors=c["n_neighbors"], aggregate=c["aggregate"],
                        metric=c["metric"])._check_params()


def _history(emb):
    """The neural embedder's per-epoch losses (``history_``) as JSON-ready rows; None for PCA."""
    if not hasattr(emb, "history_"):
        return None
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v)
             for k, v in _jsonable(h).items()} for h in emb.history_]


def _jsonable(settings):
    return {k: (bool(v) if isinstance(v, (bool, np.bool_)) else
                int(v) if isinstance(v, np.integer) else
                float(v) if isinstance(v, np.floating) else v) for k, v in settings.items()}


def _label(result, method):
    over = result.get("method_settings", {}).get(method, {})
    return method + "".join(f" {k}={v}" for k, v in over.items())


def _split_mean(rows, method, split, key):
    """``key`` of ``method`` on ``split``, averaged over its seeds."""
    return float(np.mean([r[key] for r in rows if r["method"] == method and r["split"] == split]))


def format_table(result):
    """The results as a text table: method x split, accuracy / macro AP (%).

    With several seeds a cell is the mean over the seeds, and the last
    column adds the standard deviation of the three-split mean accuracy
    across the seeds and how many seeds the method ran.

    Parameters
    ----------
    result : dict
        What :func:`evaluate_jhmdb` returns (or ``results.json`` read back).

    Returns
    -------
    table : str
        One line per method, without a trailing newline.

    Examples
    --------
    >>> from sklearn_skippose.evaluation import format_table
    >>> result = {"results": [{"method": "pca", "split": 1, "seed": None,
    ...                        "accuracy": 0.643, "macro_ap": 0.629}],
    ...           "mean": {"pca": {"accuracy": 0.643, "macro_ap": 0.629, "seeds": [None]}}}
    >>> print(format_table(result))
    method            split 1 acc/AP   mean acc/AP
    ----------------------------------------------
    pca                 64.3 / 62.9    64.3 / 62.9
    """
    _check_result(result, mean=True)
    rows = result["results"]
    splits = sorted({r["split"] for r in rows})
    methods = list(dict.fromkeys(r["method"] for r in rows))
    width = max([16] + [len(_label(result, m)) for m in methods])
    multi = any(len(result["mean"][m].get("seeds", [None])) > 1 for m in methods)
    head = f"{'method':<{width}s}" + "".join(f"  split {k} acc/AP" for k in splits) \
        + "   mean acc/AP" + ("   sd acc (seeds)" if multi else "")
    lines = [head, "-" * len(head)]
    for m in methods:
        cells = [f"  {100 * _split_mean(rows, m, k, 'accuracy'):6.1f} /"
                 f"{100 * _split_mean(rows, m, k, 'macro_ap'):5.1f}" for k in splits]
        mean = result["mean"][m]
        line = (f"{_label(result, m):<{width}s}" + "".join(cells)
                + f"  {100 * mean['accuracy']:6.1f} /{100 * mean['macro_ap']:5.1f}")
        if multi:
            seeds = mean.get("seeds", [None])
            line += (f"   {100 * mean['accuracy_std']:5.1f} ({len(seeds)})" if seeds != [None]
                     else "     unseeded")
        lines.append(line)
    return "\n".join(lines)


def _figures(out, result, last, names):
    # matplotlib's object API: no pyplot, so the caller's backend and open
    # figures (a notebook's inline plots) are left alone
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return
    from .plotting import plot_similarity_map

    rows = result["results"]
    methods = list(dict.fromkeys(r["method"] for r in rows))
    splits = sorted({r["split"] for r in rows})
    fig = Figure(figsize=(1.5 + 1.2 * len(methods), 3.5))
    ax = fig.subplots()
    width = 0.8 / len(splits)
    for j, k in enumerate(splits):
        vals = [100 * _split_mean(rows, m, k, "accuracy") for m in methods]
        ax.bar(np.arange(len(methods)) + j * width, vals, width, label=f"split {k}")
    ax.set_xticks(np.arange(len(methods)) + 0.4 - width / 2, methods, rotation=20)
    ax.set_ylabel("mean per-class accuracy (%)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "results.png", dpi=120)
    if last is None:
        return
    method, Zte, Ztr, clf, yte, ytr, Pte, Ptr = last
    _, idx = clf.kneighbors(Zte[:1], n_neighbors=1)
    j = int(idx[0, 0])
    # dictionary rows past the training clips are their mirrors (mirror=True)
    ref_poses = Ptr[j] if j < len(Ptr) else mirror_poses(Ptr[j - len(Ptr)][None])[0]
    fig = Figure(figsize=(6, 5.5))
    res = plot_similarity_map(Zte[0], Ztr[j], ax=fig.subplots(),
                              query_poses=Pte[0], reference_poses=ref_poses,
                              aggregate=clf.aggregate, metric=clf.metric,
                              labels=(f"query window ({names[yte[0]]})",
                                      f"nearest dictionary clip's window ({names[ytr[j]]}"
                                      + (", mirrored)" if j >= len(Ptr) else ")")))
    res.ax.set_title(f"{method}: DTW score {float(res.alignment.score):.3f}", fontsize=8)
    fig.savefig(out / "similarity_map.png", dpi=120)
