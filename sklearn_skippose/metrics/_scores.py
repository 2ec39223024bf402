"""Classification and retrieval scores used on JHMDB."""

import numpy as np
from sklearn.metrics import average_precision_score, balanced_accuracy_score, make_scorer
from sklearn.preprocessing import label_binarize

__all__ = [
    "mean_per_class_accuracy",
    "macro_average_precision",
    "mean_per_class_accuracy_scorer",
    "macro_average_precision_scorer",
]


def mean_per_class_accuracy(y_true, y_pred):
    """Accuracy averaged over classes (JHMDB's reported measure).

    The mean over classes of the fraction of that class's samples predicted
    correctly, so small classes weigh as much as large ones. It equals
    :func:`sklearn.metrics.balanced_accuracy_score`, which computes it.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.

    Returns
    -------
    score : float
        In ``[0, 1]``.

    Examples
    --------
    >>> mean_per_class_accuracy([0, 0, 0, 1], [0, 0, 1, 1])
    0.8333333333333333
    """
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if np.ndim(labels) != 1:
            raise ValueError(f"{name} must be a 1D array-like of labels, got "
                             f"{type(labels).__name__} of shape {np.shape(labels)}.")
    if len(y_true) == 0:
        raise ValueError("mean_per_class_accuracy needs at least one sample.")
    return float(balanced_accuracy_score(y_true, y_pred))


def macro_average_precision(y_true, y_score, *, labels=None):
    """Average precision per class from neighbour scores, averaged over classes.

    Every class is a retrieval query over the test samples ranked by their
    score for that class (for :class:`~sklearn_skippose.DTWNearestNeighbors`
    the best DTW similarity to a dictionary sequence of that class, from its
    ``class_scores``); the per-class average precisions are averaged.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes)
        Score of every sample for every class, columns ordered as ``labels``.
    labels : array-like of shape (n_classes,), default=None
        Class of each column; defaults to the sorted unique labels of
        ``y_true`` (then ``y_score`` must have that many columns).

    Returns
    -------
    score : float
        Mean over the classes present in ``y_true`` of their average
        precision, in ``[0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> # class 0: AP 1/2; class 1: AP (1 + 2/3) / 2
    >>> macro_average_precision([0, 1, 1], np.array([[0.3, 0.7], [0.2, 0.8], [0.6, 0.4]]))
    0.6666666666666666
    """
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    if labels is None:
        labels = np.unique(y_true)
    labels = np.asarray(labels)
    if y_score.ndim != 2 or y_score.shape != (len(y_true), len(labels)):
        raise ValueError(
            f"y_score must have shape (n_samples, n_classes) = ({len(y_true)}, "
            f"{len(labels)}), got {y_score.shape}."
        )
    if not np.isfinite(y_score).all():
        raise ValueError("y_score contains NaN or infinite values.")
    Y = label_binarize(y_true, classes=labels)
    if len(labels) == 2 and Y.shape[1] == 1:
        Y = np.hstack([1 - Y, Y])
    present = Y.sum(axis=0) > 0
    if not present.any():
        raise ValueError("None of the labels occur in y_true.")
    aps = [
        average_precision_score(Y[:, k], y_score[:, k])
        for k in np.flatnonzero(present)
    ]
    return float(np.mean(aps))


def _map_from_estimator(estimator, X, y_true):
    from sklearn.pipeline import Pipeline

    while isinstance(estimator, Pipeline) and hasattr(estimator.steps[-1][1], "class_scores"):
        for _, step in estimator.steps[:-1]:
            if step is not None and step != "passthrough":
                X = step.transform(X)
        estimator = estimator.steps[-1][1]
    if hasattr(estimator, "class_scores"):
        scores = estimator.class_scores(X)
    elif hasattr(estimator, "decision_function"):
        scores = np.asarray(estimator.decision_function(X), dtype=np.float64)
        if scores.ndim == 1:  # binary: score of classes_[1] minus classes_[0]
            scores = np.column_stack([-scores, scores])
    else:
        scores = estimator.predict_proba(X)
    return macro_average_precision(y_true, scores, labels=estimator.classes_)


#: Scorer for ``GridSearchCV(scoring=...)``: mean per-class accuracy.
mean_per_class_accuracy_scorer = make_scorer(mean_per_class_accuracy)


def macro_average_precision_scorer(estimator, X, y_true):
    """Scorer for ``GridSearchCV(scoring=...)``: macro average precision.

    Uses the estimator's ``class_scores`` (for
    :class:`~sklearn_skippose.DTWNearestNeighbors`), else its
    ``decision_function`` or ``predict_proba``, as the per-class scores. A
    :class:`~sklearn.pipeline.Pipeline` ending in such a classifier is handled
    by transforming ``X`` through its earlier steps.

    Parameters
    ----------
    estimator : fitted classifier
        Has ``classes_`` and ``class_scores``, ``decision_function`` or
        ``predict_proba``.
    X : array-like
        Test sequences.
    y_true : array-like of shape (n_samples,)
        True labels.

    Returns
    -------
    score : float
        :func:`macro_average_precision` of the estimator's scores.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose import DTWNearestNeighbors
    >>> from sklearn_skippose.metrics import macro_average_precision_scorer
    >>> t = np.linspace(0, 1, 12)[:, None]
    >>> X = np.stack([np.hstack([np.cos(f * t), np.sin(f * t)])
    ...               for f in (1.0, 1.2, 5.0, 5.5)])
    >>> clf = DTWNearestNeighbors().fit(X[[0, 2]], [0, 1])
    >>> float(macro_average_precision_scorer(clf, X[[1, 3]], [0, 1]))
    1.0
    """
    return _map_from_estimator(estimator, X, y_true)
