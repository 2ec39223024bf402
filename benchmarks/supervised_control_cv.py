"""What do labels give the same encoder? A supervised control for target 2.

Target 2 of issue 5 asks Skip-Pose + augmentation, trained WITHOUT labels, to
beat the PCA baseline by 4 points of mean per-class accuracy. This script
trains the same encoder WITH the labels, the most direct way, a control the
evaluation itself never uses: Skip-Pose's encoder (``fc_in`` and the
bidirectional GRU; the embedding ``h_c`` of
:class:`~sklearn_skippose.SkipPoseEmbedder`) with a linear classifier on
``h_c``, trained by cross-entropy to tell every window's action class (its
clip's label), with the evaluation's jitter (randomly mirrored, scaled and
rotated windows) and Adam, from random weights or (``--fine-tune``) from
Skip-Pose + mocap + jitter trained without labels on the same clips. Early
stopping watches the clip accuracy of held-out dictionary clips that are
video-disjoint from the rest (those the third official split tests on, about
a third of the dictionary; ``--validation clips``: a random 10 %, which
shares videos with the training clips). Its windows' ``h_c`` then go through
the evaluation's classifier exactly as the unsupervised embeddings do.

Cross-validation on the TRAINING clips of official splits only, with the
video-disjoint folds of :func:`sklearn_skippose.model_selection.inner_splits`
(as ``select_settings.py``), at the evaluation's classifier settings:
first-pose normalisation with one scale for x and y, whitened embeddings
(fitted on the dictionary clips), the fold's dictionary clips and their
left-right mirrors, DTW cosine score with ``aggregate="mean"``, 1-NN. Every
embedder is fitted on the fold's dictionary clips only; the validation clips
are never seen before they are scored. Printed per fold and as the mean over
the folds:

* ``PCA``: the PCA baseline at its chosen settings (T = 10, 192 components;
  reproduces ``select_settings.py``);
* ``Skip-Pose + mocap`` (``--fine-tune`` only): the unsupervised embedding
  the fine-tuning starts from (reproduces ``select_settings.py`` at T = 6,
  256 dimensions);
* ``supervised + DTW``: the supervised encoder's windows, DTW 1-NN;
* ``supervised, no DTW``: the trained window classifier itself, a clip's
  class the argmax of its windows' summed log-probabilities.

Run: ``python benchmarks/supervised_control_cv.py --data-home ../shared/data
[--splits 1,2,3] [--window 6] [--n-components 256] [--fine-tune --lr 1e-4]
[--dropout 0.5] [--validation clips]`` (2-3 minutes per split on 2 cores;
with ``--fine-tune``, 15 to 18).
"""

import argparse
import copy
import sys
import time
import warnings

import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_skippose import (
    PCAEmbedder,
    PoseJitter,
    PoseNormalizer,
    SequenceWhitener,
    SkipPoseEmbedder,
    mirror_poses,
)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.evaluation import make_method
from sklearn_skippose.embedding._windows import gather_windows, sequence_frames, window_starts
from sklearn_skippose.metrics import mean_per_class_accuracy, pairwise_dtw_scores
from sklearn_skippose.model_selection import inner_splits

NORMALIZE = "first_pose_isotropic"


class SupervisedWindowEncoder(SkipPoseEmbedder):
    """Skip-Pose's encoder trained to classify windows: a control that uses labels.

    Same parameters, network and ``transform`` as
    :class:`~sklearn_skippose.SkipPoseEmbedder` (its ``h_c``); only the
    training differs: cross-entropy of a linear classifier on ``h_c`` against
    each window's clip label, ``jitter`` applied to every batch, early
    stopping on the mean per-class accuracy of the validation clips (a
    clip's class: the argmax of its windows' summed log-probabilities).
    ``augmentation`` is not used (the projections have no JHMDB labels).
    ``dropout`` (an attribute, not a parameter): dropout on ``h_c`` before
    the classifier while training.
    """

    dropout = 0.0
    init_module = None  # a trained SkipPoseNet to start from (fine-tuning)

    def fit(self, X, y, validation_clips=None):
        """``validation_clips``: boolean mask of the clips early stopping
        watches (None: a random ``validation_fraction`` of the clips)."""
        self._y = np.asarray(y)
        self._validation_clips = validation_clips
        return super().fit(X)

    def _fit_sequences(self, X3, lengths):
        import torch
        from torch import nn

        rs = np.random.RandomState(self.random_state)
        torch.manual_seed(int(rs.randint(0, 2**31 - 1)))
        self.device_ = "cpu"
        n_feat = X3.shape[2]
        arch = self._architecture()
        self.module_ = self._build_module(n_feat, arch)
        if self.init_module is not None:
            self.module_.load_state_dict(self.init_module.state_dict())
        self._arch_fitted, self._n_features_module = arch, n_feat
        self.n_components_ = self.n_components
        self.classes_, codes = np.unique(self._y, return_inverse=True)
        head = nn.Linear(self.n_components, len(self.classes_))
        params = list(self.module_.parameters()) + list(head.parameters())
        opt = torch.optim.Adam(params, lr=self.lr, weight_decay=self.weight_decay)
        frames, mask, offsets, padded = sequence_frames(X3, lengths, self.window)
        starts, owner = window_starts(offsets, padded, self.window)
        perm = rs.permutation(len(lengths))
        is_val = np.zeros(len(lengths), bool)
        is_val[perm[: int(round(self.validation_fraction * len(lengths)))]] = True
        if self._validation_clips is not None:
            is_val = np.asarray(self._validation_clips, dtype=bool)
        if is_val.shape != lengths.shape or not is_val.any() or is_val.all():
            raise ValueError("the validation clips must be a boolean mask over the clips "
                             "holding some clips and leaving some to train on.")
        tr, va = np.flatnonzero(~is_val[owner]), np.flatnonzero(is_val[owner])
        jitter, jit_rng = self.jitter, np.random.default_rng(int(rs.randint(0, 2**31 - 1)))
        loss_fn = nn.CrossEntropyLoss()

        def logits(idx, train):
            xb = gather_windows(frames, starts[idx], self.window)
            mb = gather_windows(mask, starts[idx], self.window)
            if train and jitter is not None:
                xb, mb = jitter.transform_batch(xb, mb, jit_rng)
            h, _ = self.module_.encode(torch.from_numpy(xb), torch.from_numpy(mb))
            if train and self.dropout:
                h = torch.nn.functional.dropout(h, self.dropout)
            return head(h)

        def validation_accuracy():
            """Mean per-class accuracy of the validation clips (mean window log-probability)."""
            with torch.no_grad():
                logp = torch.cat([torch.log_softmax(logits(va[a : a + 4096], False), -1)
                                  for a in range(0, len(va), 4096)]).numpy()
            clips, inv = np.unique(owner[va], return_inverse=True)
            per_clip = np.zeros((len(clips), logp.shape[1]))
            np.add.at(per_clip, inv, logp)
            with warnings.catch_warnings():
                # the head may name a class none of the validation clips has:
                # a wrong answer, which the mean recall over their classes counts
                warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
                return mean_per_class_accuracy(codes[clips], per_clip.argmax(1))

        best, best_state, bad = -np.inf, None, 0
        self.history_ = []
        for epoch in range(self.max_epochs):
            self.module_.train()
            order = rs.permutation(tr)
            for a in range(0, len(order), self.batch_size):
                opt.zero_grad()
                idx = order[a : a + self.batch_size]
                loss = loss_fn(logits(idx, True), torch.from_numpy(codes[owner[idx]]))
                loss.backward()
                opt.step()
            self.module_.eval()
            acc = validation_accuracy()
            self.history_.append({"epoch": epoch + 1, "valid_accuracy": acc})
            if acc > best:
                best, bad = acc, 0
                best_state = copy.deepcopy((self.module_.state_dict(), head.state_dict()))
            else:
                bad += 1
                if bad >= self.patience:
                    break
        self.module_.load_state_dict(best_state[0])
        head.load_state_dict(best_state[1])
        self.module_.eval()
        self.head_ = head.eval()
        self.n_epochs_ = len(self.history_)
        self.best_epoch_ = int(np.argmax([h["valid_accuracy"] for h in self.history_])) + 1

    def predict_clips(self, X):
        """Each clip's class: argmax of its windows' mean log-probabilities."""
        import torch

        Z = self.transform(X)
        with torch.no_grad():
            logp = torch.log_softmax(self.head_(torch.from_numpy(
                np.nan_to_num(Z).astype(np.float32))), dim=-1).numpy()
        real = ~np.isnan(Z[..., 0])
        mean_logp = (logp * real[..., None]).sum(1) / real.sum(1)[:, None]
        return self.classes_[mean_logp.argmax(1)]


def dtw_accuracy(features, X_dic, y_dic, X_val, y_val):
    """Mean per-class accuracy (%) of the evaluation's DTW 1-NN (mirrored dictionary)."""
    D = np.concatenate([features.transform(X_dic), features.transform(mirror_poses(X_dic))])
    y_dict = np.concatenate([y_dic, y_dic])
    S = pairwise_dtw_scores(features.transform(X_val), D, aggregate="mean")
    return 100 * mean_per_class_accuracy(y_val, y_dict[S.argmax(axis=1)])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-home", default="../shared/data")
    p.add_argument("--splits", default="1,2,3")
    p.add_argument("--window", type=int, default=6)
    p.add_argument("--n-components", type=int, default=256)
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--dropout", type=float, default=0.0, help="on h_c before the classifier")
    p.add_argument("--weight-decay", type=float, default=1e-5)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--patience", type=int, default=10,
                   help="epochs without a better validation accuracy before training stops")
    p.add_argument("--validation", choices=["videos", "clips"], default="videos",
                   help="early stopping on the dictionary clips that the third split tests "
                        "on (video-disjoint from the rest) or on a random 10 %% of them")
    p.add_argument("--fine-tune", action="store_true",
                   help="start the supervised encoder from Skip-Pose + mocap + jitter "
                        "trained without labels on the same clips (also scored)")
    p.add_argument("--augment", type=int, default=20_000,
                   help="Human3.6M projections per epoch of --fine-tune's Skip-Pose")
    p.add_argument("--max-epochs", type=int, default=100)
    p.add_argument("--pca-window", type=int, default=10)
    p.add_argument("--pca-components", type=int, default=192)
    args = p.parse_args(argv)
    try:
        splits = [int(s) for s in args.splits.split(",")]
    except ValueError:
        p.error("--splits must be comma-separated integers")
    if not set(splits) <= {1, 2, 3}:
        p.error("--splits must be among 1, 2, 3")
    for name in ("window", "n_components", "patience", "max_epochs", "pca_window",
                 "pca_components"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    if not 0 <= args.dropout < 1 or args.lr <= 0 or args.weight_decay < 0:
        p.error("--dropout must be in [0, 1), --lr > 0 and --weight-decay >= 0")
    jh = load_jhmdb(args.data_home)
    columns = ["PCA", "supervised + DTW", "supervised, no DTW"]
    if args.fine_tune:
        columns.insert(1, "Skip-Pose + mocap")
    results = {c: [] for c in columns}
    for split in splits:
        idx, cv = inner_splits(jh.splits, split - 1)
        X, y = jh.data[idx], jh.target[idx]
        others = [s for s in range(3) if s != split - 1]
        for fold, (dic, val) in enumerate(cv.split(X)):
            t = time.perf_counter()
            third = [s for s in others if s != others[fold]][0]  # the fold is others[fold]
            stop_on = jh.splits[idx][dic, third] == 2 if args.validation == "videos" else None
            pca = make_pipeline(PoseNormalizer(mode=NORMALIZE),
                                PCAEmbedder(window=args.pca_window,
                                            n_components=args.pca_components),
                                SequenceWhitener()).fit(X[dic])
            results["PCA"].append(dtw_accuracy(pca, X[dic], y[dic], X[val], y[val]))
            enc = SupervisedWindowEncoder(window=args.window, n_components=args.n_components,
                                          jitter=PoseJitter(), weight_decay=args.weight_decay,
                                          lr=args.lr, patience=args.patience,
                                          max_epochs=args.max_epochs,
                                          random_state=args.random_state)
            enc.dropout = args.dropout
            if args.fine_tune:  # the unsupervised embedding first, then labels
                sp = make_pipeline(PoseNormalizer(mode=NORMALIZE), make_method(
                    "skippose-aug", window=args.window, n_components=args.n_components,
                    augment=args.augment, data_home=args.data_home, normalize=NORMALIZE,
                    max_epochs=args.max_epochs, random_state=args.random_state), SequenceWhitener()).fit(X[dic])
                results["Skip-Pose + mocap"].append(
                    dtw_accuracy(sp, X[dic], y[dic], X[val], y[val]))
                enc.init_module = sp[1].module_
            sup = make_pipeline(PoseNormalizer(mode=NORMALIZE), enc,
                                SequenceWhitener()).fit(
                X[dic], y[dic], supervisedwindowencoder__validation_clips=stop_on)
            results["supervised + DTW"].append(
                dtw_accuracy(sup, X[dic], y[dic], X[val], y[val]))
            Xn_val = sup[0].transform(X[val])
            results["supervised, no DTW"].append(
                100 * mean_per_class_accuracy(y[val], enc.predict_clips(Xn_val)))
            row = " | ".join(f"{c} {results[c][-1]:.1f}" for c in columns)
            print(f"split {split} fold {fold + 1} ({time.perf_counter() - t:.0f} s, "
                  f"{enc.n_epochs_} epochs, best {enc.best_epoch_}): {row}", flush=True)
    print(f"\nsupervised encoder T={args.window} d={args.n_components}; "
          f"PCA T={args.pca_window} d={args.pca_components}: "
          f"mean per-class accuracy over {len(results['PCA'])} folds")
    for c in columns:
        print(f"  {c:<20s} {np.mean(results[c]):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
