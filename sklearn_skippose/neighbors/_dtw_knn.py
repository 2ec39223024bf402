"""Nearest-neighbour classification of feature sequences under cosine-similarity DTW."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from ._base import BaseDTWNeighbors

__all__ = ["DTWNearestNeighbors"]


class DTWNearestNeighbors(ClassifierMixin, BaseDTWNeighbors):
    """Classifier and retrieval index: k nearest neighbours under DTW similarity.

    The paper's classifier (section 3.2): every query sequence of per-time-step
    feature vectors is aligned to every dictionary sequence by dynamic time
    warping over their map of cosine similarities, the pair is scored by
    the similarities along the optimal path, and the query takes the label
    of its most similar dictionary sequences. The paper sums the
    similarities (``aggregate="sum"``); the default divides the sum by the
    path length (``"mean"``), which does not favour long dictionary
    sequences. See
    :func:`~sklearn_skippose.metrics.pairwise_dtw_scores` for the exact
    definitions (path = classical DTW on ``1 - cos``; score = aggregate of the
    similarities along it; zero vectors have similarity 0).

    The dictionary can grow after fitting with :meth:`partial_fit`, including
    classes never seen before, without touching the sequences already there.
    For the same search without labels, use
    :class:`~sklearn_skippose.DTWNeighborsIndex`.

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
    aggregate : {"mean", "sum", "cost"}, default="mean"
        ``"mean"``: sum of similarities along the path divided by the path
        length (for cosine, 1 for a sequence against itself, the most any
        pair can score); ``"sum"``: the sum itself (the paper's score, eq. 7),
        which grows with the path length, so that a longer dictionary
        sequence can outscore the query's own copy; ``"cost"``: minus the
        accumulated DTW cost (the classical DTW ranking, identical to
        tslearn's ``cdist_dtw`` on L2-normalised frames for cosine). On
        JHMDB ``"mean"`` beat ``"sum"`` for every embedder in the
        cross-validation on training clips (user guide, "How DTW scoring
        works"); it is the evaluation's setting too.
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
        Joblib workers over blocks of queries. The compiled kernels already
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

    See Also
    --------
    DTWNeighborsIndex : The same search without labels.
    sklearn_skippose.metrics.pairwise_dtw_scores : Every query against every
        sequence.

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
        aggregate="mean",
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
        super()._check_params()
        if self.weights != "uniform" and not callable(self.weights):
            raise ValueError(f"weights must be 'uniform' or a callable, got {self.weights!r}.")

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
        X3, lengths, y = self._validate(X, "required" if y is None else y, reset=True)
        check_classification_targets(y)
        self._register(X3, lengths)
        self.classes_, self._y = np.unique(y, return_inverse=True)
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
        if classes is not None:
            if isinstance(classes, (str, bytes)):
                raise TypeError(
                    f"classes must be an array-like of labels, got the string {classes!r} "
                    "(for one label, pass [label])."
                )
            classes = np.asarray(classes)
            if classes.ndim != 1:
                raise ValueError(
                    f"classes must be 1-dimensional, got an array of shape {classes.shape}."
                )
        if not hasattr(self, "classes_"):
            if classes is not None and y is not None:
                _check_same_kind(classes, np.asarray(y))  # before anything is stored
            self.fit(X, y)
            if classes is not None:
                self._add_classes(classes)
            return self
        self._check_params()
        X3, lengths, y = self._validate(X, "required" if y is None else y, reset=False)
        check_classification_targets(y)
        _check_same_kind(y, self.classes_, "partial_fit's y", "the fitted ones")
        if classes is not None:
            _check_same_kind(classes, y)  # before the dictionary changes
        old = self.classes_[self._y]
        self._append(X3, lengths)
        self._add_classes(y if classes is None else np.concatenate([classes, y]))
        self._y = np.searchsorted(self.classes_, np.concatenate([old, y]))
        return self

    def _add_classes(self, labels):
        old = self.classes_[self._y]
        self.classes_ = np.union1d(self.classes_, np.asarray(labels))
        self._y = np.searchsorted(self.classes_, old)

    # -------------------------------------------------------------- queries
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
        out = np.full((len(Q), len(self.classes_)), -np.inf)
        present = [(c, self._y == c) for c in range(len(self.classes_))]
        for rows, scores in self._score_blocks(Q, self._dictionary()):
            for c, cols in present:
                if cols.any():
                    out[rows, c] = scores[:, cols].max(axis=1)
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


def _check_same_kind(labels, other, what="classes", other_name="y"):
    """Strings and numbers cannot be mixed in one set of labels."""
    if (labels.dtype.kind in "US") != (other.dtype.kind in "US"):
        raise TypeError(
            f"{what} must be labels of the same kind as {other_name} (got {labels.dtype} "
            f"and {other.dtype})."
        )
