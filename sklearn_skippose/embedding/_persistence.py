"""A fitted embedder as a file without pickle (skorch's save_params).

The file is a ``.npz`` archive read with ``allow_pickle=False``: what the
embedder learnt as plain arrays (``state.<name>``: a network's weights, or
PCA's mean, components and variances) and one JSON document (``meta``)
with what the embedding is made of, the feature count, the training
history and the constructor parameters that are plain values. Loading it
runs no code from the file, does not depend on the versions of
scikit-learn or torch that wrote it, and never calls ``torch.load``.
"""

import json
import os
import zipfile
from numbers import Integral, Real

import numpy as np

__all__ = ["load_embedder", "read_params_file", "write_params_file"]

FORMAT = "sklearn_skippose.embedder"
FORMAT_VERSION = 1
_STATE = "state."
# never restored by load_embedder: where a network runs is the loading machine's choice
_MACHINE_PARAMS = ("device",)


def _plain(value):
    """``value`` as a JSON value, or ``_NOT_PLAIN`` (objects, generators)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real) and np.isfinite(value):
        return float(value)
    return _NOT_PLAIN


_NOT_PLAIN = object()


def _optimizer_name(cls):
    """The ``torch.optim`` name of an optimizer class, or the class itself
    (not saved) when it is not one of ``torch.optim``'s."""
    from ._torch_base import _optimizer_classes  # _torch_base imports this module

    name = cls.__name__.lower()
    return name if _optimizer_classes().get(name) is cls else cls


def _check_file(file, method):
    """A path or a binary file object with ``method`` ("read" or "write");
    anything else (an integer, which ``open`` would take for a file
    descriptor, None, ...) is refused."""
    if isinstance(file, (str, bytes, os.PathLike)) or hasattr(file, method):
        return
    raise TypeError(f"file must be a path (str or os.PathLike) or a binary file object with "
                    f"a {method} method, got {type(file).__name__}.")


def write_params_file(estimator, file):
    """Write a fitted embedder's learnt arrays and settings to ``file``
    (the arrays and the estimator's own entries of ``meta`` come from its
    ``_saved_state``)."""
    import sklearn_skippose

    _check_file(file, "write")

    params, not_saved = {}, []
    for name, value in estimator.get_params(deep=False).items():
        if name == "optimizer" and isinstance(value, type):
            value = _optimizer_name(value)  # torch.optim's own, by name
        plain = _plain(value)
        if plain is _NOT_PLAIN:
            not_saved.append(name)
        elif name not in _MACHINE_PARAMS:
            params[name] = plain
    state, own_meta = estimator._saved_state()
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "estimator": type(estimator).__name__,
        "sklearn_skippose_version": sklearn_skippose.__version__,
        "architecture": {k: _plain(v) for k, v in estimator._arch_fitted.items()},
        "n_features_in": int(estimator.n_features_in_),
        "n_components": int(estimator.n_components_),
        **own_meta,
        "params": params,
        "not_saved": not_saved,
    }
    arrays = {_STATE + k: v for k, v in state.items()}
    arrays["meta"] = np.array(json.dumps(meta))
    if hasattr(file, "write"):
        np.savez(file, **arrays)
    else:  # opened here, so that numpy does not append ".npz" to the name
        with open(file, "wb") as fh:
            np.savez(fh, **arrays)


def check_saved_arrays(weights, shapes, kinds, name, arrays, owner, finite=False):
    """Raise unless ``weights`` holds exactly the arrays named in ``shapes``
    (``{key: shape}``), each of that shape, of a dtype kind in ``kinds`` and,
    with ``finite``, without NaN or infinity; the message says which ones
    are missing, unexpected or wrong (``arrays`` and ``owner`` word it)."""
    def wrong_one(key):
        a = weights[key]
        return (tuple(a.shape) != tuple(shapes[key]) or a.dtype.kind not in kinds
                or (finite and not np.isfinite(a).all()))

    missing = sorted(set(shapes) - set(weights))
    unexpected = sorted(set(weights) - set(shapes))
    wrong = sorted(key for key in set(shapes) & set(weights) if wrong_one(key))
    if missing or unexpected or wrong:
        other = "of other shapes or types" + (", or not finite" if finite else "")
        parts = [f"{label} {', '.join(keys)}" for label, keys in
                 (("missing", missing), ("unexpected", unexpected), (other, wrong)) if keys]
        raise ValueError(f"The {arrays} in {name!s} do not fit the {owner} they describe: "
                         f"{'; '.join(parts)}.")


def _malformed(file, why):
    name = getattr(file, "name", file)
    return ValueError(
        f"{name!s} is not an embedder file written by save_params: {why}.")


def read_params_file(file):
    """The ``(meta, weights)`` of a file written by ``save_params``.

    Raises a ValueError naming the file for anything that is not such a file
    (another archive, a pickle, a truncated or newer file).
    """
    _check_file(file, "read")
    try:
        archive = np.load(file, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # the file system's errors (no such file, a folder, no permission)
        raise _malformed(file, "not a .npz archive") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise _malformed(file, "a bare .npy array, not a .npz archive")
    with archive:
        if "meta" not in archive.files:
            raise _malformed(file, "it has no 'meta' entry")
        try:
            raw = archive["meta"]
            meta = json.loads(str(raw[()]))
        except (ValueError, TypeError, zipfile.BadZipFile):
            raise _malformed(file, "its 'meta' entry is not the expected JSON") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise _malformed(file, f"its 'meta' entry does not declare format {FORMAT!r}")
        version = meta.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ValueError(
                f"{getattr(file, 'name', file)!s} has embedder file format version "
                f"{version!r}; this version of sklearn_skippose reads up to "
                f"{FORMAT_VERSION}. Upgrade sklearn_skippose to load it.")
        required = ("estimator", "architecture", "n_features", "n_features_in",
                    "n_components", "n_epochs", "best_epoch", "history", "params")
        missing = [k for k in required if k not in meta]
        if missing:
            raise _malformed(file, f"its 'meta' entry lacks {', '.join(missing)}")
        for key, low in (("n_features", 1), ("n_features_in", 1), ("n_components", 1),
                         ("n_epochs", 0), ("best_epoch", 0)):
            v = meta[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise _malformed(file, f"its {key} is {v!r}, not an integer >= {low}")
        if not (isinstance(meta["history"], list)
                and all(isinstance(h, dict) for h in meta["history"])):
            raise _malformed(file, "its history is not a list of per-epoch records")
        try:
            weights = {k[len(_STATE):]: archive[k] for k in archive.files
                       if k.startswith(_STATE)}
        except (ValueError, zipfile.BadZipFile, EOFError):
            raise _malformed(file, "its weights cannot be read (a truncated file?)") from None
    return meta, weights


def load_embedder(file, **params):
    """Load an embedder saved with ``save_params``, settings included.

    The estimator class, the settings the embedding is made of (``window``,
    ``n_components``, ...) and the other constructor parameters with plain
    values come from the file, so nothing has to be known in advance.
    :class:`~sklearn_skippose.SkipPoseEmbedder`,
    :class:`~sklearn_skippose.AutoencoderEmbedder` and
    :class:`~sklearn_skippose.PCAEmbedder` files are read, and nothing in
    the file is executed (no pickle).

    Parameters
    ----------
    file : str, path-like or file-like object
        A file written by ``save_params``.
    **params
        Constructor parameters to set instead of the file's: ``device``
        (where to embed; ``"cpu"`` unless given here, whatever device the
        network was trained on), or the parameters the file does not hold
        because they are objects (``augmentation``, ``jitter``,
        ``contrastive_view``, ``callbacks``, an ``optimizer`` class that is
        not one of ``torch.optim``'s, whose ``optimizer__*`` arguments are
        then not restored either), for training it further with
        ``warm_start=True``.

    Returns
    -------
    embedder : SkipPoseEmbedder, AutoencoderEmbedder or PCAEmbedder
        A fitted embedder whose ``transform`` gives what the saved one gave.

    Raises
    ------
    ValueError
        If ``file`` is not a file written by ``save_params``, holds another
        estimator, or ``params`` change what the network is made of.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from sklearn_skippose import SkipPoseEmbedder
    >>> from sklearn_skippose.embedding import load_embedder
    >>> X = np.random.default_rng(0).normal(size=(6, 20, 4))
    >>> emb = SkipPoseEmbedder(window=2, n_components=8, max_epochs=2, random_state=0).fit(X)
    >>> f = io.BytesIO()
    >>> emb.save_params(f)
    >>> _ = f.seek(0)
    >>> back = load_embedder(f)
    >>> back
    SkipPoseEmbedder(max_epochs=2, n_components=8, random_state=0, window=2)
    >>> np.array_equal(back.transform(X), emb.transform(X), equal_nan=True)
    True
    """
    from ._pca import PCAEmbedder
    from ._skippose import AutoencoderEmbedder, SkipPoseEmbedder
    from ._torch_base import OPTIMIZER_PREFIX

    classes = {cls.__name__: cls for cls in (SkipPoseEmbedder, AutoencoderEmbedder,
                                             PCAEmbedder)}
    meta, weights = read_params_file(file)
    cls = classes.get(meta["estimator"])
    if cls is None:
        raise ValueError(
            f"{getattr(file, 'name', file)!s} holds a {meta['estimator']!r}; load_embedder "
            f"reads {' and '.join(sorted(classes))} files.")
    saved = meta["params"]
    if not isinstance(saved, dict):
        raise _malformed(file, "its parameters are not a mapping")
    known = cls().get_params(deep=False)
    # the optimizer's routed arguments are parameters too, unless the optimizer
    # itself was not saved (a class of the user's own; PCA has none)
    routed = "optimizer" in saved
    kwargs = {k: v for k, v in saved.items()
              if k in known or (routed and k.startswith(OPTIMIZER_PREFIX))}
    kwargs.update(params)
    return cls(**kwargs)._load(meta, weights, file)
