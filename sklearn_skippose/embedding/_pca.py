"""Baseline 1 of the paper: PCA over the concatenated poses of each window."""

import warnings

import numpy as np
from sklearn.decomposition import PCA

from ..utils._warnings import warn_user
from ._base import BaseWindowEmbedder
from ._persistence import check_saved_arrays
from ._windows import gather_windows, sequence_frames, window_starts

__all__ = ["PCAEmbedder"]


class PCAEmbedder(BaseWindowEmbedder):
    """PCA of the concatenated frames of every sliding window (paper baseline 1).

    Every window of ``window`` frames is flattened to one vector of
    ``window * n_features`` values and projected on the principal components
    of the training windows.

    Missing values are handled explicitly: a missing coordinate is replaced by
    the training mean of that coordinate (mean imputation) before projecting,
    so it contributes nothing beyond the average pose.

    :meth:`score` and :meth:`score_samples` are minus the squared error of
    each window reconstructed from its projection, over the observed
    coordinates (the measure :class:`AutoencoderEmbedder` reports for its
    own reconstruction).

    Parameters
    ----------
    window : int, default=4
        Frames per window (the paper's ``T``).
    n_components : int, default=64
        Output dimension; reduced to ``min(n_windows, window * n_features)``
        (with a warning) when the data cannot support that many.
    stride : int, default=1
        Step between consecutive windows (training and transform).
    whiten : bool, default=False
        Passed to :class:`~sklearn.decomposition.PCA`.
    random_state : int, RandomState instance or None, default=None
        Passed to :class:`~sklearn.decomposition.PCA` (randomised solvers).

    Attributes
    ----------
    pca_ : sklearn.decomposition.PCA
        The fitted PCA.
    mean_ : ndarray of shape (window * n_features,)
        Training mean of every window coordinate (used for imputation).
    n_components_ : int
        Output dimension actually used.
    n_features_in_ : int
        Features per frame seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose import PCAEmbedder
    >>> X = np.random.default_rng(0).normal(size=(5, 12, 6))
    >>> PCAEmbedder(window=4, n_components=3).fit_transform(X).shape
    (5, 9, 3)
    """

    def __init__(self, window=4, n_components=64, stride=1, whiten=False, random_state=None):
        self.window = window
        self.n_components = n_components
        self.stride = stride
        self.whiten = whiten
        self.random_state = random_state

    _architecture_params = ("window", "n_components", "whiten")

    def _fit_sequences(self, X3, lengths):
        frames, mask, offsets, padded = sequence_frames(X3, lengths, self.window)
        starts, _ = window_starts(offsets, padded, self.window, self.stride)
        W = gather_windows(frames, starts, self.window).reshape(len(starts), -1)
        M = gather_windows(mask, starts, self.window).reshape(len(starts), -1)
        counts = M.sum(axis=0)
        mean = np.divide((W * M).sum(axis=0), counts, out=np.zeros(W.shape[1]),
                         where=counts > 0)
        W = np.where(M > 0, W, mean)
        k = min(self.n_components, W.shape[0], W.shape[1])
        if k < self.n_components:
            warn_user(
                f"n_components={self.n_components} reduced to {k}: the training data "
                f"has {W.shape[0]} windows of {W.shape[1]} values.")
        pca = PCA(n_components=k, whiten=self.whiten, random_state=self.random_state)
        if np.ptp(W, axis=0).max() > 0:
            pca.fit(W)
        else:  # scikit-learn's explained-variance ratios are 0 / 0 then, with a warning
            warn_user(
                "The training windows do not vary (every value is the same in all of "
                "them): every window will be embedded to the same point.")
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                pca.fit(W)
        # the randomised solver leaves a strided view: stored contiguous, a saved
        # and loaded PCA (save_params) multiplies the same memory layout, and so
        # embeds bit for bit as this one
        pca.components_ = np.ascontiguousarray(pca.components_)
        # the fitted state is replaced only once the PCA has fitted: a failing fit
        # leaves the previous one whole
        self.mean_, self.pca_, self.n_components_ = mean, pca, k
        self._arch_fitted = self._architecture()

    def _embed(self, windows, masks):
        W = windows.reshape(len(windows), -1).astype(np.float64)
        M = masks.reshape(len(masks), -1)
        W = np.where(M > 0, W, self.mean_)
        return self.pca_.transform(W)

    def _sample_errors(self, X3, lengths):
        """Per window, reconstructed from its projection."""
        frames, mask, starts, owner = self._windows_of(X3, lengths)
        se = np.empty(len(starts))
        count = np.empty(len(starts))
        for a in range(0, len(starts), self._transform_batch):
            s = starts[a : a + self._transform_batch]
            W = gather_windows(frames, s, self.window).reshape(len(s), -1).astype(np.float64)
            M = gather_windows(mask, s, self.window).reshape(len(s), -1).astype(np.float64)
            R = self.pca_.inverse_transform(self._embed(W, M))
            se[a : a + len(s)] = (((R - W) ** 2) * M).sum(axis=1)
            count[a : a + len(s)] = M.sum(axis=1)
        return se, count, owner

    # ------------------------------------------------------------ saving (save_params)
    def _saved_state(self):
        import sklearn

        pca = self.pca_
        state = {"mean": self.mean_, "pca_mean": pca.mean_, "components": pca.components_,
                 "explained_variance": pca.explained_variance_,
                 "explained_variance_ratio": pca.explained_variance_ratio_,
                 "singular_values": pca.singular_values_}
        # no training epochs: the keys every embedder file has, for one reader
        return state, {"scikit_learn_version": sklearn.__version__,
                       "n_features": int(self.n_features_in_), "n_epochs": 0,
                       "best_epoch": 0, "history": []}

    def _restore(self, meta, weights, name):
        self._check_window_params()
        arch = meta["architecture"]
        k, n_feat = meta["n_components"], meta["n_features_in"]
        if k > arch["n_components"] or meta["n_features"] != n_feat:
            raise ValueError(f"{name!s} does not describe a fitted PCAEmbedder "
                             f"(n_components {k}, n_features {meta['n_features']}).")
        d = arch["window"] * n_feat
        shapes = {"mean": (d,), "pca_mean": (d,), "components": (k, d),
                  "explained_variance": (k,), "explained_variance_ratio": (k,),
                  "singular_values": (k,)}
        check_saved_arrays(weights, shapes, "f", name, "arrays", "PCA", finite=True)
        pca = PCA(n_components=k, whiten=arch["whiten"], random_state=self.random_state)
        pca.mean_ = np.array(weights["pca_mean"], dtype=np.float64)
        pca.components_ = np.array(weights["components"], dtype=np.float64)
        pca.explained_variance_ = np.array(weights["explained_variance"], dtype=np.float64)
        pca.explained_variance_ratio_ = np.array(weights["explained_variance_ratio"],
                                                 dtype=np.float64)
        pca.singular_values_ = np.array(weights["singular_values"], dtype=np.float64)
        pca.n_components_ = k
        pca.n_features_in_ = d
        self.mean_ = np.array(weights["mean"], dtype=np.float64)
        self.pca_ = pca
        self.n_components_ = k
        self.n_features_in_ = n_feat
        self._arch_fitted = dict(arch)
        return self
