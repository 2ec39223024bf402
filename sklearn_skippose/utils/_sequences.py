"""The pose-sequence data model and its validation.

A *sequence dataset* is a float array of shape
``(n_sequences, max_frames, n_features)``, NaN-padded at the end
(tslearn's :func:`tslearn.utils.to_time_series_dataset` convention).

* A trailing frame whose values are all NaN is **padding**; the length of a
  sequence is the index of its last frame holding a finite value, plus one.
* For pose data ``n_features = 2 * n_joints`` laid out ``x0, y0, x1, y1, ...``;
  a NaN ``(x, y)`` pair inside a real frame is a **missing keypoint** (the
  paper's binary mask is ``0`` there). An all-NaN frame *between* real frames
  is a real frame whose keypoints are all missing.
* Ragged inputs (lists of ``(T_i, n_features)`` or ``(T_i, n_joints, 2)``
  arrays) and 4D arrays ``(n_sequences, max_frames, n_joints, 2)`` are
  converted once to the 3D layout.
* A 2D array is read the scikit-learn way, ``(n_samples, n_features)``:
  every row is a sequence of one frame. This is what lets the estimators run
  in plain tabular pipelines and scikit-learn's own conformance checks.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import check_consistent_length, column_or_1d, validate_data

__all__ = [
    "to_sequence_dataset",
    "sequence_lengths",
    "check_sequence_dataset",
    "keypoint_mask",
    "keypoints_to_dataset",
]


def _as_float_array(a, dtype, where):
    if isinstance(a, (str, bytes, dict)) or a is None:
        raise TypeError(
            f"{where} must be an array-like of numbers, got {type(a).__name__}."
        )
    try:
        arr = np.asarray(a)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(
            f"{where} could not be read as an array ({exc}). Pass a list of "
            "per-sequence arrays for sequences of different lengths."
        ) from None
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
    ):
        raise TypeError(
            f"{where} must hold numbers, got an array of dtype {arr.dtype}."
        )
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {where} must hold real numbers.")
    return arr.astype(dtype, copy=False)


def _frames_2d(seq, i):
    """One sequence as a (T, n_features) array."""
    if seq.ndim == 3:
        if seq.shape[2] != 2:
            hint = (
                " For pose-estimator keypoints with a confidence channel "
                "(n_frames, n_joints, 3), use "
                "sklearn_skippose.utils.keypoints_to_dataset."
                if seq.shape[2] == 3 else ""
            )
            raise ValueError(
                f"Sequence {i} has shape {seq.shape}; a 3D sequence must be "
                f"(n_frames, n_joints, 2).{hint}"
            )
        return seq.reshape(seq.shape[0], -1)
    if seq.ndim == 2:
        return seq
    raise ValueError(
        f"Sequence {i} has {seq.ndim} dimensions; expected (n_frames, "
        "n_features) or (n_frames, n_joints, 2)."
    )


def sequence_lengths(X):
    """Number of real (non-padding) frames of every sequence.

    Parameters
    ----------
    X : ndarray of shape (n_sequences, max_frames, n_features)
        NaN-padded sequence dataset.

    Returns
    -------
    lengths : ndarray of shape (n_sequences,), dtype int64
        Index of the last frame holding at least one finite value, plus one
        (0 for a sequence with no real frame).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.full((2, 3, 2), np.nan)
    >>> X[0, :2] = 1.0
    >>> X[1, :] = 0.0
    >>> sequence_lengths(X)
    array([2, 3])
    """
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(f"Expected a 3D sequence dataset, got shape {X.shape}.")
    if X.shape[1] == 0:
        return np.zeros(X.shape[0], dtype=np.int64)
    real = ~np.all(np.isnan(X), axis=2)
    # index of last real frame + 1; argmax on reversed rows
    any_real = real.any(axis=1)
    last = X.shape[1] - np.argmax(real[:, ::-1], axis=1)
    return np.where(any_real, last, 0).astype(np.int64)


def to_sequence_dataset(X, *, dtype=np.float64):
    """Convert any accepted input to a NaN-padded 3D sequence dataset.

    Parameters
    ----------
    X : array-like
        One of: a 3D array ``(n_sequences, max_frames, n_features)``; a 4D
        array ``(n_sequences, max_frames, n_joints, 2)``; a 2D array
        ``(n_samples, n_features)`` (one frame per sequence); a list of
        ``(T_i, n_features)`` or ``(T_i, n_joints, 2)`` arrays of any lengths.
    dtype : numpy dtype, default=np.float64
        Floating dtype of the result.

    Returns
    -------
    X3d : ndarray of shape (n_sequences, max_frames, n_features)
        NaN-padded dataset (a new array unless ``X`` already had this form).

    Examples
    --------
    >>> import numpy as np
    >>> X = to_sequence_dataset([np.zeros((2, 4)), np.ones((3, 2, 2))])
    >>> X.shape
    (2, 3, 4)
    >>> bool(np.isnan(X[0, 2]).all())
    True
    """
    if isinstance(X, (list, tuple)):
        if len(X) == 0:
            raise ValueError("Empty dataset: got a list of 0 sequences.")
        try:  # a regular nested list reads like the array it spells
            regular = np.asarray(X)
        except ValueError:
            regular = None
        if regular is not None and regular.dtype != object:
            return to_sequence_dataset(regular, dtype=dtype)
        seqs = [
            _frames_2d(_as_float_array(s, dtype, f"Sequence {i}"), i)
            for i, s in enumerate(X)
        ]
        n_feat = {s.shape[1] for s in seqs}
        if len(n_feat) != 1:
            raise ValueError(
                "All sequences must have the same number of features per "
                f"frame; got {sorted(n_feat)}."
            )
        max_len = max(s.shape[0] for s in seqs)
        out = np.full((len(seqs), max_len, n_feat.pop()), np.nan, dtype=dtype)
        for i, s in enumerate(seqs):
            out[i, : s.shape[0]] = s
        return out
    arr = _as_float_array(X, dtype, "X")
    if arr.ndim == 4:
        if arr.shape[3] != 2:
            hint = (
                " For keypoints with a confidence channel (..., n_joints, 3), use "
                "sklearn_skippose.utils.keypoints_to_dataset."
                if arr.shape[3] == 3 else ""
            )
            raise ValueError(
                f"A 4D X must be (n_sequences, max_frames, n_joints, 2); got "
                f"shape {arr.shape}.{hint}"
            )
        return arr.reshape(arr.shape[0], arr.shape[1], -1)
    if arr.ndim == 3:
        return arr
    if arr.ndim == 2:
        return arr[:, None, :]
    raise ValueError(
        f"Expected a sequence dataset (3D array, 4D pose array, 2D array of "
        f"single-frame samples, or a list of sequences); got an array with "
        f"{arr.ndim} dimension(s) and shape {arr.shape}. Reshape your data: a "
        "single sequence as X[None] of shape (1, n_frames, n_features), or a 2D "
        "array of samples."
    )


def keypoint_mask(X):
    """The paper's binary keypoint mask: 1 where both x and y are observed.

    Parameters
    ----------
    X : ndarray of shape (n_sequences, max_frames, 2 * n_joints)
        Pose dataset.

    Returns
    -------
    mask : ndarray of shape (n_sequences, max_frames, 2 * n_joints), bool
        ``mask[..., 2j] == mask[..., 2j + 1]`` is True where keypoint ``j`` is
        observed (neither coordinate is NaN).

    Examples
    --------
    >>> import numpy as np
    >>> keypoint_mask(np.array([[[0.0, np.nan, 1.0, 2.0]]])).astype(int)
    array([[[0, 0, 1, 1]]])
    """
    X = _as_float_array(X, np.float64, "X")
    if X.ndim == 0:
        raise ValueError("X must be a pose dataset (n_sequences, max_frames, 2 * n_joints) "
                         "or poses (..., 2 * n_joints), got a scalar.")
    if X.shape[-1] % 2:
        raise ValueError(
            f"Pose data needs an even number of features (x, y per joint); "
            f"got {X.shape[-1]}."
        )
    pairs = X.reshape(*X.shape[:-1], -1, 2)
    ok = ~np.isnan(pairs).any(axis=-1)
    return np.repeat(ok, 2, axis=-1)


def keypoints_to_dataset(keypoints, *, min_confidence=0.0, dtype=np.float64):
    """Pose-estimator keypoints with confidences as a NaN-padded pose dataset.

    2D pose estimators (OpenPose, MMPose, detectron2, ...) give every
    keypoint a confidence, and a keypoint they did not find a confidence of
    0. Keypoints whose confidence is at most ``min_confidence`` become
    missing (NaN ``(x, y)``, the paper's mask is 0 there), the confidence
    channel is dropped, and the sequences are NaN-padded to one length.

    Parameters
    ----------
    keypoints : list of array-like of shape (n_frames_i, n_joints, 3), or \
            array-like of shape (n_sequences, max_frames, n_joints, 3)
        ``x, y, confidence`` of every joint in every frame, one array per
        sequence (any lengths). For OpenPose's flat
        ``pose_keypoints_2d`` frames, ``np.reshape(frames, (n_frames, -1,
        3))`` gives this layout. Frames of a 4D array that are all NaN at its
        end are padding.
    min_confidence : float, default=0.0
        Keypoints with a confidence at most this are missing; the default
        drops only those not found (confidence 0). A NaN confidence or
        coordinate is missing too.
    dtype : numpy dtype, default=np.float64
        Floating dtype of the result.

    Returns
    -------
    X : ndarray of shape (n_sequences, max_frames, 2 * n_joints)
        ``x0, y0, x1, y1, ...`` per frame, NaN for missing keypoints and
        padding. Frames at the end of a sequence with no keypoint left are
        padding, as the data model reads trailing all-NaN frames; such frames
        elsewhere stay real frames with every keypoint missing.

    Raises
    ------
    ValueError
        If a sequence has no keypoint above ``min_confidence`` at all.

    See Also
    --------
    to_sequence_dataset : The same for keypoints without confidences.
    keypoint_mask : Which keypoints are observed.
    sklearn_skippose.KeypointInterpolator : The missing keypoints filled in
        from the frames around them.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose.utils import keypoints_to_dataset
    >>> clip = np.array([[[10.0, 20.0, 0.9], [30.0, 40.0, 0.1]],
    ...                  [[11.0, 21.0, 0.8], [0.0, 0.0, 0.0]]])
    >>> keypoints_to_dataset([clip], min_confidence=0.2)[0]
    array([[10., 20., nan, nan],
           [11., 21., nan, nan]])
    """
    if isinstance(min_confidence, bool) or not isinstance(min_confidence, Real):
        raise TypeError(f"min_confidence must be a real number, got {min_confidence!r}.")
    if not np.isfinite(min_confidence) or min_confidence < 0:
        raise ValueError(
            f"min_confidence must be a finite number >= 0, got {min_confidence!r}."
        )
    try:
        floating = np.issubdtype(np.dtype(dtype), np.floating)
    except TypeError:
        floating = False
    if not floating:
        raise ValueError(f"dtype must be a floating type (NaN marks missing keypoints), got {dtype!r}.")
    if isinstance(keypoints, (list, tuple)):
        if len(keypoints) == 0:
            raise ValueError("Empty dataset: got a list of 0 sequences.")
        seqs = [_as_float_array(k, np.float64, f"Sequence {i}") for i, k in enumerate(keypoints)]
    else:
        arr = _as_float_array(keypoints, np.float64, "keypoints")
        if arr.ndim != 4:
            raise ValueError(
                "keypoints must be a list of (n_frames, n_joints, 3) arrays or a 4D "
                f"array (n_sequences, max_frames, n_joints, 3); got an array of shape "
                f"{arr.shape}" + (" (one sequence: pass [keypoints])." if arr.ndim == 3 else ".")
            )
        seqs = list(arr)
    for i, k in enumerate(seqs):
        if k.ndim != 3 or k.shape[2] != 3:
            flat = (" For flat x, y, confidence rows (OpenPose's pose_keypoints_2d), pass "
                    "np.reshape(frames, (n_frames, -1, 3))."
                    if k.ndim == 2 and k.shape[1] % 3 == 0 else "")
            raise ValueError(
                f"Sequence {i} has shape {k.shape}; expected (n_frames, n_joints, 3) "
                f"with x, y and a confidence for every joint.{flat}"
            )
    n_joints = {k.shape[1] for k in seqs}
    if len(n_joints) != 1:
        raise ValueError(f"All sequences must have the same number of joints; got {sorted(n_joints)}.")
    poses = []
    for i, k in enumerate(seqs):
        if np.isinf(k).any():
            raise ValueError(
                f"Sequence {i} contains infinite values; coordinates and confidences must "
                "be finite (NaN marks a missing keypoint)."
            )
        xy = k[..., :2].copy()
        missing = ~(k[..., 2] > min_confidence) | np.isnan(xy).any(axis=2)
        xy[missing] = np.nan
        frames = xy.reshape(len(xy), -1)
        length = int(sequence_lengths(frames[None])[0])
        if length == 0:
            raise ValueError(
                f"Sequence {i} has no keypoint with a confidence above {min_confidence} "
                "(and finite coordinates); drop it or lower min_confidence."
            )
        poses.append(frames[:length])
    out = np.full((len(poses), max(len(p) for p in poses), 2 * n_joints.pop()), np.nan, dtype=dtype)
    for i, p in enumerate(poses):
        out[i, : len(p)] = p
    return out


def _check_n_features(estimator, n_features, reset):
    if reset:
        estimator.n_features_in_ = n_features
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return
    expected = getattr(estimator, "n_features_in_", None)
    if expected is not None and n_features != expected:
        raise ValueError(
            f"X has {n_features} features, but {type(estimator).__name__} is "
            f"expecting {expected} features as input (features per frame must "
            "match those seen in fit)."
        )


def check_sequence_dataset(
    estimator,
    X,
    y=None,
    *,
    reset=True,
    dtype=np.float64,
    require_pairs=False,
    allow_missing=True,
    min_length=1,
):
    """Validate a sequence dataset for an estimator's ``fit`` or ``transform``.

    2D inputs go through :func:`sklearn.utils.validation.validate_data`
    (feature names, ``n_features_in_``); other inputs are converted with
    :func:`to_sequence_dataset` and get the same checks on their per-frame
    feature count.

    Parameters
    ----------
    estimator : estimator instance
        The estimator being fitted or applied.
    X : array-like
        Any input accepted by :func:`to_sequence_dataset`.
    y : array-like of shape (n_sequences,), default=None
        Targets, checked for consistent length when given.
    reset : bool, default=True
        Whether this is ``fit`` (store ``n_features_in_``) or a later call
        (check against it).
    dtype : numpy dtype or list of numpy dtypes, default=np.float64
        Floating dtype of the returned array. A list keeps the input's dtype
        when it is in the list and converts to the first entry otherwise
        (scikit-learn's convention); a list of arrays keeps its dtype when
        every sequence has the same one.
    require_pairs : bool, default=False
        Whether ``n_features`` must be even (pose data, ``x, y`` per joint).
    allow_missing : bool, default=True
        Whether NaN values inside real frames (missing keypoints) are allowed.
    min_length : int, default=1
        Minimum number of real frames in every sequence.

    Returns
    -------
    X3d : ndarray of shape (n_sequences, max_frames, n_features)
        Validated NaN-padded dataset.
    lengths : ndarray of shape (n_sequences,)
        Real length of every sequence.
    y : ndarray or None
        Validated targets (only when ``y`` was given).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from sklearn_skippose.utils import check_sequence_dataset
    >>> clips = [np.zeros((3, 4)), np.ones((5, 4))]  # two sequences, 4 features
    >>> X, lengths = check_sequence_dataset(BaseEstimator(), clips)
    >>> X.shape, lengths.tolist()
    ((2, 5, 4), [3, 5])
    """
    if isinstance(dtype, (list, tuple)):
        dtype = _preserved_dtype(X, dtype)
    if is_tabular(X):
        if hasattr(X, "dtype") and getattr(X.dtype, "kind", "f") == "c":
            raise ValueError("Complex data not supported: X must hold real numbers.")
        X2 = validate_data(
            estimator,
            X,
            reset=reset,
            dtype=dtype,
            ensure_all_finite="allow-nan",  # infinity still refused here
            ensure_min_samples=1,
            ensure_min_features=1,
        )
        if not allow_missing and np.isnan(X2).any():
            bad = int(np.argwhere(np.isnan(X2).any(axis=1))[0, 0])
            raise ValueError(
                f"X contains NaN (first in row {bad}). A 2D X is read as one-frame "
                f"sequences (n_samples, n_features), and {type(estimator).__name__} needs "
                "complete frames. For sequences, pass a 3D array (n_sequences, "
                "max_frames, n_features) whose trailing all-NaN frames are padding."
            )
        X3 = X2[:, None, :]
    else:
        X3 = to_sequence_dataset(X, dtype=dtype)
        _check_n_features(estimator, X3.shape[2], reset)
    n, t, f = X3.shape
    if n == 0:
        raise ValueError("Empty dataset: X holds 0 sequences.")
    if t == 0 or f == 0:
        raise ValueError(
            f"X has shape {X3.shape}: every sequence needs at least one frame "
            "and one feature."
        )
    if np.isinf(X3).any():
        bad = int(np.argwhere(np.isinf(X3).any(axis=(1, 2)))[0, 0])
        raise ValueError(
            f"X contains infinite values (first in sequence {bad}); coordinates "
            "must be finite, with NaN marking missing keypoints or padding."
        )
    if require_pairs and f % 2:
        raise ValueError(
            f"Pose data needs an even number of features per frame (x, y for "
            f"each joint, laid out x0, y0, x1, y1, ...); got {f} feature(s)."
        )
    lengths = sequence_lengths(X3)
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(
            f"{empty.size} sequence(s) have no real frame (all values NaN), "
            f"e.g. sequence {int(empty[0])}; drop them or fill them in."
        )
    short = np.flatnonzero(lengths < min_length)
    if short.size:
        raise ValueError(
            f"{short.size} sequence(s) are shorter than {min_length} frames, "
            f"e.g. sequence {int(short[0])} with {int(lengths[short[0]])}."
        )
    if not allow_missing:
        inner = np.isnan(X3) & (np.arange(t)[None, :, None] < lengths[:, None, None])
        if inner.any():
            bad = int(np.argwhere(inner.any(axis=(1, 2)))[0, 0])
            raise ValueError(
                f"Sequence {bad} has NaN values inside its real frames; only "
                "trailing all-NaN frames (padding) are allowed here. Missing "
                "keypoints can be filled in first with KeypointInterpolator, or the "
                "sequences embedded (the embedders mask them)."
            )
    if y is None:
        return X3, lengths
    if isinstance(y, str) and y == "required":
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None."
        )
    y = column_or_1d(y, warn=True)
    # before any label logic casts it (NaN or inf would become garbage integers)
    assert_all_finite(y, input_name="y")
    if y.dtype == object:
        try:
            np.unique(y)
        except TypeError:
            kinds = sorted({type(v).__name__ for v in y})
            raise TypeError(
                f"y mixes labels that cannot be ordered against each other (types "
                f"{', '.join(kinds)}); use labels of one kind, all strings or all numbers, "
                "and no None."
            ) from None
    check_consistent_length(X3, y)
    return X3, lengths, y


def _preserved_dtype(X, dtypes):
    """The input's dtype if it is one of ``dtypes``, else ``dtypes[0]``."""
    if isinstance(X, (list, tuple)):  # one dtype shared by every sequence, or none
        found = {getattr(s, "dtype", None) for s in X}
        found = found.pop() if len(found) == 1 else None
    else:
        found = getattr(X, "dtype", None)
    allowed = [np.dtype(d) for d in dtypes]
    try:
        found = np.dtype(found) if found is not None else None
    except TypeError:  # e.g. a pandas extension dtype
        found = None
    return found if found in allowed else allowed[0]


def is_tabular(X):
    """Whether ``X`` is a 2D array-like read as one-frame sequences.

    Transformers return 2D output for such input, so they keep working in
    tabular pipelines.
    """
    return not isinstance(X, (list, tuple)) and hasattr(X, "shape") and len(X.shape) == 2


def check_int_param(value, name, minimum=1):
    """Raise a clear error unless ``value`` is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def check_bool_param(value, name):
    """Raise a clear error unless ``value`` is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_n_jobs(n_jobs):
    """Raise a clear error unless ``n_jobs`` is None or a non-zero integer
    (joblib's meaning: -1 all processors, -2 all but one, ...)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral):
        raise TypeError(f"n_jobs must be None or an integer, got {n_jobs!r}.")
    if n_jobs == 0:
        raise ValueError("n_jobs must be None, a positive integer or a negative one "
                         "(-1: every processor), got 0.")
    return int(n_jobs)


class SequenceTransformerMixin:
    """Tags of a transformer of NaN-padded 3D sequence datasets.

    Put it before ``TransformerMixin``/``BaseEstimator``: the estimator takes
    ``(n_sequences, max_frames, n_features)`` input and NaN (padding and
    missing values).
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        return tags
