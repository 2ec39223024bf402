"""DTW neighbourhood graphs as a pipeline step (scikit-learn's KNeighborsTransformer)."""

from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin

from ._base import BaseDTWNeighbors

__all__ = ["DTWNeighborsTransformer"]


class DTWNeighborsTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                              BaseDTWNeighbors):
    """Sequences into a sparse graph of their DTW nearest neighbours.

    The DTW counterpart of scikit-learn's
    :class:`~sklearn.neighbors.KNeighborsTransformer`, for pipelines:
    ``fit`` registers sequences, ``transform`` returns every query's
    ``n_neighbors`` most similar registered sequences as a sparse row, and an
    estimator that takes a precomputed sparse neighbourhood follows it, e.g.
    :class:`~sklearn.cluster.SpectralClustering` with
    ``affinity="precomputed_nearest_neighbors"``,
    :class:`~sklearn.cluster.DBSCAN`, :class:`~sklearn.manifold.Isomap` or
    :class:`~sklearn.manifold.TSNE` with ``metric="precomputed"``. The graph
    stays linear in the number of sequences, where the full pairwise matrix
    (:func:`~sklearn_skippose.metrics.pairwise_dtw_scores`) is quadratic, and
    the embedder before it can be tuned by ``GridSearchCV`` like any step.

    As in scikit-learn, ``fit_transform(X)`` is ``fit(X).transform(X)``:
    every sequence is its own best neighbour, so with ``mode="distance"`` one
    extra neighbour is returned per row (``n_neighbors + 1`` entries, the
    first the sequence itself, at distance 0 up to float32 rounding).

    Parameters
    ----------
    mode : {"distance", "connectivity", "score"}, default="distance"
        Value of an edge: the score's shortfall from a perfect match
        (``1 - score`` for the ``"mean"`` cosine score; see
        :meth:`radius_neighbors_graph`), 1, or the DTW similarity score.
    n_neighbors : int, default=5
        Neighbours per row (one more in ``"distance"`` mode, see above).
    metric : {"cosine", "euclidean"}, default="cosine"
        Local similarity between time steps.
    aggregate : {"mean", "cost", "sum"}, default="mean"
        DTW score, as in :class:`~sklearn_skippose.DTWNeighborsIndex`;
        ``"distance"`` mode needs ``"mean"`` or ``"cost"`` with the cosine
        metric.
    global_constraint : {None, "sakoe_chiba", "itakura"}, default=None
        Global path constraint, as tslearn defines it.
    sakoe_chiba_radius : int, default=None
        Radius of the Sakoe-Chiba band (1 when None and the band is used).
    itakura_max_slope : float, default=None
        Maximum slope of the Itakura parallelogram (2 when None).
    algorithm : {"auto", "brute", "pruned"}, default="auto"
        As in :class:`~sklearn_skippose.DTWNearestNeighbors`.
    n_jobs : int, default=None
        Joblib workers over blocks of queries.

    Attributes
    ----------
    n_features_in_ : int
        Features per time step.
    n_samples_fit_ : int
        Number of registered sequences (the graph's columns).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names (2D DataFrame input only).

    See Also
    --------
    DTWNeighborsIndex : The same search, queried directly.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cluster import DBSCAN
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_skippose import DTWNeighborsTransformer
    >>> t = np.linspace(0, 1, 12)[:, None]
    >>> rng = np.random.default_rng(0)
    >>> clips = [np.hstack([np.cos(f * t), np.sin(f * t)]) + 0.05 * rng.standard_normal((12, 2))
    ...          for f in (1, 1, 1, 6, 6, 6)]
    >>> graph = DTWNeighborsTransformer(n_neighbors=2).fit_transform(clips)
    >>> graph.shape, graph.nnz  # itself and its two best matches, per clip
    ((6, 6), 18)
    >>> model = make_pipeline(DTWNeighborsTransformer(n_neighbors=2),
    ...                       DBSCAN(eps=0.1, min_samples=3, metric="precomputed"))
    >>> model.fit_predict(clips).tolist()  # the slow and the fast clips
    [0, 0, 0, 1, 1, 1]
    """

    def __init__(
        self,
        mode="distance",
        n_neighbors=5,
        metric="cosine",
        aggregate="mean",
        global_constraint=None,
        sakoe_chiba_radius=None,
        itakura_max_slope=None,
        algorithm="auto",
        n_jobs=None,
    ):
        self.mode = mode
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.aggregate = aggregate
        self.global_constraint = global_constraint
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.algorithm = algorithm
        self.n_jobs = n_jobs

    def _check_params(self):
        super()._check_params()
        self._check_mode(self.mode)

    def fit(self, X, y=None):
        """Register the sequences (the graph's columns).

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            NaN-padded feature sequences; no NaN inside real frames.
        y : None
            Ignored.

        Returns
        -------
        self : DTWNeighborsTransformer
            The fitted transformer.
        """
        return self._fit_unlabelled(X)

    def transform(self, X):
        """Sparse graph of every sequence's nearest registered sequences.

        Parameters
        ----------
        X : array-like of shape (n_queries, max_frames, n_features)
            Query sequences.

        Returns
        -------
        graph : scipy.sparse.csr_matrix of shape (n_queries, n_samples_fit)
            ``n_neighbors`` entries per row (``n_neighbors + 1`` in
            ``"distance"`` mode), best first; pairs a global constraint admits
            no path for are left out.
        """
        k = self.n_neighbors + (self.mode == "distance")
        if self.mode == "distance" and hasattr(self, "n_samples_fit_") \
                and k > self.n_samples_fit_:
            raise ValueError(
                f"n_neighbors={self.n_neighbors} in 'distance' mode needs n_neighbors + 1 = "
                f"{k} registered sequences (every row holds one extra neighbour, as in "
                f"scikit-learn's KNeighborsTransformer), but {self.n_samples_fit_} are "
                "registered."
            )
        return self.kneighbors_graph(X, n_neighbors=k, mode=self.mode)

    @property
    def _n_features_out(self):
        return self.n_samples_fit_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # float64 scores whatever the input
        return tags
