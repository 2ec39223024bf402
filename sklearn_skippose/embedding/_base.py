"""What every window embedder shares: validation, windows, the output layout."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._sequences import (
    SequenceTransformerMixin,
    check_int_param,
    check_sequence_dataset,
    is_tabular,
)
from ._windows import gather_windows, sequence_frames, window_starts

__all__ = ["BaseWindowEmbedder"]


class BaseWindowEmbedder(SequenceTransformerMixin, TransformerMixin, BaseEstimator):
    """Base class: a sequence becomes the sequence of its window embeddings.

    Subclasses implement ``_fit_frames(frames, mask, offsets, lengths)`` and
    ``_embed(windows, masks)`` (windows of shape ``(n, window, n_features)``
    to ``(n, n_components_)``).
    """

    _transform_batch = 4096
    #: parameters the fitted embedding is made of: changing one needs a new fit
    _architecture_params = ("window", "n_components")

    def _architecture(self):
        return {name: getattr(self, name) for name in self._architecture_params}

    def _continues_training(self):
        """Whether ``fit`` goes on from the fitted state (warm start)."""
        return False

    def _settings_differing_from(self, arch):
        """``{name: (value in arch, value now)}`` for the settings of ``arch``
        this estimator has set otherwise."""
        return {k: (v, getattr(self, k)) for k, v in (arch or {}).items()
                if getattr(self, k) != v}

    def _check_architecture(self, doing):
        """Raise when a parameter the fitted embedding is made of has been set
        to another value since ``fit``."""
        changed = self._settings_differing_from(getattr(self, "_arch_fitted", None))
        if changed:
            what = ", ".join(f"{k} {old!r} -> {new!r}" for k, (old, new) in changed.items())
            raise ValueError(
                f"{type(self).__name__} was fitted with other settings than it has now "
                f"({what}); {doing}"
            )

    # ------------------------------------------------------------- saving
    def save_params(self, file):
        """Save the fitted embedder to a file that loads without pickle.

        The file (a ``.npz`` archive) holds what the embedder learnt as
        arrays (a neural embedder's weights; :class:`~sklearn_skippose.PCAEmbedder`'s
        imputation mean and the PCA's mean, components, variances and
        singular values) and, as JSON, the settings the embedding is made of,
        the feature count, ``history_`` (neural embedders) and every
        constructor parameter with a plain value. Parameters that are objects
        (``augmentation``, ``jitter``, ``contrastive_view``, ``callbacks``)
        are not saved; their names are recorded. Loading
        (:meth:`load_params`, :func:`~sklearn_skippose.embedding.load_embedder`)
        executes nothing from the file and does not depend on the versions
        of scikit-learn or torch that wrote it, so it is the way to share
        trained weights. A pickle (``joblib.dump``) keeps everything,
        parameters included, but runs code when loaded and needs compatible
        library versions.

        Parameters
        ----------
        file : str, path-like or file-like object
            Where to write; a path is written as given (no ``.npz`` is
            appended).

        Returns
        -------
        None
            The file is written.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_skippose import SkipPoseEmbedder
        >>> X = np.random.default_rng(0).normal(size=(6, 20, 4))
        >>> emb = SkipPoseEmbedder(window=2, n_components=8, max_epochs=2).fit(X)
        >>> emb.save_params("skippose.npz")  # doctest: +SKIP
        """
        from ._persistence import write_params_file

        check_is_fitted(self)
        write_params_file(self, file)

    def load_params(self, file):
        """Load an embedder saved with :meth:`save_params` into this one.

        The embedder must have been constructed with the settings the saved
        one is made of (:class:`~sklearn_skippose.SkipPoseEmbedder`: ``window``,
        ``n_components``, ``cell``, ``decode_past``;
        :class:`~sklearn_skippose.AutoencoderEmbedder`: ``window``, ``n_components``;
        :class:`~sklearn_skippose.PCAEmbedder`: ``window``, ``n_components``, ``whiten``), as
        skorch's ``load_params`` needs the same module;
        :func:`~sklearn_skippose.embedding.load_embedder` takes them from the
        file instead. Afterwards it is fitted: ``transform`` embeds as the
        saved embedder did (a neural one on ``device``); a neural embedder's
        ``history_``, ``n_epochs_`` and ``best_epoch_`` are the saved ones,
        and ``warm_start=True`` continues training from the loaded weights.

        Parameters
        ----------
        file : str, path-like or file-like object
            A file written by :meth:`save_params`.

        Returns
        -------
        self : object
            The fitted embedder.

        Raises
        ------
        ValueError
            If the file was not written by ``save_params``, holds another
            estimator or another network, or the embedder's settings differ
            from those the saved one is made of.

        Examples
        --------
        >>> import io
        >>> import numpy as np
        >>> from sklearn_skippose import PCAEmbedder
        >>> X = np.random.default_rng(0).normal(size=(5, 12, 6))
        >>> emb = PCAEmbedder(window=4, n_components=3).fit(X)
        >>> f = io.BytesIO()
        >>> emb.save_params(f)
        >>> _ = f.seek(0)
        >>> back = PCAEmbedder(window=4, n_components=3).load_params(f)
        >>> np.array_equal(back.transform(X), emb.transform(X), equal_nan=True)
        True
        """
        from ._persistence import read_params_file

        meta, weights = read_params_file(file)
        return self._load(meta, weights, file)

    def _load(self, meta, weights, file):
        """Restore the fitted state saved in ``file`` (read into ``meta`` and
        ``weights``), once its estimator and settings are checked to be this
        one's; the subclass's ``_restore`` does the rest."""
        name = getattr(file, "name", file)
        if meta["estimator"] != type(self).__name__:
            raise ValueError(
                f"{name!s} holds a fitted {meta['estimator']}, not a "
                f"{type(self).__name__}; load it into a {meta['estimator']} or with "
                "sklearn_skippose.embedding.load_embedder.")
        arch = meta["architecture"]
        if not isinstance(arch, dict) or set(arch) != set(self._architecture_params):
            raise ValueError(f"{name!s} does not describe a fitted {type(self).__name__} "
                             f"(architecture {arch!r}).")
        changed = self._settings_differing_from(arch)
        if changed:
            settings = ", ".join(f"{k}={v!r}" for k, (v, _) in changed.items())
            raise ValueError(
                f"{name!s} holds an embedder made with {settings}, but this embedder has "
                + ", ".join(f"{k}={now!r}" for k, (_, now) in changed.items())
                + f". Construct it with {settings}, or load the file with "
                "sklearn_skippose.embedding.load_embedder, which takes them from it.")
        return self._restore(meta, weights, name)

    def _check_window_params(self):
        check_int_param(self.window, "window")
        check_int_param(self.n_components, "n_components")
        check_int_param(self.stride, "stride")

    def _validate(self, X, reset):
        X3, lengths = check_sequence_dataset(self, X, reset=reset, allow_missing=True)
        return X3, lengths

    def fit(self, X, y=None):
        """Learn the window embedding from unlabeled sequences.

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            NaN-padded sequences (normalised poses, or any per-frame
            features); NaN inside real frames marks missing values.
        y : None
            Ignored: training is unsupervised.

        Returns
        -------
        self : object
            The fitted embedder.
        """
        self._check_window_params()
        X3, lengths = self._validate(X, reset=True)
        if self._continues_training():
            self._check_architecture(
                "warm_start=True can only continue training the same network. Set "
                "warm_start=False to train a new one, or set the settings back.")
        self._fit_sequences(X3, lengths)  # sets _arch_fitted when it replaces the state
        return self

    def _windows_of(self, X3, lengths):
        frames, mask, offsets, padded = sequence_frames(X3, lengths, self.window)
        starts, owner = window_starts(offsets, padded, self.window, self.stride)
        return frames, mask, starts, owner

    def transform(self, X):
        """Embed every sliding window of every sequence.

        Window ``k`` of a sequence covers frames ``k * stride`` to
        ``k * stride + window - 1``. A sequence shorter than ``window`` is
        extended by repeating its last frame and gives one window.

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            NaN-padded sequences with the feature count seen in ``fit``.

        Returns
        -------
        Z : ndarray of shape (n_sequences, max_windows, `n_components_`)
            NaN-padded sequence of window embeddings, ready for
            :class:`~sklearn_skippose.DTWNearestNeighbors`. For a 2D input
            (one-frame sequences, one window each) the result is 2D,
            ``(n_sequences, n_components_)``.
        """
        check_is_fitted(self)
        self._check_window_params()
        self._check_architecture("fit it again before transform, or set the settings back.")
        two_d = is_tabular(X)
        X3, lengths = self._validate(X, reset=False)
        frames, mask, starts, owner = self._windows_of(X3, lengths)
        emb = np.empty((len(starts), self.n_components_), dtype=np.float64)
        for a in range(0, len(starts), self._transform_batch):
            s = starts[a : a + self._transform_batch]
            emb[a : a + len(s)] = self._embed(
                gather_windows(frames, s, self.window), gather_windows(mask, s, self.window)
            )
        counts = np.bincount(owner, minlength=len(lengths))
        out = np.full((len(lengths), int(counts.max()), self.n_components_), np.nan)
        pos = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        out[owner, pos] = emb
        return out[:, 0, :] if two_d else out

    # ------------------------------------------------ the training objective
    def _sample_errors(self, X3, lengths):
        """Squared error and observed-entry count of every training sample
        (window or triplet) of validated sequences, and its sequence."""
        raise NotImplementedError

    def _reconstruction_errors(self, X):
        """:meth:`_sample_errors` of ``X`` after the checks every scoring
        shares, and the number of sequences."""
        check_is_fitted(self)
        self._check_window_params()
        self._check_architecture("fit it again before scoring, or set the settings back.")
        X3, lengths = self._validate(X, reset=False)
        return (*self._sample_errors(X3, lengths), len(lengths))

    def score(self, X, y=None):
        """Minus the reconstruction error of ``X``: the training objective.

        The masked mean squared error over every training sample of ``X``,
        over the observed coordinates only, negated so that greater is
        better:

        - :class:`SkipPoseEmbedder`: the paper's equation 5, every (past,
          current, future) triplet, the past and future windows reconstructed
          from the current one's embedding. With no keypoint missing it
          equals minus the ``valid_loss`` of ``history_`` on the same clips.
        - :class:`AutoencoderEmbedder`: every window reconstructed from its
          code (minus ``valid_loss`` likewise).
        - :class:`PCAEmbedder`: every window reconstructed from its
          projection on the principal components (missing coordinates
          mean-imputed before projecting, and not scored).

        On held-out clips this chooses settings without labels
        (``GridSearchCV`` on the embedder alone uses it): for the neural
        embedders ``n_components``, ``max_epochs``, ``lr``, the augmentation.
        It does not compare different ``window`` or ``decode_past`` values,
        which change what is reconstructed. For :class:`PCAEmbedder` it can
        only grow with ``n_components`` (more components reconstruct more),
        so it compares PCA with the autoencoder at one window and size, or
        finds clips unlike the training clips, but does not choose the size;
        the probabilistic-PCA log-likelihood of the concatenated windows,
        ``pca_.score``, does.

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            NaN-padded sequences with the feature count seen in ``fit``.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Minus the mean squared error per observed coordinate.
        """
        se, count, _, _ = self._reconstruction_errors(X)
        return -float(se.sum() / count.sum())

    def score_samples(self, X):
        """Minus the reconstruction error of every sequence of ``X``.

        As :meth:`score`, per sequence: the squared errors of the sequence's
        training samples over their observed coordinates. Clips unlike the
        training clips (poses outside their range, another normalisation, a
        badly tracked skeleton) score low.

        Parameters
        ----------
        X : array-like of shape (n_sequences, max_frames, n_features)
            NaN-padded sequences with the feature count seen in ``fit``.

        Returns
        -------
        scores : ndarray of shape (n_sequences,)
            Minus the mean squared error per observed coordinate of each
            sequence.
        """
        se, count, owner, n = self._reconstruction_errors(X)
        return -(np.bincount(owner, se, minlength=n) / np.bincount(owner, count, minlength=n))
