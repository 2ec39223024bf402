"""What the DTW neighbour estimators share: the dictionary, k-NN and score-threshold queries."""

from numbers import Real

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..metrics._dtw import (
    PackedSequences,
    SegmentIndex,
    _Bands,
    _scores_from,
    check_dtw_params,
    knn_pruned,
    pairwise_costs,
    sorted_by_length,
)
from ..utils._sequences import (
    check_bool_param,
    check_int_param,
    check_n_jobs,
    check_sequence_dataset,
)

__all__ = ["BaseDTWNeighbors"]


class BaseDTWNeighbors(BaseEstimator):
    """Base class: a dictionary of feature sequences searched under DTW.

    Subclasses set the parameters ``n_neighbors``, ``metric``,
    ``aggregate``, ``global_constraint``, ``sakoe_chiba_radius``,
    ``itakura_max_slope``, ``algorithm`` and ``n_jobs`` in ``__init__``, and
    register sequences with ``_register`` (``fit``) and ``_append``
    (``partial_fit``).
    """

    def _check_params(self):
        check_int_param(self.n_neighbors, "n_neighbors")
        check_n_jobs(self.n_jobs)
        check_dtw_params(self.metric, self.aggregate, self.global_constraint,
                         self.sakoe_chiba_radius, self.itakura_max_slope)
        if self.algorithm not in ("auto", "brute", "pruned"):
            raise ValueError(
                f"algorithm must be 'auto', 'brute' or 'pruned', got {self.algorithm!r}."
            )

    def _validate(self, X, y=None, *, reset):
        return check_sequence_dataset(self, X, y, reset=reset, allow_missing=False,
                                      dtype=np.float32)

    # ------------------------------------------------------------ dictionary
    def _fit_unlabelled(self, X):
        """``fit`` without labels: validate, then make ``X`` the whole dictionary."""
        self._check_params()
        X3, lengths = self._validate(X, reset=True)
        self._register(X3, lengths)
        return self

    def _register(self, X3, lengths):
        """Make ``X3`` the whole dictionary."""
        self._store(PackedSequences(X3, lengths, self.metric))
        self._after_change()

    def _append(self, X3, lengths):
        """Add ``X3`` after the sequences already registered (they are unchanged)."""
        self._check_fitted_metric()
        new = PackedSequences(X3, lengths, self.metric)
        # back to fit order, append, sort again
        self._store(self._dictionary().take(self._sorted_positions()).concatenate(new))
        self._after_change()

    def _after_change(self):
        self.n_samples_fit_ = len(self._lengths)
        self._index = SegmentIndex(self._dictionary()) if self.algorithm == "pruned" else None

    def _dictionary(self):
        """The dictionary, stored sorted by length (``_order`` maps back)."""
        D = PackedSequences.__new__(PackedSequences)
        D.frames, D.sqnorm, D.lengths, D.metric = (
            self._frames, self._sqnorm, self._lengths, self.metric)
        D.offsets = np.concatenate([[0], np.cumsum(self._lengths)[:-1]]).astype(np.int64)
        return D

    def _sorted_positions(self):
        """Position in the stored (length-sorted) dictionary of every sequence, in fit order."""
        inv = np.empty_like(self._order)
        inv[self._order] = np.arange(len(inv))
        return inv

    def _store(self, P):
        P, order = sorted_by_length(P)
        self._frames, self._sqnorm, self._lengths = P.frames, P.sqnorm, P.lengths
        self._order = order
        self._metric_fitted = P.metric

    def _check_fitted_metric(self):
        """The dictionary is stored for the metric of ``fit`` (unit frames for
        cosine): refuse to use it, or extend it, under another one."""
        fitted = getattr(self, "_metric_fitted", self.metric)
        if self.metric != fitted:
            raise ValueError(
                f"{type(self).__name__} was fitted with metric={fitted!r}, and its "
                f"dictionary is stored for it, but metric is now {self.metric!r}; fit it "
                "again, or set metric back."
            )

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_index"] = None  # rebuilt on demand
        return state

    # -------------------------------------------------------------- queries
    def _queries(self, X):
        check_is_fitted(self)
        self._check_params()
        self._check_fitted_metric()
        X3, lengths = self._validate(X, reset=False)
        return PackedSequences(X3, lengths, self.metric)

    def _all_scores(self, Q, D):
        bands = _Bands(Q.lengths, D.lengths, self.global_constraint,
                       self.sakoe_chiba_radius, self.itakura_max_slope)
        cost, length = pairwise_costs(Q, D, bands, n_jobs=self.n_jobs)
        scores = np.empty_like(cost)
        scores[:, self._order] = _scores_from(cost, length, self.metric, self.aggregate)
        return scores  # columns in fit order

    def _score_blocks(self, Q, D, positions=None):
        """``(rows, scores)`` for consecutive blocks of queries.

        The queries are ``Q``'s sequences at ``positions`` (all of them, in
        order, when None), taken one block at a time. A block holds at most
        ``_PAIRS_PER_BLOCK`` query x dictionary pairs (at least one query), so
        the memory in use stays bounded however many queries there are.
        """
        n = len(Q) if positions is None else len(positions)
        step = max(1, _PAIRS_PER_BLOCK // max(1, len(D)))
        for a in range(0, n, step):
            rows = np.arange(a, min(n, a + step))
            if positions is None and len(rows) == n:
                block = Q
            else:
                block = Q.take(rows if positions is None else positions[rows])
            yield rows, self._all_scores(block, D)

    def _top_k(self, Q, k):
        D = self._dictionary()
        # "auto" is brute force: faster on every workload measured so far
        if self.algorithm == "pruned":
            index = getattr(self, "_index", None)
            if index is None:  # not cached here: a query must not change state
                index = SegmentIndex(D)
            bands = _Bands(Q.lengths, D.lengths, self.global_constraint,
                           self.sakoe_chiba_radius, self.itakura_max_slope)
            chunks = np.array_split(np.arange(len(Q)), max(1, min(len(Q), 8)))
            res = Parallel(n_jobs=self.n_jobs)(
                delayed(_pruned_chunk)(Q, c, D, index, bands, k, self.metric,
                                       self.aggregate)
                for c in chunks if len(c)
            )
            return (np.concatenate([r[0] for r in res]),
                    self._order[np.concatenate([r[1] for r in res])])
        return self._brute_top_k(self._score_blocks(Q, D), k)

    def _brute_top_k(self, blocks, k, exclude=None):
        """Top ``k`` of every query from the score ``blocks`` (:meth:`_score_blocks`).

        ``exclude[q]``: a dictionary index (fit order) query ``q`` must not
        return (itself, for a self-query).
        """
        parts = []
        for rows, S in blocks:
            if exclude is not None:
                S[np.arange(len(rows)), exclude[rows]] = -np.inf
            parts.append(_top_k_rows(S, k))
        return (np.concatenate([p[0] for p in parts]),
                np.concatenate([p[1] for p in parts]))

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """The most similar dictionary sequences of every query.

        Parameters
        ----------
        X : array-like of shape (n_queries, max_frames, n_features), default=None
            Query sequences. None queries the dictionary itself, each sequence
            excluding itself.
        n_neighbors : int, default=None
            Number of neighbours (``self.n_neighbors`` when None).
        return_distance : bool, default=True
            Whether to return the scores too.

        Returns
        -------
        scores : ndarray of shape (n_queries, n_neighbors)
            DTW similarity scores, **higher is more similar**, sorted best
            first (only when ``return_distance``). Unlike scikit-learn's
            distances these are similarities; ``-inf`` marks a pair the global
            constraint admits no path for.
        indices : ndarray of shape (n_queries, n_neighbors)
            Indices of the neighbours in the dictionary (fit order, then
            ``partial_fit`` order).
        """
        check_is_fitted(self)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        k = check_int_param(k, "n_neighbors")
        check_bool_param(return_distance, "return_distance")
        self_query = X is None
        n_avail = self.n_samples_fit_ - (1 if self_query else 0)
        if k > n_avail:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit = {n_avail}, got {k}: the "
                "dictionary has fewer sequences than neighbours requested."
            )
        if self_query:  # every sequence, in fit order, against all but itself
            _, blocks = self._query_score_blocks(None)
            s, idx = self._brute_top_k(blocks, k, exclude=np.arange(self.n_samples_fit_))
        else:
            s, idx = self._top_k(self._queries(X), k)
        return (s, idx) if return_distance else idx

    def kneighbors_graph(self, X=None, n_neighbors=None, mode="connectivity"):
        """Sparse graph of every query's most similar dictionary sequences.

        The graph form of :meth:`kneighbors`, as scikit-learn's
        ``kneighbors_graph``: what clustering and embedding estimators that
        take a precomputed sparse neighbourhood need (e.g.
        :class:`~sklearn.cluster.SpectralClustering` with
        ``affinity="precomputed_nearest_neighbors"``,
        :class:`~sklearn.cluster.DBSCAN` or :class:`~sklearn.manifold.Isomap`
        with ``metric="precomputed"``), in memory linear in the number of
        sequences instead of the full pairwise matrix.

        Parameters
        ----------
        X : array-like of shape (n_queries, max_frames, n_features), default=None
            Query sequences. None queries the dictionary itself, each sequence
            excluding itself (no self-loops).
        n_neighbors : int, default=None
            Neighbours per query (``self.n_neighbors`` when None).
        mode : {"connectivity", "score", "distance"}, default="connectivity"
            Value of an edge: 1; the DTW similarity score; or the score's
            shortfall from a perfect match, a non-negative dissimilarity (see
            :meth:`radius_neighbors_graph`).

        Returns
        -------
        graph : scipy.sparse.csr_matrix of shape (n_queries, n_samples_fit)
            Row ``i`` holds query ``i``'s neighbours (columns in fit order,
            then ``partial_fit`` order), best first. Pairs a global constraint
            admits no path for are left out.
        """
        self._check_mode(mode)
        s, idx = self.kneighbors(X, n_neighbors, return_distance=True)
        keep = np.isfinite(s)
        indptr = np.concatenate([[0], np.cumsum(keep.sum(axis=1))])
        return self._graph(s[keep], idx[keep], indptr, mode)

    def radius_neighbors(self, X=None, min_score=None, return_distance=True,
                         sort_results=False):
        """Every dictionary sequence whose DTW score with a query reaches ``min_score``.

        scikit-learn's ``radius_neighbors``, for similarities: the "radius"
        is a lowest score instead of a largest distance, so the search returns
        every pair at least as similar as ``min_score`` (the boundary
        included). For the ``"mean"`` cosine score, ``min_score=0.9`` keeps
        the pairs whose aligned time steps have a mean cosine similarity of
        at least 0.9. Every query is scored against every sequence, block by
        block, whatever ``algorithm`` is.

        Parameters
        ----------
        X : array-like of shape (n_queries, max_frames, n_features), default=None
            Query sequences. None queries the dictionary itself, each sequence
            excluding itself.
        min_score : float
            Lowest score returned.
        return_distance : bool, default=True
            Whether to return the scores too.
        sort_results : bool, default=False
            Sort every query's results best first (ties by index); needs
            ``return_distance=True``, as in scikit-learn. Unsorted results are
            in index order.

        Returns
        -------
        scores : ndarray of shape (n_queries,) of ndarray
            Every query's scores (only when ``return_distance``); higher is
            more similar.
        indices : ndarray of shape (n_queries,) of ndarray
            Every query's neighbours (fit order, then ``partial_fit`` order).
        """
        min_score = _check_min_score(min_score)
        check_bool_param(return_distance, "return_distance")
        check_bool_param(sort_results, "sort_results")
        if sort_results and not return_distance:
            raise ValueError("return_distance must be True if sort_results is True.")
        self_query, blocks = self._query_score_blocks(X)
        scores, indices = [], []
        for rows, S in blocks:
            for r, row in zip(rows, S):
                j = np.flatnonzero(row >= min_score)
                if self_query and len(j):
                    j = j[j != r]
                if sort_results:
                    j = j[np.lexsort((j, -row[j]))]
                scores.append(row[j])
                indices.append(j)
        out_s, out_i = _object_array(scores), _object_array(indices)
        return (out_s, out_i) if return_distance else out_i

    def radius_neighbors_graph(self, X=None, min_score=None, mode="connectivity",
                               sort_results=False):
        """Sparse graph of the pairs whose DTW score reaches ``min_score``.

        The graph form of :meth:`radius_neighbors`, for estimators that take
        a precomputed sparse neighbourhood (e.g. :class:`~sklearn.cluster.DBSCAN`
        with ``metric="precomputed"`` and ``mode="distance"``).

        Parameters
        ----------
        X : array-like of shape (n_queries, max_frames, n_features), default=None
            Query sequences. None queries the dictionary itself, each sequence
            excluding itself (no self-loops).
        min_score : float
            Lowest score kept.
        mode : {"connectivity", "score", "distance"}, default="connectivity"
            Value of an edge: 1; the DTW similarity score; or its shortfall
            from a perfect match: ``1 - score`` for the ``"mean"`` cosine
            score (at most ``1 - min_score``), ``-score`` otherwise, which is
            the DTW cost for ``aggregate="cost"`` and the summed or mean
            squared euclidean distance along the path for the euclidean
            metric.
            ``"distance"`` is not defined for the ``"sum"`` cosine score,
            whose best value grows with the path length.
        sort_results : bool, default=False
            Store every row's entries best first.

        Returns
        -------
        graph : scipy.sparse.csr_matrix of shape (n_queries, n_samples_fit)
            Explicit entries for every pair kept (a zero distance is stored,
            not dropped).
        """
        self._check_mode(mode)
        s, idx = self.radius_neighbors(X, min_score, return_distance=True,
                                       sort_results=sort_results)
        indptr = np.concatenate([[0], np.cumsum([len(i) for i in idx])])
        return self._graph(np.concatenate([np.empty(0), *s]),
                           np.concatenate([np.empty(0, np.int64), *idx]), indptr, mode)

    def _query_score_blocks(self, X):
        """``(self_query, blocks)``: the blocks of ``(rows, scores)`` of the
        queries ``X``, or of the dictionary itself in fit order when None."""
        if X is None:
            check_is_fitted(self)
            self._check_params()
            self._check_fitted_metric()
            D = self._dictionary()
            return True, self._score_blocks(D, D, positions=self._sorted_positions())
        return False, self._score_blocks(self._queries(X), self._dictionary())

    def _check_mode(self, mode):
        if mode not in ("connectivity", "score", "distance"):
            raise ValueError(
                f"mode must be 'connectivity', 'score' or 'distance', got {mode!r}."
            )
        if mode == "distance" and self.metric == "cosine" and self.aggregate == "sum":
            raise ValueError(
                "mode='distance' needs a score with a fixed best value: "
                "aggregate='mean' (distance 1 - score) or 'cost' (the DTW cost); "
                "the 'sum' cosine score grows with the path length. Use "
                "mode='score', or set aggregate."
            )

    def _graph(self, s, idx, indptr, mode):
        if mode == "connectivity":
            data = np.ones(len(s))
        elif mode == "score":
            data = np.asarray(s, dtype=np.float64)
        else:
            best = 1.0 if (self.metric == "cosine" and self.aggregate == "mean") else 0.0
            data = np.maximum(best - np.asarray(s, dtype=np.float64), 0.0)
        return sparse.csr_matrix((data, np.asarray(idx, dtype=np.int64), indptr),
                                 shape=(len(indptr) - 1, self.n_samples_fit_))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        return tags


#: Query x dictionary pairs scored at once (about 200 MB of temporaries):
#: larger query sets are scored block by block.
_PAIRS_PER_BLOCK = 1 << 22


def _top_k_rows(scores, k):
    n, m = scores.shape
    if k < m:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        part = np.tile(np.arange(m), (n, 1))
    idx = np.empty((n, k), dtype=np.int64)
    for q in range(n):
        cand = part[q]
        # exact tie-break: by score, then index; widen to all equal scores
        kth = scores[q, cand].min()
        cand = np.flatnonzero(scores[q] >= kth)
        order = np.lexsort((cand, -scores[q, cand]))[:k]
        idx[q] = cand[order]
    return np.take_along_axis(scores, idx, axis=1), idx


def _pruned_chunk(Q, rows, D, index, bands, k, metric, aggregate):
    return knn_pruned(Q.take(rows), D, index, bands, k, metric, aggregate)


def _check_min_score(value):
    if value is None:
        raise TypeError("min_score is required: the lowest DTW score to return.")
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"min_score must be a real number, got {value!r}.")
    if not np.isfinite(value):
        raise ValueError(f"min_score must be finite, got {value!r}.")
    return float(value)


def _object_array(parts):
    out = np.empty(len(parts), dtype=object)
    for i, part in enumerate(parts):  # not out[:] = parts: equal lengths would broadcast
        out[i] = part
    return out
