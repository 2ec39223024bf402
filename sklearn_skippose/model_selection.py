"""Cross-validation over predefined (official) train/test splits."""

import numpy as np
from sklearn.model_selection import BaseCrossValidator

__all__ = ["PredefinedSplits", "inner_splits"]


class PredefinedSplits(BaseCrossValidator):
    """Cross-validator over a matrix of predefined train/test assignments.

    JHMDB ships three official splits; :func:`~sklearn_skippose.datasets.load_jhmdb`
    returns them as ``splits`` of shape ``(n_clips, 3)`` with ``1`` = train,
    ``2`` = test and ``0`` = not used. Pass that matrix here and use the
    object as ``cv=`` in :func:`~sklearn.model_selection.cross_val_score`,
    :func:`~sklearn.model_selection.cross_validate` or
    :class:`~sklearn.model_selection.GridSearchCV`.

    Parameters
    ----------
    splits : array-like of shape (n_samples, n_splits)
        ``splits[i, k]`` is 1 if sample ``i`` is in the training set of split
        ``k``, 2 if in its test set, 0 if in neither.
    train_code : int, default=1
        Code of training samples.
    test_code : int, default=2
        Code of test samples.

    Examples
    --------
    >>> import numpy as np
    >>> cv = PredefinedSplits(np.array([[1, 2], [2, 1], [1, 1]]))
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split(np.zeros((3, 1)))]
    [([0, 2], [1]), ([1, 2], [0])]
    """

    def __init__(self, splits, *, train_code=1, test_code=2):
        self.splits = splits
        self.train_code = train_code
        self.test_code = test_code

    def _matrix(self):
        s = np.asarray(self.splits)
        if s.ndim == 1:
            s = s[:, None]
        if s.ndim != 2 or s.shape[1] == 0:
            raise ValueError(
                f"splits must be a (n_samples, n_splits) matrix, got shape {s.shape}."
            )
        if not np.issubdtype(s.dtype, np.integer):
            raise TypeError(f"splits must hold integer codes, got dtype {s.dtype}.")
        _check_codes(self.train_code, self.test_code)
        return s

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits (columns of ``splits``).

        Parameters
        ----------
        X, y, groups : ignored
            Present for API compatibility.

        Returns
        -------
        n_splits : int
            Number of splits.
        """
        return self._matrix().shape[1]

    def split(self, X=None, y=None, groups=None):
        """Yield ``(train_indices, test_indices)`` for every split.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), default=None
            Only its length is checked against ``splits``.
        y, groups : ignored
            Present for API compatibility.

        Yields
        ------
        train, test : ndarray
            Indices of the training and test samples of one split.
        """
        s = self._matrix()
        if X is not None and len(X) != s.shape[0]:
            raise ValueError(
                f"splits describes {s.shape[0]} samples but X has {len(X)}."
            )
        for k in range(s.shape[1]):
            train = np.flatnonzero(s[:, k] == self.train_code)
            test = np.flatnonzero(s[:, k] == self.test_code)
            if train.size == 0 or test.size == 0:
                side, code = (("training", self.train_code) if train.size == 0
                              else ("test", self.test_code))
                raise ValueError(
                    f"Split {k} (column {k} of splits) has an empty {side} set: no sample "
                    f"is coded {code!r} in it (codes found: {np.unique(s[:, k]).tolist()})."
                )
            yield train, test

    def _iter_test_indices(self, X=None, y=None, groups=None):
        for _, test in self.split(X, y, groups):
            yield test


def _check_codes(train_code, test_code):
    for name, code in (("train_code", train_code), ("test_code", test_code)):
        if isinstance(code, bool) or not isinstance(code, (int, np.integer)):
            raise TypeError(f"{name} must be an integer code of splits, got {code!r}.")
    if train_code == test_code:
        raise ValueError(f"train_code and test_code must differ, both are {train_code!r}.")


def inner_splits(splits, split, *, train_code=1, test_code=2):
    """Group-disjoint folds inside the training set of one predefined split.

    Official action-recognition splits (JHMDB, HMDB51, UCF101) keep all clips
    cut from one video on the same side, so a random K-fold over the
    training clips puts near-duplicates of a validation clip in the
    dictionary and grossly overestimates accuracy (on JHMDB split 1: about
    74 % with a random 3-fold, about 51 % with these folds, against 62-66 %
    on the real test set with a larger dictionary). The *other* splits
    separate videos too: restricted to the training clips of ``split``, the
    train/test assignment of every other split is a video-disjoint fold
    that uses none of ``split``'s test clips. Use the result as ``cv=`` to
    choose settings on training clips only.

    Parameters
    ----------
    splits : array-like of shape (n_samples, n_splits)
        Codes as in :class:`PredefinedSplits` (JHMDB's ``splits``).
    split : int
        Index (0-based column) of the outer split whose training samples
        are divided.
    train_code, test_code : int, default=1, 2
        Codes of training and test samples.

    Returns
    -------
    train_index : ndarray of shape (n_train,)
        Indices (into ``splits``) of the training samples of ``split``: the
        rows of the data that ``cv`` expects.
    cv : PredefinedSplits
        One fold per other split: fits on the samples it also trains on,
        validates on the samples it tests on.

    Examples
    --------
    >>> import numpy as np
    >>> splits = np.array([[1, 1, 2], [1, 2, 1], [1, 1, 1], [2, 1, 1]])
    >>> idx, cv = inner_splits(splits, 0)
    >>> idx.tolist()
    [0, 1, 2]
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split(np.zeros((3, 1)))]
    [([0, 2], [1]), ([1, 2], [0])]
    """
    s = PredefinedSplits(splits, train_code=train_code, test_code=test_code)._matrix()
    n_splits = s.shape[1]
    if isinstance(split, bool) or not isinstance(split, (int, np.integer)) \
            or not 0 <= split < n_splits:
        raise ValueError(f"split must be an integer in [0, {n_splits}), got {split!r}.")
    if n_splits < 2:
        raise ValueError("inner_splits needs at least two predefined splits.")
    _check_codes(train_code, test_code)
    train_index = np.flatnonzero(s[:, split] == train_code)
    if train_index.size == 0:
        raise ValueError(f"Split {split} has no training sample: none is coded "
                         f"{train_code!r} (codes found: {np.unique(s[:, split]).tolist()}).")
    others = [k for k in range(n_splits) if k != split]
    return train_index, PredefinedSplits(s[train_index][:, others], train_code=train_code,
                                         test_code=test_code)
