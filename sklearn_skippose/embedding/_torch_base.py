"""The torch side shared by the neural embedders (skorch is the model).

* the module is built lazily in ``fit`` from the data's feature count;
* ``random_state`` seeds weight initialisation and batch order through
  private generators (global torch state is left alone), so two CPU fits
  are bit-identical;
* ``device="cpu" | "cuda" | "auto"``; weights are pickled as numpy arrays on
  the CPU, so a model trained on a GPU loads on a machine without one and
  never needs ``torch.load``;
* the epoch count is chosen on a validation part of the training
  *sequences* (windows of one sequence overlap, so splitting windows would
  leak): early stopping with ``patience`` restores the best weights;
* ``history_`` holds one dict per epoch (train loss, validation loss,
  duration, whether it was the best so far); ``verbose`` shows a tqdm bar;
* ``callbacks`` are called after every epoch with the estimator and that
  epoch's record, and may stop training (skorch's ``on_epoch_end``, reduced
  to one plain callable).
* ``optimizer`` names a ``torch.optim`` optimizer (or is its class), and
  constructor parameters prefixed ``optimizer__`` are routed to it
  (skorch's convention): ``get_params``, ``set_params``, ``clone`` and
  ``GridSearchCV`` see them like any other parameter.

torch is imported by the functions that use it, not by this module, so that
``import sklearn_skippose`` does not load it (about 0.9 s and 180 MB) for
the work that needs no network: DTW search, PCA, preprocessing, and the
joblib workers of the DTW estimators.
"""

import copy
import math
import time
from numbers import Real

import numpy as np
from sklearn.utils import check_random_state

from ..utils._sequences import check_bool_param, check_int_param
from ._base import BaseWindowEmbedder
from ._persistence import check_saved_arrays
from ._windows import sequence_frames, window_starts

__all__ = ["TorchWindowEmbedder", "masked_mse"]


def masked_mse(pred, target, mask):
    """Mean squared error over the observed entries only (the paper's eq. 5).

    Missing entries (``mask == 0``) contribute neither to the sum nor to the
    count, so whatever value stands at a missing position cannot change the
    loss or its gradient.
    """
    se = (pred - target) ** 2 * mask
    return se.sum() / mask.sum().clamp_min(1.0)


def resolve_device(device):
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda") and not str(device).startswith("cuda:"):
        raise ValueError(f"device must be 'cpu', 'cuda' or 'auto', got {device!r}.")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} but torch sees no CUDA device.")
    return str(device)


OPTIMIZER_PREFIX = "optimizer__"
# set by the embedder's own parameters, or by the training loop
_OPTIMIZER_OWN = ("params", "lr", "weight_decay")


def _optimizer_classes():
    """``torch.optim``'s optimizers by lower-case name (LBFGS, whose ``step``
    needs a closure, is not one the training loop can drive)."""
    import torch

    found = {}
    for name in dir(torch.optim):
        obj = getattr(torch.optim, name)
        if (isinstance(obj, type) and issubclass(obj, torch.optim.Optimizer)
                and obj is not torch.optim.Optimizer and obj is not torch.optim.LBFGS):
            found[name.lower()] = obj
    return found


class TorchWindowEmbedder(BaseWindowEmbedder):
    """Training loop, device handling and pickling for the torch embedders.

    Subclasses define ``_build_module(n_features, arch)`` (``arch``: the
    ``_architecture_params`` the network is built from), ``_span`` (frames per
    training sample), ``_loss(module, batch, mask[, view])`` and
    ``_encode(module, windows, masks)``, and may return a view transform from
    ``_training_view(n_features)`` (then ``_loss`` also receives a randomly
    transformed copy of the batch while training, and returns the total loss
    and the unweighted view term, logged as ``train_view_loss``).

    Subclasses take ``**kwargs`` in ``__init__`` and pass them to
    ``_set_routed_params``: only ``optimizer__*`` names are accepted.
    """

    # ------------------------------------------------ routed parameters
    def _set_routed_params(self, kwargs):
        for key, value in kwargs.items():
            if not key.startswith(OPTIMIZER_PREFIX) or key == OPTIMIZER_PREFIX:
                raise TypeError(
                    f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                    f"{key!r}; besides its own parameters it takes only "
                    f"'{OPTIMIZER_PREFIX}<name>' arguments, routed to the optimizer.")
            setattr(self, key, value)

    def _routed_params(self):
        return {k: v for k, v in vars(self).items()
                if k.startswith(OPTIMIZER_PREFIX) and k != OPTIMIZER_PREFIX}

    def get_params(self, deep=True):
        """Get parameters for this estimator, ``optimizer__*`` ones included.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of contained estimators (none here).

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        params.update(self._routed_params())
        return params

    def set_params(self, **params):
        """Set parameters; ``optimizer__<name>`` ones are routed to the optimizer.

        Parameters
        ----------
        **params : dict
            Estimator parameters, and ``optimizer__<name>`` arguments of the
            optimizer (new ones may be added).

        Returns
        -------
        self : estimator instance
            The estimator.
        """
        routed = {k: params.pop(k) for k in list(params) if k.startswith(OPTIMIZER_PREFIX)}
        if OPTIMIZER_PREFIX in routed:
            raise ValueError(f"{OPTIMIZER_PREFIX!r} names no optimizer argument; "
                             f"use '{OPTIMIZER_PREFIX}<name>', e.g. 'optimizer__betas'.")
        super().set_params(**params)
        for key, value in routed.items():
            setattr(self, key, value)
        return self

    def _optimizer_spec(self):
        """The optimizer class and its routed arguments, checked (no training
        starts with an optimizer that cannot be built)."""
        import torch

        opt = self.optimizer
        if isinstance(opt, str) and opt.lower() == "lbfgs":
            opt = torch.optim.LBFGS
        if isinstance(opt, type) and issubclass(opt, torch.optim.LBFGS):
            raise ValueError("optimizer LBFGS is not supported: its step needs a closure, "
                             "and the training loop takes plain steps.")
        if isinstance(opt, str):
            known = _optimizer_classes()
            cls = known.get(opt.lower())
            if cls is None:
                raise ValueError(f"optimizer={opt!r} is not an optimizer of torch.optim; "
                                 f"expected one of {', '.join(sorted(known))}, or an "
                                 "optimizer class.")
        elif isinstance(opt, type) and issubclass(opt, torch.optim.Optimizer):
            cls = opt
        else:
            raise TypeError("optimizer must be the name of a torch.optim optimizer (e.g. "
                            f"'adam', 'adamw', 'sgd') or a torch.optim.Optimizer subclass, "
                            f"got {type(opt).__name__}.")
        kwargs = {k[len(OPTIMIZER_PREFIX):]: v for k, v in self._routed_params().items()}
        for name in _OPTIMIZER_OWN:
            if name in kwargs:
                own = (f"set by the embedder's own parameter {name!r}" if name != "params"
                       else "the network's weights, passed by the training loop")
                raise ValueError(f"{OPTIMIZER_PREFIX}{name} cannot be routed: it is {own}.")
        try:  # built once on a stand-in parameter, so that bad arguments fail here
            cls([torch.nn.Parameter(torch.zeros(1))], lr=self.lr,
                weight_decay=self.weight_decay, **kwargs)
        except (TypeError, ValueError) as exc:
            raise type(exc)(
                f"optimizer {cls.__name__} could not be built with lr={self.lr!r}, "
                f"weight_decay={self.weight_decay!r} and the routed arguments {kwargs!r}: "
                f"{exc}") from None
        return cls, kwargs

    def _check_train_params(self):
        self._check_window_params()
        check_int_param(self.batch_size, "batch_size")
        check_int_param(self.max_epochs, "max_epochs", minimum=0)
        check_int_param(self.patience, "patience")
        for name in ("lr", "weight_decay"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, Real) or not 0 <= v < math.inf:
                raise ValueError(f"{name} must be a finite non-negative number, got {v!r}.")
        vf = self.validation_fraction
        if isinstance(vf, bool) or not isinstance(vf, Real) or not 0 <= vf < 1:
            raise ValueError(f"validation_fraction must be in [0, 1), got {vf!r}.")
        check_bool_param(self.warm_start, "warm_start")
        if not isinstance(self.verbose, (bool, np.bool_)):  # True and False are fine
            check_int_param(self.verbose, "verbose", minimum=0)
        if self.augmentation is not None and not hasattr(self.augmentation, "sample"):
            raise TypeError("augmentation must be None or a MocapProjection-like object "
                            "with a sample(n, n_frames, rng, n_features) method.")
        self._check_callbacks()

    def _check_callbacks(self):
        """The ``callbacks`` parameter as a tuple of callables (checked before
        any training)."""
        cbs = self.callbacks
        if cbs is None:
            return ()
        if not isinstance(cbs, (list, tuple)):
            raise TypeError(
                "callbacks must be None or a list of callables called as "
                f"callback(estimator, record), got {type(cbs).__name__}; wrap a single "
                "callable in a list.")
        cbs = tuple(cbs)
        for i, cb in enumerate(cbs):
            if not callable(cb):
                raise TypeError(
                    f"callbacks[{i}] is not callable (got {type(cb).__name__}); every "
                    "callback is called as callback(estimator, record) after each epoch.")
        return cbs

    def _continues_training(self):
        return bool(self.warm_start) and hasattr(self, "module_")

    # ------------------------------------------------------------- training
    def _fit_sequences(self, X3, lengths):
        import torch

        self._check_train_params()
        opt_cls, opt_kwargs = self._optimizer_spec()  # checked before anything is built
        self.device_ = resolve_device(self.device)
        rs = check_random_state(self.random_state)
        seed = int(rs.randint(0, 2**31 - 1))
        gen = torch.Generator().manual_seed(seed)
        n_feat = X3.shape[2]
        if not (self.warm_start and hasattr(self, "module_")
                and getattr(self, "_n_features_module", None) == n_feat):
            arch = self._architecture()
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                self.module_ = self._build_module(n_feat, arch)
            self._arch_fitted = arch  # what the network is made of
            self._n_features_module = n_feat
            self.history_ = []
        module = self.module_.to(self.device_)
        self.n_components_ = self.n_components  # transform works from the first callback on
        opt = opt_cls(module.parameters(), lr=self.lr, weight_decay=self.weight_decay,
                      **opt_kwargs)

        # validation split over sequences
        n = len(lengths)
        perm = rs.permutation(n)
        n_val = int(round(self.validation_fraction * n)) if n > 1 else 0
        val_idx, tr_idx = np.sort(perm[:n_val]), np.sort(perm[n_val:])
        span = self._span
        train = self._samples(X3[tr_idx], lengths[tr_idx], span)
        valid = self._samples(X3[val_idx], lengths[val_idx], span) if n_val else None
        aug = getattr(self, "augmentation", None)
        n_aug = 0 if aug is None else int(aug.n_samples)
        jitter = getattr(self, "jitter", None)
        if jitter is not None:
            jitter._check(n_feat)  # bad settings fail before any training
        view = self._training_view(n_feat)
        callbacks = tuple(self.callbacks or ())  # checked by _check_train_params
        best, best_state, bad_epochs = np.inf, None, 0
        # the epoch whose weights are kept: this fit's best; with no epoch run,
        # the weights as they were (0: the initialisation)
        best_epoch = getattr(self, "best_epoch_", 0) if self.history_ else 0
        from tqdm.auto import tqdm

        bar = tqdm(range(self.max_epochs), disable=not self.verbose, desc=type(self).__name__)
        for _ in bar:
            t0 = time.perf_counter()
            module.train()
            total, count, term_total = 0.0, 0, 0.0
            n_real = len(train[2])
            order = torch.randperm(n_real + n_aug, generator=gen).numpy()
            aug_rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
            if jitter is not None:  # drawn only then: fits without jitter keep their stream
                jit_rng = np.random.default_rng(
                    int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
            if view is not None:  # likewise: fits without a view keep their stream
                view_rng = np.random.default_rng(
                    int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
            for a in range(0, len(order), self.batch_size):
                idx = order[a : a + self.batch_size]
                real = idx[idx < n_real]
                xb, mb = self._batch(train, real)
                k_aug = int((idx >= n_real).sum())
                if k_aug:
                    xa, ma = aug.sample(k_aug, span, rng=aug_rng, n_features=n_feat)
                    xb = np.concatenate([xb, xa]) if len(real) else xa
                    mb = np.concatenate([mb, ma]) if len(real) else ma
                if jitter is not None:
                    xb, mb = jitter.transform_batch(xb, mb, jit_rng)
                xt = torch.from_numpy(xb).to(self.device_)
                mt = torch.from_numpy(mb).to(self.device_)
                opt.zero_grad()
                if view is None:
                    loss = self._loss(module, xt, mt)
                else:  # a second random view of every sample (contrastive objectives)
                    xv, mv = view.transform_batch(xb, mb, view_rng)
                    loss, term = self._loss(module, xt, mt,
                                            (torch.from_numpy(xv).to(self.device_),
                                             torch.from_numpy(mv).to(self.device_)))
                    term_total += float(term.detach()) * len(xb)
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(xb)
                count += len(xb)
            train_loss = total / max(count, 1)
            valid_loss = self._eval_loss(module, valid) if valid is not None else np.nan
            score = valid_loss if valid is not None else train_loss
            is_best = score < best
            if is_best:
                best, bad_epochs = score, 0
                best_state = copy.deepcopy(module.state_dict())
            else:
                bad_epochs += 1
            self.history_.append({
                "epoch": len(self.history_) + 1, "train_loss": train_loss,
                "valid_loss": valid_loss, "dur": time.perf_counter() - t0, "best": bool(is_best),
            })
            if is_best:
                best_epoch = self.history_[-1]["epoch"]
            if view is not None:  # the unweighted view term, part of train_loss
                self.history_[-1]["train_view_loss"] = term_total / max(count, 1)
            bar.set_postfix(loss=f"{train_loss:.4f}", valid=f"{valid_loss:.4f}")
            if not np.isfinite(train_loss):
                raise ValueError(
                    "Training diverged (non-finite loss); lower lr or normalise the input "
                    "(PoseNormalizer)."
                )
            # every callback sees every epoch, even when an earlier one asks to stop
            stop = [bool(cb(self, self.history_[-1])) for cb in callbacks]
            if any(stop):
                break
            if valid is not None and bad_epochs >= self.patience:
                break
        if best_state is not None:
            module.load_state_dict(best_state)
        module.eval()
        self.n_epochs_ = len(self.history_)
        self.best_epoch_ = int(best_epoch)

    def _training_view(self, n_features):
        """A PoseJitter-like object, checked against ``n_features``, drawing a
        second view of every training sample, passed to ``_loss`` as
        ``view=(x, mask)`` (which then returns ``(loss, view_term)``); None:
        no view."""
        return None

    def _samples(self, X3, lengths, span):
        frames, mask, offsets, padded = sequence_frames(X3, lengths, span)
        starts, _ = window_starts(offsets, padded, span, self.stride)
        return frames, mask, starts, span

    @staticmethod
    def _batch(samples, idx):
        """Training samples ``idx``: (n, span, n_features) values and masks."""
        frames, mask, starts, span = samples
        rows = starts[idx][:, None] + np.arange(span)[None, :]
        return frames[rows], mask[rows]

    def _eval_batches(self, module, samples):
        """``(idx, x, mask)`` on the device, in the module's dtype, for every
        block of 4096 samples, with ``module`` in evaluation mode (call under
        ``torch.no_grad``)."""
        import torch

        module.eval()
        dtype = next(module.parameters()).dtype
        for a in range(0, len(samples[2]), 4096):
            idx = np.arange(a, min(a + 4096, len(samples[2])))
            xb, mb = self._batch(samples, idx)
            yield (idx, torch.from_numpy(xb).to(self.device_, dtype),
                   torch.from_numpy(mb).to(self.device_, dtype))

    def _float64_module(self):
        """A float64 copy of the trained network, in evaluation mode, for the
        reconstruction errors of ``score`` / ``score_samples``.

        In float32 the kernels torch picks (matrix products, sums) depend on
        how many samples go through at once, so a clip's score moved in its
        last bits with the other clips scored with it (seen on an Intel Xeon:
        6e-7 of -3.52). In float64, from the same float32 weights, those
        differences are far below what the float32 training resolves, and a
        subset of clips scores as in the whole.
        """
        import copy

        return copy.deepcopy(self.module_).double().eval()

    def _eval_loss(self, module, samples):
        import torch

        total, count = 0.0, 0
        with torch.no_grad():
            for idx, xt, mt in self._eval_batches(module, samples):
                total += float(self._loss(module, xt, mt)) * len(idx)
                count += len(idx)
        return total / max(count, 1)

    # ------------------------------------------------------------ transform
    def _embed(self, windows, masks):
        import torch

        module = self.module_
        module.eval()
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(windows, dtype=np.float32)).to(self.device_)
            m = torch.from_numpy(np.ascontiguousarray(masks, dtype=np.float32)).to(self.device_)
            return self._encode(module, x, m).cpu().numpy().astype(np.float64)

    # ------------------------------------------------ the training objective
    def _sample_errors(self, X3, lengths):
        """Per training sample: a triplet, or a window for the autoencoder."""
        import torch

        span = self._span
        frames, mask, offsets, padded = sequence_frames(X3, lengths, span)
        starts, owner = window_starts(offsets, padded, span, self.stride)
        se = np.empty(len(starts))
        count = np.empty(len(starts))
        module = self._float64_module()
        with torch.no_grad():
            for idx, xt, mt in self._eval_batches(module, (frames, mask, starts, span)):
                pred, target, m, _ = self._residuals(module, xt, mt)
                se[idx] = (((pred - target) ** 2) * m).sum(dim=(1, 2)).double().cpu().numpy()
                count[idx] = m.sum(dim=(1, 2)).double().cpu().numpy()
        return se, count, owner

    # ---------------------------------------------------- files without pickle
    def _saved_state(self):
        import torch

        state = {k: v.detach().cpu().numpy() for k, v in self.module_.state_dict().items()}
        return state, {"torch_version": torch.__version__,
                       "n_features": int(self._n_features_module),
                       "n_epochs": int(self.n_epochs_), "best_epoch": int(self.best_epoch_),
                       "history": self.history_}

    def _restore(self, meta, weights, name):
        import torch

        arch = meta["architecture"]
        self._check_train_params()
        n_feat = meta["n_features"]
        with torch.random.fork_rng(devices=[]):  # building draws initial weights
            module = self._build_module(n_feat, arch)
        expected = module.state_dict()
        check_saved_arrays(weights, {k: v.shape for k, v in expected.items()}, "fiu", name,
                           "weights", "network")
        module.load_state_dict({k: torch.from_numpy(np.array(weights[k])).to(v.dtype)
                                for k, v in expected.items()})
        self.device_ = resolve_device(self.device)
        self.module_ = module.to(self.device_).eval()
        self._arch_fitted = dict(arch)
        self._n_features_module = n_feat
        self.n_features_in_ = meta["n_features_in"]
        self.n_components_ = meta["n_components"]
        self.history_ = [dict(h) for h in meta["history"]]
        self.n_epochs_ = meta["n_epochs"]
        self.best_epoch_ = meta["best_epoch"]
        return self

    # ------------------------------------------------------------- pickling
    def __getstate__(self):
        state = self.__dict__.copy()
        module = state.pop("module_", None)
        if module is not None:
            state["_module_weights"] = {
                k: v.detach().cpu().numpy() for k, v in module.state_dict().items()
            }
        return state

    def __setstate__(self, state):
        import torch

        weights = state.pop("_module_weights", None)
        self.__dict__.update(state)
        if weights is not None:
            module = self._build_module(self._n_features_module, self._arch_fitted)
            module.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in weights.items()})
            module.eval()
            if str(getattr(self, "device_", "cpu")).startswith("cuda") and not torch.cuda.is_available():
                self.device_ = "cpu"
            self.module_ = module.to(self.device_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
