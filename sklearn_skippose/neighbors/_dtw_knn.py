"""Nearest-neighbour classification and retrieval under cosine-similarity DTW."""

from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
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
from ..utils._sequences import check_int_param, check_sequence_dataset

__all__ = ["DTWNearestNeighbors"]


class DTWNearestNeighbors(ClassifierMixin, BaseEstimator):
    """k-nearest-neighbour classifier and retrieval index under DTW similarity.

    The paper's classifier (section 3.2): every query sequence of per-time-step
    feature vectors is aligned to every dictionary sequence by dynamic time
    warping over their map of cosine similarities, the pair is scored by
    summing the similarities along the optimal path, and the query takes the
    label of its most similar dictionary sequences. See
    :func:`~sklearn_skippose.metrics.pairwise_dtw_scores` for the exact
    definitions (path = classical DTW on ``1 - cos``; score = aggregate of the
    similarities along it; zero vectors have similarity 0).

    The dictionary can grow after fitting with :meth:`partial_fit`, including
    classes never seen before, without touching the sequences already there.

    Parameters
    ----------
    n_neighbors : int, default=1
        Number of neighbours that vote (the paper uses 1).
    weights : {"uniform"} or callable, default="uniform"
        ``"uniform"``: every neighbour votes once. A callable receives the
        ``(n_queries, n_neighbors)`` score array and returns non-negative
        weights of the same shape.
    metric : {"cosine", "euclidean"}, default="cosine"
        Local similarity between time steps.
    aggregate : {"sum", "mean", "cost"}, default="sum"
        ``"sum"``: sum of similarities along the path (the paper's score);
        ``"mean"``: that sum divided by the path length; ``"cost"``: minus the
        accumulated DTW cost (the classical DTW ranking, identical to
        tslearn's ``cdist_dtw`` on L2-normalised frames for cosine).
    global_constraint : {None, "sakoe_chiba", "itakura"}, default=None
        Global path constraint, as tslearn defines it.
    sakoe_chiba_radius : int, default=None
        Radius of the Sakoe-Chiba band (1 when None and the band is used).
    itakura_max_slope : float, default=None
        Maximum slope of the Itakura parallelogram (2 when None).
    algorithm : {"auto", "brute", "pruned"}, default="auto"
        ``"brute"`` scores every pair; ``"pruned"`` visits dictionary
        sequences best-bound-first and skips or abandons those that provably
        cannot enter the top ``n_neighbors`` (exactly the same neighbours;
        the work saved depends on how tight the bounds are on the data);
        ``"auto"`` currently always chooses ``"brute"``, which was faster on
        every workload measured so far (``benchmarks/bench_dtw.py``).
    n_jobs : int, default=None
        joblib workers over blocks of queries. The compiled kernels already
        use every core of the machine they run on (numba's thread count,
        ``numba.set_num_threads`` to lower it), so leave it None locally;
        under ``joblib.parallel_backend("dask")`` (or ray's backend) set it to
        -1 to spread the blocks over the cluster.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Known class labels (sorted).
    n_features_in_ : int
        Features per time step.
    n_samples_fit_ : int
        Number of dictionary sequences.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names (2D DataFrame input only).

    Notes
    -----
    A 2D input ``(n_samples, n_features)`` is a set of one-frame sequences,
    for which the classifier reduces to cosine (or euclidean) k-NN.
    Query/dictionary pairs that a global constraint admits no path for get
    score ``-inf`` and are never preferred to a feasible pair.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose import DTWNearestNeighbors
    >>> t = np.linspace(0, 1, 20)[:, None]
    >>> up = np.hstack([np.cos(3 * t), np.sin(3 * t)])
    >>> X = np.stack([up, up[::-1]])
    >>> clf = DTWNearestNeighbors().fit(X, ["forward", "backward"])
    >>> clf.predict(up[None, ::2]).tolist()
    ['forward']
    """

    def __init__(
        self,
        n_neighbors=1,
        weights="uniform",
        metric="cosine",
        aggregate="sum",
        global_constraint=None,
        sakoe_chiba_radius=None,
        itakura_max_slope=None,
        algorithm="auto",
        n_jobs=None,
    ):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.metric = metric
        self.aggregate = aggregate
        self.global_constraint = global_constraint
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.algorithm = algorithm
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fit
    def _check_params(self):
        check_int_param(self.n_neighbors, "n_neighbors")
        check_dtw_params(self.metric, self.aggregate, self.global_constraint,
                         self.sakoe_chiba_radius, self.itakura_max_slope)
        if self.weights != "uniform" and not callable(self.weights):
            raise ValueError(f"weights must be 'uniform' or a callable, got {self.weights!r}.")
        if self.algorithm not in ("auto", "brute", "pruned"):
            raise ValueError(
                f"algorithm must be 'auto', 'brute' or 'pruned', got {self.algorithm!r}."
            )

    def fit(self, X, y):
        """Register the dictionary sequences and their labels.

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            NaN-padded feature sequences (a list of ``(T_i, n_features)``
            arrays, or a 2D array of one-frame sequences, also works).
        y : array-like of shape (n_sequences,)
            Labels.

        Returns
        -------
        self : DTWNearestNeighbors
            The fitted classifier.
        """
        self._check_params()
        X3, lengths, y = check_sequence_dataset(
            self, X, "required" if y is None else y, reset=True, allow_missing=False,
            dtype=np.float32,
        )
        check_classification_targets(y)
        self._set_dictionary(X3, lengths, y)
        return self

    def partial_fit(self, X, y, classes=None):
        """Add sequences (possibly of new classes) to the dictionary.

        Sequences already registered are kept as they are; new labels extend
        ``classes_``. On an unfitted estimator this is :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            Feature sequences to add.
        y : array-like of shape (n_sequences,)
            Their labels.
        classes : array-like, default=None
            Labels to declare in ``classes_`` even before any sequence of
            theirs is registered (scikit-learn's ``partial_fit`` convention;
            unlike scikit-learn, later calls may still add new classes).

        Returns
        -------
        self : DTWNearestNeighbors
            The updated classifier.
        """
        if not hasattr(self, "classes_"):
            self.fit(X, y)
            if classes is not None:
                self._add_classes(classes)
            return self
        self._check_params()
        X3, lengths, y = check_sequence_dataset(
            self, X, "required" if y is None else y, reset=False, allow_missing=False,
            dtype=np.float32,
        )
        check_classification_targets(y)
        new = PackedSequences(X3, lengths, self.metric)
        if (self.classes_.dtype.kind in "US") != (y.dtype.kind in "US"):
            raise TypeError(
                f"partial_fit labels must be of the same kind as the fitted ones "
                f"(got {y.dtype} after {self.classes_.dtype})."
            )
        # back to fit order, append, sort again: old sequences are unchanged
        inv = np.empty_like(self._order)
        inv[self._order] = np.arange(len(inv))
        D = self._dictionary()
        frames, sqn, _, lens = D.subset(inv)
        merged = PackedSequences.__new__(PackedSequences)
        merged.frames = np.concatenate([frames, new.frames])
        merged.sqnorm = np.concatenate([sqn, new.sqnorm])
        merged.lengths = np.concatenate([lens, new.lengths])
        merged.offsets = np.concatenate([[0], np.cumsum(merged.lengths)[:-1]]).astype(np.int64)
        merged.metric = self.metric
        self._store(merged)
        old = self.classes_[self._y]
        self._add_classes(y if classes is None else np.concatenate([np.asarray(classes), y]))
        self._y = np.searchsorted(self.classes_, np.concatenate([old, y]))
        self.n_samples_fit_ = len(self._lengths)
        self._index = SegmentIndex(self._dictionary()) if self.algorithm == "pruned" else None
        return self

    def _add_classes(self, labels):
        old = self.classes_[self._y]
        self.classes_ = np.union1d(self.classes_, np.asarray(labels))
        self._y = np.searchsorted(self.classes_, old)

    def _set_dictionary(self, X3, lengths, y):
        self._store(PackedSequences(X3, lengths, self.metric))
        self.classes_, self._y = np.unique(y, return_inverse=True)
        self.n_samples_fit_ = len(lengths)
        self._index = SegmentIndex(self._dictionary()) if self.algorithm == "pruned" else None

    def _dictionary(self):
        """The dictionary, stored sorted by length (``_order`` maps back)."""
        D = PackedSequences.__new__(PackedSequences)
        D.frames, D.sqnorm, D.lengths, D.metric = (
            self._frames, self._sqnorm, self._lengths, self.metric)
        D.offsets = np.concatenate([[0], np.cumsum(self._lengths)[:-1]]).astype(np.int64)
        return D

    def _store(self, P):
        P, order = sorted_by_length(P)
        self._frames, self._sqnorm, self._lengths = P.frames, P.sqnorm, P.lengths
        self._order = order

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_index"] = None  # rebuilt on demand
        return state

    # -------------------------------------------------------------- queries
    def _queries(self, X):
        check_is_fitted(self)
        self._check_params()
        X3, lengths = check_sequence_dataset(self, X, reset=False, allow_missing=False,
                                             dtype=np.float32)
        return PackedSequences(X3, lengths, self.metric)

    def _all_scores(self, Q, D):
        bands = _Bands(Q.lengths, D.lengths, self.global_constraint,
                       self.sakoe_chiba_radius, self.itakura_max_slope)
        cost, length = pairwise_costs(Q, D, bands, n_jobs=self.n_jobs)
        scores = np.empty_like(cost)
        scores[:, self._order] = _scores_from(cost, length, self.metric, self.aggregate)
        return scores  # columns in fit order

    def _use_pruning(self, k):
        if self.algorithm == "pruned":
            return True
        if self.algorithm == "brute":
            return False
        return False

    def _top_k(self, Q, k):
        D = self._dictionary()
        if self._use_pruning(k):
            index = getattr(self, "_index", None)
            if index is None:  # not cached here: predict must not change state
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
        return _top_k_rows(self._all_scores(Q, D), k)

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
        self_query = X is None
        n_avail = self.n_samples_fit_ - (1 if self_query else 0)
        if k > n_avail:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit = {n_avail}, got {k}: the "
                "dictionary has fewer sequences than neighbours requested."
            )
        if self_query:
            D = self._dictionary()
            scores = np.empty((self.n_samples_fit_, self.n_samples_fit_))
            scores[self._order] = self._all_scores(D, D)  # rows to fit order too
            np.fill_diagonal(scores, -np.inf)
            s, idx = _top_k_rows(scores, k)
        else:
            s, idx = self._top_k(self._queries(X), k)
        return (s, idx) if return_distance else idx

    def class_scores(self, X):
        """Best DTW score of every query against each class.

        Parameters
        ----------
        X : array-like of shape (n_queries, max_frames, n_features)
            Query sequences.

        Returns
        -------
        scores : ndarray of shape (n_queries, n_classes)
            Highest similarity to a dictionary sequence of each class (columns
            in ``classes_`` order); the ranking used for average precision.
            Classes with no feasible pair get the lowest finite float. (Not
            named ``decision_function``: with ``n_neighbors > 1`` its argmax
            need not be the voted prediction.)
        """
        Q = self._queries(X)
        scores = self._all_scores(Q, self._dictionary())
        out = np.full((scores.shape[0], len(self.classes_)), -np.inf)
        for c in range(len(self.classes_)):
            cols = self._y == c
            if cols.any():
                out[:, c] = scores[:, cols].max(axis=1)
        return np.where(np.isfinite(out), out, np.finfo(np.float64).min)

    def _votes(self, X):
        s, idx = self.kneighbors(X, return_distance=True)
        if np.isneginf(s[:, 0]).any():
            bad = int(np.flatnonzero(np.isneginf(s[:, 0]))[0])
            raise ValueError(
                f"Query {bad} has no feasible alignment with any dictionary "
                "sequence under the global constraint; widen the constraint."
            )
        if self.weights == "uniform":
            w = np.ones_like(s)
        else:
            w = np.asarray(self.weights(s), dtype=np.float64)
            if w.shape != s.shape or not np.isfinite(w).all() or (w < 0).any():
                raise ValueError(
                    "weights callable must return finite non-negative weights of "
                    f"shape {s.shape}."
                )
        w = np.where(np.isneginf(s), 0.0, w)
        votes = np.zeros((len(s), len(self.classes_)))
        labels = self._y[idx]
        for j in range(s.shape[1]):
            np.add.at(votes, (np.arange(len(s)), labels[:, j]), w[:, j])
        return votes, s, idx

    def predict_proba(self, X):
        """Fraction of (weighted) neighbour votes for every class.

        Parameters
        ----------
        X : array-like of shape (n_queries, max_frames, n_features)
            Query sequences.

        Returns
        -------
        proba : ndarray of shape (n_queries, n_classes)
            Rows sum to 1.
        """
        votes, _, _ = self._votes(X)
        total = votes.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        return votes / total

    def predict(self, X):
        """Label of the most voted class.

        Ties between classes go to the first in ``classes_`` (as in
        :class:`~sklearn.neighbors.KNeighborsClassifier`), so ``predict`` is
        the argmax of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_queries, max_frames, n_features)
            Query sequences.

        Returns
        -------
        y_pred : ndarray of shape (n_queries,)
            Predicted labels.
        """
        votes, _, _ = self._votes(X)
        return self.classes_[votes.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        return tags


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
    sub = PackedSequences.__new__(PackedSequences)
    frames, sqn, offs, lens = Q.subset(rows)
    sub.frames, sub.sqnorm, sub.offsets, sub.lengths, sub.metric = frames, sqn, offs, lens, metric
    return knn_pruned(sub, D, index, bands, k, metric, aggregate)
