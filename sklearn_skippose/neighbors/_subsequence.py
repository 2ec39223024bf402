"""Long recordings registered once for many subsequence searches."""

from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..metrics._subsequence import (_check_same_features, check_query, check_search_params,
                                    pack_recordings, search)

__all__ = ["DTWSubsequenceIndex"]


class DTWSubsequenceIndex(BaseEstimator):
    """Long recordings searched for where a motion happens (subsequence DTW).

    :func:`~sklearn_skippose.metrics.dtw_subsequence_search` as an index:
    ``fit`` validates the recordings and packs their frames once (normalised
    for the cosine metric), :meth:`partial_fit` adds more, and every
    :meth:`search` aligns a query with them, so many queries do not validate and copy the recordings again and
    again. The matches are those of the function with the same settings.

    Parameters
    ----------
    n_matches : int or None, default=5
        Most matches :meth:`search` returns by default; None returns every
        separated match reaching ``min_score``.
    min_score : float, default=None
        Lowest score :meth:`search` returns by default (None: no threshold).
    min_gap : int, default=None
        Fewest frames between two matches of one recording; None: half the
        query's length.
    steps : {"bounded", "classic"}, default="bounded"
        Steps of the warping path (see
        :func:`~sklearn_skippose.metrics.dtw_subsequence_search`):
        ``"bounded"`` lets a match last between about half and twice the
        query's length.
    metric : {"cosine", "euclidean"}, default="cosine"
        Local similarity between frames. It is fixed by ``fit`` (the
        registered frames are normalised for it).
    aggregate : {"mean", "cost"}, default="mean"
        Score of a match: the mean local similarity along its path, or minus
        its accumulated cost.

    Attributes
    ----------
    n_features_in_ : int
        Features per frame.
    n_samples_fit_ : int
        Number of registered recordings.
    lengths_ : ndarray of shape (`n_samples_fit_`,)
        Number of frames of every recording (padding dropped).

    See Also
    --------
    sklearn_skippose.metrics.dtw_subsequence_search : One search, without an
        index.
    DTWNeighborsIndex : Whole clips against whole clips.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose import DTWSubsequenceIndex
    >>> t = np.arange(80) * 2 * np.pi / 40  # two turns of 40 frames
    >>> recordings = [np.c_[np.cos(t), np.sin(t)], np.c_[np.cos(2 * t), np.sin(t)]]
    >>> index = DTWSubsequenceIndex(n_matches=2).fit(recordings)
    >>> m = index.search(recordings[0][20:30])  # found in both turns
    >>> m.sequence.tolist(), m.start.tolist(), m.stop.tolist(), m.score.round(3).tolist()
    ([0, 0], [20, 60], [30, 70], [1.0, 1.0])
    """

    def __init__(self, n_matches=5, *, min_score=None, min_gap=None, steps="bounded",
                 metric="cosine", aggregate="mean"):
        self.n_matches = n_matches
        self.min_score = min_score
        self.min_gap = min_gap
        self.steps = steps
        self.metric = metric
        self.aggregate = aggregate

    def fit(self, X, y=None):
        """Register the recordings.

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            The recordings, NaN-padded, or a list of ``(T_i, n_features)`` or
            ``(T_i, n_joints, 2)`` arrays of any lengths (they are packed one
            after another, never padded to the longest). A 2D array is
            refused: one recording is ``[recording]``.
        y : None
            Ignored.

        Returns
        -------
        self : DTWSubsequenceIndex
            This index.
        """
        check_search_params(self.steps, self.metric, self.aggregate)
        recordings = pack_recordings(X, self.metric)
        self._metric_fitted = self.metric
        self.n_features_in_ = recordings.frames.shape[1]
        return self._register(recordings)

    def _register(self, recordings):
        """Keep the packed recordings and the attributes that describe them."""
        self._recordings = recordings
        self.n_samples_fit_ = len(recordings)
        self.lengths_ = recordings.lengths.copy()
        return self

    def partial_fit(self, X, y=None):
        """Register more recordings after those already registered.

        The first call on an unfitted index is ``fit``. The recordings keep
        their order: the new ones are numbered after the old in ``sequence``.

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            More recordings, as in :meth:`fit`, with the features seen in
            ``fit``.
        y : None
            Ignored.

        Returns
        -------
        self : DTWSubsequenceIndex
            This index.
        """
        if not hasattr(self, "_recordings"):
            return self.fit(X)
        check_search_params(self.steps, self.metric, self.aggregate)
        self._check_fitted_metric()
        new = pack_recordings(X, self.metric)
        if new.frames.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {new.frames.shape[1]} features per frame, but the recordings "
                f"registered have {self.n_features_in_}."
            )
        return self._register(self._recordings.concatenate(new))

    def _check_fitted_metric(self):
        if self.metric != self._metric_fitted:
            raise ValueError(
                f"metric was set to {self.metric!r} after fit, but the recordings were "
                f"registered for {self._metric_fitted!r}; fit again to search with it."
            )

    def search(self, query, n_matches=None, *, min_score=None, min_gap=None,
               return_profile=True):
        """Best-matching stretches of the registered recordings for a query.

        Parameters
        ----------
        query : array-like of shape (n_frames, n_features)
            One motion to look for (a single sequence ``(1, n_frames,
            n_features)`` and poses ``(n_frames, n_joints, 2)`` too).
        n_matches, min_score, min_gap : default=None
            This call's selection; None uses the estimator's parameter of
            the same name.
        return_profile : bool, default=True
            Whether to return the matching ``profile`` (padded to the
            longest recording; False returns None, for many recordings of
            very different lengths).

        Returns
        -------
        matches : :class:`~sklearn.utils.Bunch`
            ``sequence``, ``start``, ``stop``, ``score``, ``cost``,
            ``path_length`` (one entry per match, best first) and the
            matching ``profile`` (`n_samples_fit_`, ``max(lengths_)``), as
            :func:`~sklearn_skippose.metrics.dtw_subsequence_search` returns
            them; ``sequence`` indexes the registered recordings.
        """
        check_is_fitted(self, "_recordings")
        check_search_params(self.steps, self.metric, self.aggregate)
        self._check_fitted_metric()
        Q = check_query(query, self.metric)
        D = self._recordings
        _check_same_features(Q, D)
        return search(
            Q, D,
            self.n_matches if n_matches is None else n_matches,
            self.min_score if min_score is None else min_score,
            self.min_gap if min_gap is None else min_gap,
            self.steps, self.metric, self.aggregate, return_profile,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True  # padding
        tags.input_tags.two_d_array = False
        return tags
