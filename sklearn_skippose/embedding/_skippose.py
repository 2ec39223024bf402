"""Skip-Pose Vectors (section 3.1 of the paper) and the autoencoder baseline."""

import math
from numbers import Real

from ..augmentation import PoseJitter
from ..utils._sequences import check_bool_param
from ._torch_base import TorchWindowEmbedder, masked_mse

__all__ = ["SkipPoseEmbedder", "AutoencoderEmbedder"]

# the recurrent cells SkipPoseNet can use (torch classes looked up when it is built)
_CELL_NAMES = ("gru", "lstm", "rnn")


def _default_view():
    return PoseJitter(mirror=0.0, scale=0.2, rotation=0.3, noise=0.02)


class SkipPoseEmbedder(TorchWindowEmbedder):
    """Unsupervised motion embedding of pose windows (Skip-Pose Vectors).

    ``fit`` cuts every training sequence into contiguous triplets of windows
    (past, current, future), each ``window`` frames long, and trains
    :class:`SkipPoseNet` to reconstruct the past and the future windows from
    the encoding ``h_c`` of the current one, with the masked squared error of
    the paper's equation 5 (missing keypoints are zeroed in the input by the
    binary mask and excluded from the loss). ``transform`` returns, for every
    sequence, the sequence of ``h_c`` of its sliding windows, a NaN-padded
    ``(n_sequences, max_windows, n_components)`` array that
    :class:`~sklearn_skippose.DTWNearestNeighbors` consumes.

    Works on any per-frame features, not only poses (the paper's "with image"
    variant is the same model over flattened crops).

    Beyond the paper, ``contrastive > 0`` adds a view-invariance term to the
    loss: every training triplet's current window is also drawn as a second,
    randomly rotated, scaled and noised view (``contrastive_view``), and the
    projections (``module_.head``) of the two encodings are pulled together
    and pushed away from the other windows of the batch (:func:`view_info_nce`).
    The encoder then keeps what identifies a motion across small changes of
    viewpoint and body size, which DTW matching of a query against
    dictionary clips of other people needs. With
    ``contrastive_pair="neighbours"`` the positive of a current window is
    instead the view of its past and future windows (a slowness, or
    time-contrastive, term: what persists over neighbouring windows of one
    clip, seen from another viewpoint). The validation loss that picks
    the epoch stays the reconstruction error.

    Short sequences: a sequence shorter than a triplet (``3 * window`` frames,
    ``2 * window`` with ``decode_past=False``) is extended at fit time by
    repeating its last frame, and one shorter than ``window`` likewise at
    transform time (one window). A window whose keypoints are all missing
    encodes to the embedding of an all-zero input and adds nothing to the
    loss.

    Parameters
    ----------
    window : int, default=4
        Frames per window (the paper's ``T``: 2, 4, 6).
    n_components : int, default=64
        Hidden size, the dimension of ``h_c`` (64 in the paper).
    cell : {"gru", "lstm", "rnn"}, default="gru"
        Recurrent cell of encoder and decoders.
    decode_past : bool, default=True
        Reconstruct the past window too (False: future decoder only, the
        paper's ablation).
    stride : int, default=1
        Step between consecutive training triplets and transform windows.
    augmentation : MocapProjection or None, default=None
        Extra unlabeled training triplets generated on the fly every epoch
        (``augmentation.n_samples`` per epoch), e.g. Human3.6M projected to
        2D from random cameras; tunable in ``GridSearchCV`` as
        ``augmentation__n_samples``.
    jitter : PoseJitter or None, default=None
        Random mirror/scale/rotation of every training triplet (real and
        generated; validation clips untouched), e.g.
        :class:`~sklearn_skippose.PoseJitter`; tunable as ``jitter__mirror``.
    contrastive : float, default=0.0
        Weight of the view-invariance term (:func:`view_info_nce`) added to
        the reconstruction loss; 0 trains the paper's objective alone (and
        draws no views). Not in the paper; see the results page for what
        it measured.
    temperature : float, default=0.1
        Temperature of the contrastive term.
    contrastive_view : PoseJitter or None, default=None
        How the second view of a window is drawn (from the window as the
        reconstruction sees it, after ``jitter``). None:
        ``PoseJitter(mirror=0.0, scale=0.2, rotation=0.3, noise=0.02)``.
        Unused when ``contrastive=0``.
    contrastive_pair : {"view", "neighbours"}, default="view"
        The positive of a current window in the contrastive term: the
        second view of the window itself, or the second view of its past
        and future windows in the triplet (their two terms averaged; the
        future one only with ``decode_past=False``). Unused when
        ``contrastive=0``.
    batch_size : int, default=256
        Triplets per optimisation step.
    max_epochs : int, default=100
        Upper bound on the number of epochs. 0 builds the network and
        trains nothing: ``transform`` then embeds with the random initial
        weights (a control for how much the training adds).
    lr : float, default=1e-3
        Learning rate of the optimizer (Adam's 1e-3 is the paper's).
    weight_decay : float, default=1e-5
        Weight decay of the optimizer (the paper's).
    validation_fraction : float, default=0.1
        Fraction of training *sequences* held out to choose the number of
        epochs (early stopping, best weights restored). 0 trains
        ``max_epochs`` epochs.
    patience : int, default=5
        Epochs without validation improvement before stopping.
    warm_start : bool, default=False
        Continue training the current weights on the next ``fit``. The
        settings the network is made of (``window``, ``n_components``,
        ``cell``, ``decode_past``) must be those of the fitted network, as
        for ``transform``: a fitted embedder whose settings were changed
        with ``set_params`` refuses both until it is fitted anew.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train and embed.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, the validation split and batch order; two CPU
        fits with the same integer are bit-identical.
    verbose : int, default=0
        Show a progress bar with the loss and validation loss per epoch.
    callbacks : list of callable or None, default=None
        Called in order after every epoch as ``callback(estimator, record)``,
        where ``record`` is the epoch's entry of ``history_`` (already
        appended) and ``estimator.module_`` holds the weights of that epoch
        (``estimator.transform`` embeds with them, e.g. to score the
        embedding as it trains).
        A callback that returns a true value stops training after the
        epoch (every callback still sees it); the best weights so far are
        then restored, as after early stopping. For logging, checkpoints or
        a time budget. ``clone`` (``GridSearchCV``) deep-copies them, so a
        callback that records into itself records into the copy; pickling
        the embedder pickles them too (a lambda cannot be pickled: use a
        module-level function or ``set_params(callbacks=None)`` first).
    optimizer : str or torch.optim.Optimizer subclass, default="adam"
        The optimizer: the name of one of ``torch.optim``'s, any case
        (``"adam"``, the paper's; ``"adamw"``, ``"sgd"``, ``"rmsprop"``, ...),
        or its class. It is built at every ``fit`` as ``optimizer(weights,
        lr=lr, weight_decay=weight_decay, **routed)``. ``LBFGS`` is refused
        (its step needs a closure).
    **kwargs
        ``optimizer__<name>=value`` arguments, routed to the optimizer
        (skorch's convention), e.g. ``optimizer="sgd",
        optimizer__momentum=0.9``; ``GridSearchCV`` can tune them. ``lr``
        and ``weight_decay`` are the embedder's own parameters and cannot be
        routed. Any other keyword is a ``TypeError``.

    Attributes
    ----------
    module_ : SkipPoseNet
        The trained network.
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss``, ``valid_loss``, ``dur``,
        ``best``; with ``contrastive > 0`` also ``train_view_loss``, the
        unweighted view term (``train_loss`` includes it times
        ``contrastive``).
    n_epochs_, best_epoch_ : int
        Epochs run (over all ``warm_start`` fits), and the one whose weights
        were kept (the best of the last fit; 0: the initial weights).
    n_components_ : int
        Output dimension.
    n_features_in_ : int
        Features per frame seen in ``fit``.
    device_ : str
        Device used.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose import SkipPoseEmbedder
    >>> X = np.random.default_rng(0).normal(size=(6, 20, 4))
    >>> emb = SkipPoseEmbedder(window=2, n_components=8, max_epochs=2, random_state=0)
    >>> emb.fit_transform(X).shape
    (6, 19, 8)

    Stop after a training-time budget, with a callback:

    >>> def budget(estimator, record):
    ...     return sum(h["dur"] for h in estimator.history_) > 600.0
    >>> SkipPoseEmbedder(window=2, n_components=8, max_epochs=2,
    ...                  callbacks=[budget]).fit(X).n_epochs_
    2
    """

    def __init__(self, window=4, n_components=64, cell="gru", decode_past=True, stride=1,
                 augmentation=None, jitter=None, contrastive=0.0, temperature=0.1,
                 contrastive_view=None, contrastive_pair="view", batch_size=256,
                 max_epochs=100, lr=1e-3, weight_decay=1e-5, validation_fraction=0.1,
                 patience=5, warm_start=False, device="cpu", random_state=None, verbose=0,
                 callbacks=None, optimizer="adam", **kwargs):
        self.window = window
        self.n_components = n_components
        self.cell = cell
        self.decode_past = decode_past
        self.stride = stride
        self.augmentation = augmentation
        self.jitter = jitter
        self.contrastive = contrastive
        self.temperature = temperature
        self.contrastive_view = contrastive_view
        self.contrastive_pair = contrastive_pair
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.warm_start = warm_start
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.optimizer = optimizer
        self._set_routed_params(kwargs)

    _architecture_params = ("window", "n_components", "cell", "decode_past")

    @property
    def _span(self):
        return (3 if self.decode_past else 2) * self.window

    def _check_train_params(self):
        super()._check_train_params()
        if self.cell not in _CELL_NAMES:
            raise ValueError(f"cell must be one of {sorted(_CELL_NAMES)}, got {self.cell!r}.")
        check_bool_param(self.decode_past, "decode_past")
        if self.jitter is not None and not hasattr(self.jitter, "transform_batch"):
            raise TypeError("jitter must be None or a PoseJitter-like object with a "
                            "transform_batch(x, mask, rng) method.")
        c, t = self.contrastive, self.temperature
        if isinstance(c, bool) or not isinstance(c, Real) or not 0 <= c < math.inf:
            raise ValueError(f"contrastive must be a non-negative number, got {c!r}.")
        if isinstance(t, bool) or not isinstance(t, Real) or not 0 < t < math.inf:
            raise ValueError(f"temperature must be a positive number, got {t!r}.")
        v = self.contrastive_view
        if v is not None and not (hasattr(v, "transform_batch") and hasattr(v, "_check")):
            raise TypeError("contrastive_view must be None or a PoseJitter-like object with "
                            "transform_batch(x, mask, rng) and _check(n_features) methods.")
        if not (isinstance(self.contrastive_pair, str)
                and self.contrastive_pair in ("view", "neighbours")):
            raise ValueError("contrastive_pair must be 'view' or 'neighbours', got "
                             f"{self.contrastive_pair!r}.")

    def _training_view(self, n_features):
        if not self.contrastive:
            return None
        view = _default_view() if self.contrastive_view is None else self.contrastive_view
        try:
            view._check(n_features)  # bad settings fail before any training
        except ValueError as exc:
            raise ValueError(
                "The contrastive view (contrastive_view; None means a PoseJitter of JHMDB's "
                f"15 joints) cannot transform this data: {exc}") from None
        return view

    def _build_module(self, n_features, arch):
        from ._nets import SkipPoseNet

        return SkipPoseNet(n_features, arch["n_components"], arch["window"], arch["cell"],
                           arch["decode_past"])

    def _residuals(self, module, x, m):
        import torch

        past, future, h_c = module.reconstruct(x, m)
        w = self.window
        if self.decode_past:
            pred = torch.cat([past, future], dim=1)
            target = torch.cat([x[:, :w], x[:, 2 * w :]], dim=1)
            mask = torch.cat([m[:, :w], m[:, 2 * w :]], dim=1)
        else:
            pred, target, mask = future, x[:, w:], m[:, w:]
        return pred, target, mask, h_c

    def _loss(self, module, x, m, view=None):
        from ._nets import view_info_nce

        pred, target, mask, h_c = self._residuals(module, x, m)
        w = self.window
        loss = masked_mse(pred, target, mask)
        if view is not None:  # training with contrastive > 0
            cur = slice(w, 2 * w) if self.decode_past else slice(0, w)
            if self.contrastive_pair == "view":
                positives = [cur]
            else:  # the neighbouring windows of the same triplet
                positives = [slice(2 * w, 3 * w), slice(0, w)] if self.decode_past \
                    else [slice(w, 2 * w)]
            here = m[:, cur].sum(dim=(1, 2)) > 0
            terms = []
            for pos in positives:
                xv, mv = view[0][:, pos], view[1][:, pos]
                seen = here & (mv.sum(dim=(1, 2)) > 0)
                h_v, _ = module.encode(xv, mv)
                terms.append(view_info_nce(module.head(h_c[seen]), module.head(h_v[seen]),
                                           self.temperature))
            term = sum(terms) / len(terms)
            return loss + self.contrastive * term, term
        return loss

    def _encode(self, module, x, m):
        return module.encode(x, m)[0]


class AutoencoderEmbedder(TorchWindowEmbedder):
    """Autoencoder of the concatenated window (the paper's baseline 2).

    The skip-pose model with its recurrent layers replaced by fully
    connected ones over the concatenated window, reconstructing the window
    itself. Same input and output contract as :class:`SkipPoseEmbedder`
    (same masking, short-sequence handling and training parameters), so the
    two swap in the same :class:`~sklearn.pipeline.Pipeline` step.

    Parameters
    ----------
    window : int, default=4
        Frames per window.
    n_components : int, default=64
        Code size.
    stride : int, default=1
        Step between windows.
    augmentation : MocapProjection or None, default=None
        Extra generated training windows per epoch.
    batch_size : int, default=256
        Windows per optimisation step.
    max_epochs : int, default=100
        Upper bound on the number of epochs; 0 keeps the random initial
        weights.
    lr : float, default=1e-3
        Learning rate of the optimizer.
    weight_decay : float, default=1e-5
        Weight decay of the optimizer.
    validation_fraction : float, default=0.1
        Fraction of training *sequences* held out to choose the number of
        epochs (early stopping, best weights restored); 0 trains
        ``max_epochs`` epochs.
    patience : int, default=5
        Epochs without validation improvement before stopping.
    warm_start : bool, default=False
        Continue training the current weights on the next ``fit``
        (``window`` and ``n_components`` must be those of the fitted
        network).
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train and embed.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, the validation split and batch order.
    verbose : int, default=0
        Show a progress bar with the losses per epoch.
    callbacks : list of callable or None, default=None
        Called after every epoch as ``callback(estimator, record)``; a true
        return value stops training (see :class:`SkipPoseEmbedder`).
    optimizer : str or torch.optim.Optimizer subclass, default="adam"
        The optimizer, by ``torch.optim`` name or class (see
        :class:`SkipPoseEmbedder`).
    **kwargs
        ``optimizer__<name>=value`` arguments routed to the optimizer (see
        :class:`SkipPoseEmbedder`).

    Attributes
    ----------
    module_ : AutoencoderNet
        The trained network.
    history_ : list of dict
        Per-epoch losses.
    n_epochs_, best_epoch_, n_components_, n_features_in_, device_
        As in :class:`SkipPoseEmbedder`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose import AutoencoderEmbedder
    >>> X = np.random.default_rng(0).normal(size=(6, 20, 4))
    >>> AutoencoderEmbedder(window=2, n_components=8, max_epochs=2, random_state=0).fit_transform(X).shape
    (6, 19, 8)
    """

    def __init__(self, window=4, n_components=64, stride=1, augmentation=None, batch_size=256,
                 max_epochs=100, lr=1e-3, weight_decay=1e-5, validation_fraction=0.1,
                 patience=5, warm_start=False, device="cpu", random_state=None, verbose=0,
                 callbacks=None, optimizer="adam", **kwargs):
        self.window = window
        self.n_components = n_components
        self.stride = stride
        self.augmentation = augmentation
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.warm_start = warm_start
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.optimizer = optimizer
        self._set_routed_params(kwargs)

    @property
    def _span(self):
        return self.window

    def _build_module(self, n_features, arch):
        from ._nets import AutoencoderNet

        return AutoencoderNet(n_features, arch["n_components"], arch["window"])

    def _residuals(self, module, x, m):
        return module(x, m), x, m, None

    def _loss(self, module, x, m):
        return masked_mse(module(x, m), x, m)

    def _encode(self, module, x, m):
        return module.encode(x, m)
