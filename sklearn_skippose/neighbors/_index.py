"""Unsupervised similar-motion search: a DTW index without labels."""

from ._base import BaseDTWNeighbors

__all__ = ["DTWNeighborsIndex"]


class DTWNeighborsIndex(BaseDTWNeighbors):
    """Search index of feature sequences under DTW similarity, without labels.

    The unsupervised counterpart of
    :class:`~sklearn_skippose.DTWNearestNeighbors` (as scikit-learn's
    :class:`~sklearn.neighbors.NearestNeighbors` is of
    :class:`~sklearn.neighbors.KNeighborsClassifier`): ``fit`` registers
    sequences, ``partial_fit`` adds more, and :meth:`kneighbors` returns the
    most similar registered sequences of every query, best first
    (:meth:`radius_neighbors`: every sequence above a score;
    :meth:`kneighbors_graph` and :meth:`radius_neighbors_graph`: the same as
    sparse graphs for scikit-learn's clustering and manifold estimators). Similarity
    is the paper's (section 3.2): dynamic time warping over the map of
    cosine similarities between time steps, the pair scored by the
    similarities along the path; see
    :func:`~sklearn_skippose.metrics.pairwise_dtw_scores` for the exact
    definitions. It is what a similar-motion search over unlabelled clips
    needs: embed the clips (e.g. with
    :class:`~sklearn_skippose.SkipPoseEmbedder`), register the embeddings,
    query with the embedding of a new clip.

    Parameters
    ----------
    n_neighbors : int, default=5
        Number of neighbours :meth:`kneighbors` returns by default.
    metric : {"cosine", "euclidean"}, default="cosine"
        Local similarity between time steps.
    aggregate : {"sum", "mean", "cost"}, default="mean"
        ``"sum"``: sum of similarities along the path (the paper's score);
        ``"mean"``: that sum divided by the path length (the evaluation's
        choice: it does not favour long sequences); ``"cost"``: minus the
        accumulated DTW cost.
    global_constraint : {None, "sakoe_chiba", "itakura"}, default=None
        Global path constraint, as tslearn defines it.
    sakoe_chiba_radius : int, default=None
        Radius of the Sakoe-Chiba band (1 when None and the band is used).
    itakura_max_slope : float, default=None
        Maximum slope of the Itakura parallelogram (2 when None).
    algorithm : {"auto", "brute", "pruned"}, default="auto"
        As in :class:`~sklearn_skippose.DTWNearestNeighbors`: ``"pruned"``
        skips sequences that provably cannot be among the neighbours (the
        same result); ``"auto"`` is ``"brute"``.
    n_jobs : int, default=None
        Joblib workers over blocks of queries (see
        :class:`~sklearn_skippose.DTWNearestNeighbors`).

    Attributes
    ----------
    n_features_in_ : int
        Features per time step.
    n_samples_fit_ : int
        Number of registered sequences.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names (2D DataFrame input only).

    See Also
    --------
    DTWNearestNeighbors : The same search with labels, as a classifier.
    sklearn_skippose.metrics.pairwise_dtw_scores : Every query against every
        sequence.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose import DTWNeighborsIndex
    >>> t = np.linspace(0, 1, 20)[:, None]
    >>> wave = np.hstack([np.cos(3 * t), np.sin(3 * t)])
    >>> clips = [wave, wave[::-1], wave[::2], np.ones((5, 2))]
    >>> index = DTWNeighborsIndex(n_neighbors=2).fit(clips)
    >>> scores, idx = index.kneighbors(wave[None, 1:15])  # a piece of the wave
    >>> idx.tolist()  # its half-speed copy and the wave itself, not the reversed wave
    [[2, 0]]
    >>> index.kneighbors_graph(wave[None, 1:15]).toarray()  # the same, as a sparse graph
    array([[1., 0., 1., 0.]])
    >>> _, idx = index.radius_neighbors(wave[None, 1:15], min_score=0.9)  # every clip scoring 0.9+
    >>> idx[0].tolist()
    [0, 2]
    """

    def __init__(
        self,
        n_neighbors=5,
        metric="cosine",
        aggregate="mean",
        global_constraint=None,
        sakoe_chiba_radius=None,
        itakura_max_slope=None,
        algorithm="auto",
        n_jobs=None,
    ):
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.aggregate = aggregate
        self.global_constraint = global_constraint
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.algorithm = algorithm
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        """Register the sequences to search.

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            NaN-padded feature sequences (a list of ``(T_i, n_features)``
            arrays, or a 2D array of one-frame sequences, also works); no NaN
            inside real frames.
        y : None
            Ignored.

        Returns
        -------
        self : DTWNeighborsIndex
            The fitted index.
        """
        return self._fit_unlabelled(X)

    def partial_fit(self, X, y=None):
        """Add sequences to the index.

        Registered sequences keep their indices; the new ones follow them, in
        order. On an unfitted index this is :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            Feature sequences with the feature count seen in ``fit``.
        y : None
            Ignored.

        Returns
        -------
        self : DTWNeighborsIndex
            The updated index.
        """
        if not hasattr(self, "n_samples_fit_"):
            return self.fit(X)
        self._check_params()
        X3, lengths = self._validate(X, reset=False)
        self._append(X3, lengths)
        return self
