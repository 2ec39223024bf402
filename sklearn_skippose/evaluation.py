"""The paper's JHMDB evaluation as one function (and the ``evaluate`` command).

For every official split and every method: the embedder is trained on the
split's training clips **without labels**, the training clips are embedded
and registered as the dictionary of a DTW nearest-neighbour classifier, and
the test clips are classified. Reported per split: mean per-class accuracy
(JHMDB's measure) and macro average precision of the per-class DTW scores.
"""

import json
import time
from pathlib import Path

import numpy as np
from sklearn.pipeline import make_pipeline

from .augmentation import MocapProjection, PoseJitter, mirror_poses
from .datasets import load_jhmdb
from .embedding import AutoencoderEmbedder, PCAEmbedder, SkipPoseEmbedder
from .metrics import macro_average_precision, mean_per_class_accuracy
from .neighbors import DTWNearestNeighbors
from .preprocessing import _MODES as _NORMALIZE_MODES
from .preprocessing import PoseNormalizer, SequenceStandardScaler, SequenceWhitener
from .utils._sequences import check_int_param

__all__ = ["METHODS", "METHOD_SETTINGS", "make_method", "evaluate_jhmdb", "format_table"]

#: Method names understood by :func:`make_method` (the rows of Table 1).
METHODS = ("pca", "ae", "skippose-nopast", "skippose", "skippose-aug")


def make_method(name, *, window=4, n_components=64, augment=100_000, data_home=None,
                max_epochs=100, normalize="first_pose", jitter=True, contrastive=0.0,
                random_state=0):
    """The embedder of one Table-1 method.

    Parameters
    ----------
    name : {"pca", "ae", "skippose-nopast", "skippose", "skippose-aug"}
        PCA baseline, autoencoder baseline, Skip-Pose without the past
        decoder, Skip-Pose, Skip-Pose trained with ``augment`` Human3.6M
        projections per epoch (and, with ``jitter=True``, every training
        triplet randomly mirrored, scaled and rotated by
        :class:`~sklearn_skippose.PoseJitter`).
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
        Seed.

    Returns
    -------
    embedder : estimator
        An unfitted embedder.
    """
    common = dict(window=window, n_components=n_components)
    nn = dict(max_epochs=max_epochs, random_state=random_state)
    sp = dict(contrastive=contrastive)
    if contrastive and name in ("pca", "ae"):
        raise ValueError(f"contrastive applies to the Skip-Pose methods only; {name!r} has no "
                         f"contrastive term (got contrastive={contrastive!r}).")
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
    raise ValueError(f"Unknown method {name!r}; expected one of {METHODS}.")


SCALINGS = ("whiten", "standard", "none")


def _scaler(scale):
    """The steps between embedder and classifier for ``scale``."""
    if scale is True:
        scale = "standard"
    if scale is False or scale is None:
        scale = "none"
    if scale not in SCALINGS:
        raise ValueError(f"scale must be one of {SCALINGS} (or a bool), got {scale!r}.")
    return {"whiten": [SequenceWhitener()], "standard": [SequenceStandardScaler()],
            "none": []}[scale]


def evaluate_jhmdb(data_home=None, *, methods=("pca", "skippose"), splits=(1, 2, 3),
                   window=4, n_components=64, augment=100_000,
                   normalize="first_pose_isotropic", jitter=True, mirror=True,
                   scale="whiten", aggregate="mean", metric="cosine", n_neighbors=1, max_epochs=100,
                   contrastive=0.0, method_settings=None, classes=None, random_state=0, output=None,
                   verbose=True):
    """Run the JHMDB evaluation and return (and optionally write) the results.

    Parameters
    ----------
    data_home : str, default=None
        Folder with ``jhmdb/`` (and ``h36m/`` for augmentation).
    methods : sequence of str, default=("pca", "skippose")
        Names from :data:`METHODS`.
    splits : sequence of int, default=(1, 2, 3)
        Official splits to run.
    window, n_components, augment, max_epochs, jitter, random_state
        See :func:`make_method`.
    contrastive : float, default=0.0
        View-invariance weight of the Skip-Pose methods (see
        :func:`make_method`); PCA and the autoencoder ignore the global
        value, and ``method_settings`` sets it per method.
    normalize : {"first_pose", "first_pose_isotropic", "sequence_bbox"}, \
            default="first_pose_isotropic"
        :class:`~sklearn_skippose.PoseNormalizer` mode (for the real clips
        and the Human3.6M projections alike). The paper's ``"first_pose"``
        maps x and y of the first pose to [-1, 1] separately, which distorts
        the body's aspect ratio; one scale for both axes won the
        video-disjoint cross-validation on the training clips of every
        split, for PCA and Skip-Pose (results page).
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
    aggregate : {"sum", "mean", "cost"}, default="mean"
        DTW score.
    metric : {"cosine", "euclidean"}, default="cosine"
        Local similarity. The defaults (``scale="whiten"``, ``"mean"``,
        ``"cosine"``) won the cross-validation on the training clips of split
        1 (``benchmarks/select_settings.py``) for PCA and Skip-Pose.
    n_neighbors : int, default=1
        Neighbours that vote.
    method_settings : dict, default=None
        Per-method overrides of the settings above, ``{method: {name:
        value}}`` with names among :data:`METHOD_SETTINGS` (``window``,
        ``scale``, ``n_neighbors``, ...), so that every method runs with
        the settings chosen for it (e.g. by ``benchmarks/select_settings.py``
        on the training clips) in one run.
    classes : sequence of str, default=None
        Restrict to these action classes (for quick runs and tests).
    output : str or path-like, default=None
        Folder for ``results.json`` and figures (``results.png``,
        ``similarity_map.png`` when matplotlib is installed).
    verbose : bool, default=True
        Progress bar and one line per result.

    Returns
    -------
    results : dict
        ``{"dataset", "settings", "method_settings", "results": [{"method",
        "split", "accuracy", "macro_ap", "fit_seconds", ...}], "mean":
        {method: {...}}}``; ``method_settings`` holds the overrides only.

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

    jh = load_jhmdb(data_home)
    X, y = jh.data, jh.target
    splits_m = jh.splits
    names = jh.target_names
    if classes is not None:
        keep = np.isin(names[y], list(classes))
        if not keep.any():
            raise ValueError(f"None of classes={list(classes)!r} is a JHMDB class.")
        X, y, splits_m = X[keep], y[keep], splits_m[keep]
    for k in splits:
        if k not in (1, 2, 3):
            raise ValueError(f"splits must be among 1, 2, 3; got {k!r}.")
    rows = []
    last = None
    jobs = [(m, k) for k in splits for m in methods]
    base = {"window": window, "n_components": n_components, "augment": augment,
            "normalize": normalize, "jitter": jitter, "mirror": mirror, "scale": scale,
            "aggregate": aggregate, "metric": metric, "n_neighbors": n_neighbors,
            "max_epochs": max_epochs, "contrastive": contrastive}
    overrides = _check_method_settings(method_settings, methods)
    config = {m: {**base, **overrides.get(m, {})} for m in methods}
    for m in methods:  # the global contrastive weight concerns the Skip-Pose methods
        if m in ("pca", "ae") and "contrastive" not in overrides.get(m, {}):
            config[m]["contrastive"] = 0.0
    for cfg in [base, *config.values()]:
        _check_settings(cfg)
    for m in methods:  # names, and a contrastive weight on PCA/AE, before any work
        make_method(m, contrastive=config[m]["contrastive"])
    bar = tqdm(jobs, disable=not verbose, desc="evaluate")
    for method, k in bar:
        bar.set_postfix(method=method, split=k)
        tr, te = splits_m[:, k - 1] == 1, splits_m[:, k - 1] == 2
        c = config[method]
        emb = make_method(method, window=c["window"], n_components=c["n_components"],
                          augment=c["augment"], data_home=data_home,
                          max_epochs=c["max_epochs"], normalize=c["normalize"],
                          jitter=c["jitter"], contrastive=c["contrastive"],
                          random_state=random_state)
        t0 = time.perf_counter()
        steps = [PoseNormalizer(mode=c["normalize"]), emb] + _scaler(c["scale"])
        feat = make_pipeline(*steps).fit(X[tr])  # no labels
        fit_s = time.perf_counter() - t0
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
            "method": method, "split": k,
            "accuracy": mean_per_class_accuracy(y[te], pred),
            "macro_ap": macro_average_precision(y[te], scores, labels=clf.classes_),
            "fit_seconds": round(fit_s, 2), "n_train": int(tr.sum()), "n_test": int(te.sum()),
            "epochs": getattr(emb, "n_epochs_", None),
        }
        rows.append(row)
        last = (method, Zte, Ztr, clf, y[te], ytr)
        if verbose:
            tqdm.write(f"{method:>16s} split {k}: accuracy {100 * row['accuracy']:.1f}  "
                       f"macro AP {100 * row['macro_ap']:.1f}  (fit {fit_s:.0f} s)")
    means = {
        m: {
            "accuracy": float(np.mean([r["accuracy"] for r in rows if r["method"] == m])),
            "macro_ap": float(np.mean([r["macro_ap"] for r in rows if r["method"] == m])),
        }
        for m in methods
    }
    result = {
        "dataset": "JHMDB (804-clip GT subset)" if classes is None else
                   f"JHMDB (804-clip GT subset), classes {list(classes)}",
        "settings": {**_jsonable(base), "random_state": random_state},
        "method_settings": {m: _jsonable(o) for m, o in overrides.items()},
        "results": rows, "mean": means,
    }
    if output is not None:
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(result, indent=2))
        _figures(out, result, last, names)
    return result


#: Settings of :func:`evaluate_jhmdb` that ``method_settings`` may override per method.
METHOD_SETTINGS = ("window", "n_components", "augment", "normalize", "jitter", "mirror",
                   "scale", "aggregate", "metric", "n_neighbors", "max_epochs", "contrastive")


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


def _check_settings(c):
    _scaler(c["scale"])
    for name in ("jitter", "mirror"):
        if not isinstance(c[name], (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {c[name]!r}.")
    if c["normalize"] not in _NORMALIZE_MODES:
        raise ValueError(f"normalize must be one of {_NORMALIZE_MODES}, got {c['normalize']!r}.")
    for name in ("window", "n_components", "augment", "max_epochs"):
        check_int_param(c[name], name, minimum=0 if name == "augment" else 1)
    SkipPoseEmbedder(contrastive=c["contrastive"])._check_train_params()
    # the classifier's own checks (n_neighbors, aggregate, metric), before any training
    DTWNearestNeighbors(n_neighbors=c["n_neighbors"], aggregate=c["aggregate"],
                        metric=c["metric"])._check_params()


def _jsonable(settings):
    return {k: (bool(v) if isinstance(v, (bool, np.bool_)) else
                int(v) if isinstance(v, np.integer) else v) for k, v in settings.items()}


def _label(result, method):
    over = result.get("method_settings", {}).get(method, {})
    return method + "".join(f" {k}={v}" for k, v in over.items())


def format_table(result):
    """The results as a text table: method x split, accuracy / macro AP (%)."""
    rows = result["results"]
    splits = sorted({r["split"] for r in rows})
    methods = list(dict.fromkeys(r["method"] for r in rows))
    width = max([16] + [len(_label(result, m)) for m in methods])
    head = f"{'method':<{width}s}" + "".join(f"  split {k} acc/AP" for k in splits) \
        + "   mean acc/AP"
    lines = [head, "-" * len(head)]
    for m in methods:
        cells = []
        for k in splits:
            r = next(r for r in rows if r["method"] == m and r["split"] == k)
            cells.append(f"  {100 * r['accuracy']:6.1f} /{100 * r['macro_ap']:5.1f}")
        mean = result["mean"][m]
        lines.append(f"{_label(result, m):<{width}s}" + "".join(cells)
                     + f"  {100 * mean['accuracy']:6.1f} /{100 * mean['macro_ap']:5.1f}")
    return "\n".join(lines)


def _figures(out, result, last, names):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    from .metrics import dtw_alignment
    from .utils import sequence_lengths

    rows = result["results"]
    methods = list(dict.fromkeys(r["method"] for r in rows))
    splits = sorted({r["split"] for r in rows})
    fig, ax = plt.subplots(figsize=(1.5 + 1.2 * len(methods), 3.5))
    width = 0.8 / len(splits)
    for j, k in enumerate(splits):
        vals = [100 * next(r["accuracy"] for r in rows if r["method"] == m and r["split"] == k)
                for m in methods]
        ax.bar(np.arange(len(methods)) + j * width, vals, width, label=f"split {k}")
    ax.set_xticks(np.arange(len(methods)) + 0.4 - width / 2, methods, rotation=20)
    ax.set_ylabel("mean per-class accuracy (%)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "results.png", dpi=120)
    plt.close(fig)
    if last is None:
        return
    method, Zte, Ztr, clf, yte, ytr = last
    _, idx = clf.kneighbors(Zte[:1], n_neighbors=1)
    q, d = Zte[0], Ztr[idx[0, 0]]
    lq, ld = sequence_lengths(Zte[:1])[0], sequence_lengths(Ztr[idx[0]])[0]
    r = dtw_alignment(q[:lq], d[:ld], aggregate=clf.aggregate, metric=clf.metric)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.imshow(r.similarity, cmap="gray")
    ax.plot(r.path[:, 1], r.path[:, 0], color="red", lw=1.5)
    ax.set_title(f"{method}: query {names[yte[0]]} vs nearest {names[ytr[idx[0, 0]]]}",
                 fontsize=8)
    ax.set_xlabel("dictionary window")
    ax.set_ylabel("query window")
    fig.tight_layout()
    fig.savefig(out / "similarity_map.png", dpi=120)
    plt.close(fig)
