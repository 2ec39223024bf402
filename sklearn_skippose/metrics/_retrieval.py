"""Scores of a similar-motion search: precision at k and average precision of rankings."""

import numpy as np

__all__ = ["retrieval_precision", "retrieval_average_precision"]


def _relevance(y_query, y_retrieved):
    y_query = np.asarray(y_query)
    y_retrieved = np.asarray(y_retrieved)
    if y_query.ndim != 1 or y_query.size == 0:
        raise ValueError(
            f"y_query must be a non-empty 1D array of labels, got shape {y_query.shape}."
        )
    if y_retrieved.ndim != 2 or y_retrieved.shape[0] != len(y_query) or y_retrieved.shape[1] == 0:
        raise ValueError(
            "y_retrieved must hold the labels of every query's results, best first, "
            f"with shape (n_queries, n_results) = ({len(y_query)}, >= 1); got "
            f"{y_retrieved.shape}. With an index's kneighbors: y_index[indices]."
        )
    return y_retrieved == y_query[:, None]


def retrieval_precision(y_query, y_retrieved, *, k=None):
    """Precision at ``k`` of a search, averaged over the queries.

    A result is relevant when its label equals its query's label; the score
    is the fraction of relevant results among every query's ``k`` best,
    averaged over the queries.

    Parameters
    ----------
    y_query : array-like of shape (n_queries,)
        Label of every query.
    y_retrieved : array-like of shape (n_queries, n_results)
        Labels of every query's results, best first (for a fitted
        :class:`~sklearn_skippose.DTWNeighborsIndex`,
        ``y_index[index.kneighbors(X, return_distance=False)]``).
    k : int, default=None
        Number of best results counted (all ``n_results`` when None).

    Returns
    -------
    precision : float
        In ``[0, 1]``.

    Examples
    --------
    >>> retrieval_precision(["run", "sit"], [["run", "sit", "run"], ["run", "sit", "sit"]], k=2)
    0.5
    """
    relevant = _relevance(y_query, y_retrieved)
    if k is None:
        k = relevant.shape[1]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= relevant.shape[1]:
        raise ValueError(
            f"k must be an integer in [1, n_results={relevant.shape[1]}], got {k!r}."
        )
    return float(relevant[:, :k].mean())


def retrieval_average_precision(y_query, y_retrieved, *, n_relevant=None):
    """Mean average precision (mAP) of rankings, over the queries.

    A query's average precision is the mean, over the ranks ``r`` of its
    relevant results, of the precision among its ``r`` best results, divided
    by the number of relevant items: ``sum_r P@r / n_relevant``. With a
    complete ranking (every indexed item, e.g. ``n_neighbors =
    index.n_samples_fit_``) ``n_relevant`` is the number of relevant results
    and need not be given; for a truncated ranking pass the true count, and
    relevant items beyond the ranking count as never retrieved.

    Parameters
    ----------
    y_query : array-like of shape (n_queries,)
        Label of every query.
    y_retrieved : array-like of shape (n_queries, n_results)
        Labels of every query's results, best first.
    n_relevant : array-like of shape (n_queries,), default=None
        Number of items relevant to every query in the whole collection
        (the relevant results of each row when None).

    Returns
    -------
    mean_ap : float
        Mean over the queries that have at least one relevant item, in
        ``[0, 1]``.

    Examples
    --------
    >>> # relevant at ranks 1 and 3: (1/1 + 2/3) / 2
    >>> retrieval_average_precision([0], [[0, 1, 0, 2]])
    0.8333333333333333
    """
    relevant = _relevance(y_query, y_retrieved)
    hits = np.cumsum(relevant, axis=1)
    precision = hits / np.arange(1, relevant.shape[1] + 1)
    found = relevant.sum(axis=1)
    if n_relevant is None:
        total = found
    else:
        total = np.asarray(n_relevant)
        if total.shape != found.shape or not np.issubdtype(total.dtype, np.number):
            raise ValueError(
                f"n_relevant must hold one count per query, shape {found.shape}; got "
                f"{total.shape}."
            )
        if (total < found).any():
            q = int(np.flatnonzero(total < found)[0])
            raise ValueError(
                f"n_relevant[{q}] = {total[q]} but query {q} already has {found[q]} "
                "relevant results in y_retrieved."
            )
    keep = total > 0
    if not keep.any():
        raise ValueError("No query has a relevant item: average precision is undefined.")
    ap = (precision * relevant).sum(axis=1)[keep] / total[keep]
    return float(ap.mean())
