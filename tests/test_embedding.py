import pickle

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_skippose import (
    AutoencoderEmbedder,
    DTWNearestNeighbors,
    PCAEmbedder,
    PoseJitter,
    PoseNormalizer,
    SkipPoseEmbedder,
)
from sklearn_skippose.embedding import view_info_nce
from sklearn_skippose.embedding._torch_base import masked_mse
from sklearn_skippose.utils import sequence_lengths

FAST = dict(n_components=16, max_epochs=3, batch_size=128, random_state=0)


@pytest.fixture(scope="module")
def clips(jhmdb):
    """Normalised real JHMDB clips: 40 of split 1's training set."""
    X = PoseNormalizer().fit_transform(jhmdb.data)
    tr = np.flatnonzero(jhmdb.splits[:, 0] == 1)[::13]
    return X[tr], jhmdb.target[tr]


def test_transform_shape_and_padding(clips):
    X, _ = clips
    emb = SkipPoseEmbedder(window=4, **FAST).fit(X)
    Z = emb.transform(X)
    n_win = sequence_lengths(X) - 4 + 1
    assert Z.shape == (len(X), n_win.max(), 16)
    np.testing.assert_array_equal(sequence_lengths(Z), n_win)
    assert np.isfinite(Z[~np.isnan(Z)]).all()
    assert emb.n_features_in_ == 30 and emb.n_components_ == 16


def test_loss_falls_on_real_clips(clips):
    X, _ = clips
    emb = SkipPoseEmbedder(window=4, n_components=32, max_epochs=8, validation_fraction=0.2,
                           patience=8, random_state=0).fit(X)
    losses = [h["train_loss"] for h in emb.history_]
    assert losses[-1] < 0.8 * losses[0]
    assert losses[-1] == min(losses)
    assert emb.best_epoch_ == 1 + int(np.argmin([h["valid_loss"] for h in emb.history_]))


def test_masked_entries_do_not_change_loss_or_gradients(clips):
    X, _ = clips
    emb = SkipPoseEmbedder(window=3, **FAST).fit(X)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.normal(size=(5, 9, 30)), dtype=torch.float32)
    m = torch.tensor(rng.random((5, 9, 15)) > 0.3, dtype=torch.float32).repeat_interleave(2, -1)
    x2 = x.clone()
    x2[m == 0] = torch.tensor(rng.normal(size=int((m == 0).sum())) * 100, dtype=torch.float32)
    grads = []
    for xx in (x, x2):
        emb.module_.zero_grad()
        loss = emb._loss(emb.module_, xx, m)
        loss.backward()
        # the projection head serves only the contrastive term (contrastive=0 here)
        assert all(p.grad is None for p in emb.module_.head.parameters())
        grads.append((float(loss.detach()), [p.grad.clone() for p in emb.module_.parameters()
                                             if p.grad is not None]))
    assert grads[0][0] == grads[1][0]
    for g1, g2 in zip(grads[0][1], grads[1][1]):
        torch.testing.assert_close(g1, g2)


def test_view_info_nce_by_hand():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    an = a / np.linalg.norm(a, axis=1, keepdims=True)
    bn = b / np.linalg.norm(b, axis=1, keepdims=True)
    S = an @ bn.T / 0.2

    def xent(L):  # row i's target is column i
        return np.mean([np.log(np.exp(L[i]).sum()) - L[i, i] for i in range(len(L))])

    ref = (xent(S) + xent(S.T)) / 2
    got = view_info_nce(torch.tensor(a), torch.tensor(b), 0.2)
    assert abs(float(got) - ref) < 1e-10
    # aligned views score lower than shuffled ones; one row has no negatives
    assert float(view_info_nce(torch.tensor(a), torch.tensor(a), 0.2)) < float(got)
    assert float(view_info_nce(torch.tensor(a[:1]), torch.tensor(b[:1]), 0.2)) == 0.0


def test_contrastive_loss_adds_the_view_term(clips):
    X, _ = clips
    emb = SkipPoseEmbedder(window=3, contrastive=0.5, temperature=0.2, **FAST).fit(X)
    assert emb._training_view(30).get_params()["rotation"] == 0.3  # the default view
    assert SkipPoseEmbedder()._training_view(30) is None  # contrastive=0 draws no views
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.normal(size=(6, 9, 30)), dtype=torch.float32)
    m = torch.ones_like(x)
    m[0, 3:6] = 0  # sample 0 has an empty current window: left out of the view term
    xv = x * 1.1
    mod = emb.module_
    with torch.no_grad():
        recon = emb._loss(mod, x, m)
        full, view_term = emb._loss(mod, x, m, (xv, m))
        h = mod.encode(x[1:, 3:6], m[1:, 3:6])[0]
        hv = mod.encode(xv[1:, 3:6], m[1:, 3:6])[0]
        term = view_info_nce(mod.head(h), mod.head(hv), 0.2)
    torch.testing.assert_close(full, recon + 0.5 * term)
    torch.testing.assert_close(view_term, term)
    assert float(term) > 0
    # the history logs the view term beside the total
    h = emb.history_
    assert all(0 < e["train_view_loss"] and 0.5 * e["train_view_loss"] < e["train_loss"]
               for e in h)
    assert h[-1]["train_view_loss"] < h[0]["train_view_loss"]
    plain = SkipPoseEmbedder(window=3, **FAST).fit(X)
    assert "train_view_loss" not in plain.history_[0]


@pytest.mark.parametrize("decode_past", [True, False])
def test_neighbours_pair_uses_the_past_and_future_windows(clips, decode_past):
    """contrastive_pair="neighbours": the positive of the current window is
    the view of its neighbours, term by term as computed by hand."""
    X, _ = clips
    emb = SkipPoseEmbedder(window=3, contrastive=0.5, temperature=0.2,
                           contrastive_pair="neighbours", decode_past=decode_past,
                           **FAST).fit(X)
    rng = np.random.default_rng(0)
    span = 9 if decode_past else 6
    x = torch.tensor(rng.normal(size=(6, span, 30)), dtype=torch.float32)
    m = torch.ones_like(x)
    cur, nbrs = (slice(3, 6), [slice(6, 9), slice(0, 3)]) if decode_past \
        else (slice(0, 3), [slice(3, 6)])
    m[0, cur] = 0  # an empty current window: left out of every term
    m[1, nbrs[0]] = 0  # an empty future window: left out of the future term only
    xv = x * 1.1
    mod = emb.module_
    with torch.no_grad():
        recon = emb._loss(mod, x, m)
        full, term = emb._loss(mod, x, m, (xv, m))
        h = mod.encode(x[:, cur], m[:, cur])[0]
        terms = []
        for j, nb in enumerate(nbrs):
            keep = [i for i in range(6) if i > (1 if j == 0 else 0)]
            hv = mod.encode(xv[keep, nb], m[keep, nb])[0]
            terms.append(view_info_nce(mod.head(h[keep]), mod.head(hv), 0.2))
        by_hand = sum(terms) / len(terms)
        itself = emb.set_params(contrastive_pair="view")._loss(mod, x, m, (xv, m))[1]
    torch.testing.assert_close(term, by_hand)
    torch.testing.assert_close(full, recon + 0.5 * by_hand)
    assert not torch.allclose(term, itself)  # not the window's own view
    assert emb.history_[-1]["train_view_loss"] < emb.history_[0]["train_view_loss"]


def test_contrastive_fits_are_reproducible_and_differ(clips):
    X, _ = clips
    kw = dict(window=3, **FAST)
    a = SkipPoseEmbedder(contrastive=0.1, **kw).fit(X)
    b = SkipPoseEmbedder(contrastive=0.1, **kw).fit(X)
    base = SkipPoseEmbedder(**kw).fit(X)
    np.testing.assert_array_equal(a.transform(X[:4]), b.transform(X[:4]))
    assert not np.array_equal(a.transform(X[:4]), base.transform(X[:4]))
    # a custom view; the head is trained only with the term
    c = SkipPoseEmbedder(contrastive=0.1, contrastive_view=PoseJitter(mirror=0.0, noise=0.05),
                         **kw).fit(X)
    assert not np.array_equal(c.transform(X[:4]), a.transform(X[:4]))
    # same seed, same initial head; only the contrastive fit trains it
    heads = [list(e.module_.head.state_dict().values()) for e in (base, a)]
    assert not all(torch.equal(p, q) for p, q in zip(*heads))
    # the embedding survives a pickle, head included
    back = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(back.transform(X[:4]), a.transform(X[:4]))


def test_contrastive_makes_views_closer(clips):
    """The term does what it says: a rotated, scaled copy of a window encodes
    closer to the window than to other windows, more so than without it."""
    X, _ = clips
    kw = dict(window=4, n_components=16, max_epochs=6, patience=6, random_state=0)
    rng = np.random.default_rng(1)
    view = PoseJitter(mirror=0.0, scale=0.2, rotation=0.3)

    def margin(emb):
        Z = emb.transform(X)
        Xv = X.copy()
        ok = ~np.isnan(X)
        xv, _ = view.transform_batch(np.nan_to_num(X).astype(np.float32),
                                     ok.astype(np.float32), rng)
        Xv[ok] = xv[ok]
        Zv = emb.transform(Xv)
        A, B = Z[:, 0], Zv[:, 0]  # the first window of every clip
        A = A / np.linalg.norm(A, axis=1, keepdims=True)
        B = B / np.linalg.norm(B, axis=1, keepdims=True)
        S = A @ B.T
        return np.mean(np.diag(S)) - np.mean(S[~np.eye(len(S), dtype=bool)])

    plain = margin(SkipPoseEmbedder(**kw).fit(X))
    contrastive = margin(SkipPoseEmbedder(contrastive=1.0, **kw).fit(X))
    assert contrastive > plain + 0.05, (plain, contrastive)  # +0.09 to +0.23 for seeds 0-2


def test_masked_mse_by_hand():
    pred = torch.tensor([[1.0, 2.0, 3.0]])
    target = torch.tensor([[0.0, 0.0, 100.0]])
    mask = torch.tensor([[1.0, 1.0, 0.0]])
    assert float(masked_mse(pred, target, mask)) == pytest.approx((1 + 4) / 2)


def test_embedding_independent_of_batch_and_deterministic(clips):
    X, _ = clips
    emb = SkipPoseEmbedder(window=4, **FAST).fit(X)
    Z = emb.transform(X)
    one = emb.transform(X[3:4])
    L = sequence_lengths(one)[0]
    np.testing.assert_allclose(one[0, :L], Z[3, :L], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(emb.transform(X), Z)


def test_random_state_makes_fits_bit_identical(clips):
    X, _ = clips
    a = SkipPoseEmbedder(window=2, **FAST).fit(X)
    b = SkipPoseEmbedder(window=2, **FAST).fit(X)
    np.testing.assert_array_equal(a.transform(X[:5]), b.transform(X[:5]))
    assert [h["train_loss"] for h in a.history_] == [h["train_loss"] for h in b.history_]


def test_pickle_and_joblib_roundtrip(clips, tmp_path):
    X, _ = clips
    emb = SkipPoseEmbedder(window=2, **FAST).fit(X)
    Z = emb.transform(X[:4])
    emb2 = pickle.loads(pickle.dumps(emb))
    np.testing.assert_array_equal(emb2.transform(X[:4]), Z)
    joblib.dump(emb, tmp_path / "e.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "e.joblib").transform(X[:4]), Z)
    assert "module_" not in emb.__getstate__()  # weights stored as numpy arrays


def test_short_sequences_and_single_frames():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(L, 6)) for L in (1, 3, 5, 30)]
    emb = SkipPoseEmbedder(window=4, **FAST).fit(X)  # 1-, 3-, 5-frame clips padded
    Z = emb.transform(X)
    assert sequence_lengths(Z).tolist() == [1, 1, 2, 27]
    flat = SkipPoseEmbedder(window=2, **FAST).fit(rng.normal(size=(20, 4)))
    assert flat.transform(rng.normal(size=(3, 4))).shape == (3, 16)


def test_all_missing_window_is_finite():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 20, 6))
    X[0, 5:12] = np.nan  # real frames with every keypoint missing (not padding)
    emb = SkipPoseEmbedder(window=4, **FAST).fit(X)
    Z = emb.transform(X)
    assert np.isfinite(Z[0, :17]).all()


@pytest.mark.parametrize("Est", [SkipPoseEmbedder, AutoencoderEmbedder, PCAEmbedder])
def test_bad_input(Est):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 12, 6))
    kw = {"n_components": 4}
    with pytest.raises(ValueError, match="window"):
        Est(window=0, **kw).fit(X)
    bad = X.copy()
    bad[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        Est(**kw).fit(bad)
    fitted = Est(window=2, **kw, **({} if Est is PCAEmbedder else {"max_epochs": 1})).fit(X)
    with pytest.raises(ValueError, match="X has 8 features"):
        fitted.transform(rng.normal(size=(2, 12, 8)))
    with pytest.raises(ValueError, match="no real frame"):
        fitted.transform(np.full((1, 5, 6), np.nan))


def test_diverging_training_is_an_error(clips):
    X, _ = clips
    with pytest.raises(ValueError, match=r"Training diverged \(non-finite loss\); lower lr"):
        SkipPoseEmbedder(window=2, n_components=8, max_epochs=2, random_state=0).fit(X * 1e30)


def test_early_stopping_waits_patience_epochs(clips):
    # lr=0: the validation loss never improves after the first epoch
    X, _ = clips
    emb = SkipPoseEmbedder(window=2, n_components=8, lr=0.0, max_epochs=20, patience=3,
                           random_state=0).fit(X)
    assert emb.n_epochs_ == 4 and emb.best_epoch_ == 1
    assert [h["best"] for h in emb.history_] == [True, False, False, False]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks a machine without CUDA")
def test_devices_without_cuda(clips):
    X, _ = clips
    emb = SkipPoseEmbedder(window=2, n_components=8, max_epochs=1, device="auto").fit(X)
    assert emb.device_ == "cpu"
    for device in ("cuda", "cuda:0"):
        with pytest.raises(ValueError, match=f"device='{device}' but torch sees no CUDA"):
            SkipPoseEmbedder(max_epochs=1, device=device).fit(X)


@pytest.mark.parametrize("Est", [SkipPoseEmbedder, AutoencoderEmbedder])
def test_gpu_pickle_loads_on_a_machine_without_cuda(clips, monkeypatch, Est):
    # what a pickle made on a GPU machine holds: device_ "cuda", weights as numpy
    X, _ = clips
    emb = Est(window=2, **FAST).fit(X)
    Z = emb.transform(X[:4])
    emb.device_ = "cuda"
    blob = pickle.dumps(emb)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    back = pickle.loads(blob)
    assert back.device_ == "cpu"
    assert all(p.device.type == "cpu" for p in back.module_.parameters())
    np.testing.assert_array_equal(back.transform(X[:4]), Z)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("Est", [SkipPoseEmbedder, AutoencoderEmbedder])
@pytest.mark.parametrize("device", ["cuda", "auto"])
def test_cuda_training_embeds_as_its_cpu_copy(clips, monkeypatch, Est, device):
    X, _ = clips
    emb = Est(window=2, device=device, **FAST).fit(X)
    assert emb.device_ == "cuda"
    assert all(p.device.type == "cuda" for p in emb.module_.parameters())
    assert all(np.isfinite(h["train_loss"]) for h in emb.history_)
    Z = emb.transform(X[:4])
    assert np.isfinite(Z[~np.isnan(Z)]).all()
    # the same weights on the CPU (the pickle of a machine without CUDA) embed
    # alike, up to the GPU's float32 summation order
    blob = pickle.dumps(emb)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    cpu = pickle.loads(blob)
    assert cpu.device_ == "cpu"
    np.testing.assert_allclose(cpu.transform(X[:4]), Z, rtol=1e-3, atol=1e-3)


def test_bad_training_params():
    X = np.random.default_rng(0).normal(size=(4, 12, 6))
    with pytest.raises(ValueError, match="cell"):
        SkipPoseEmbedder(cell="transformer").fit(X)
    with pytest.raises(ValueError, match="validation_fraction"):
        SkipPoseEmbedder(validation_fraction=1.5).fit(X)
    with pytest.raises(ValueError, match="device"):
        SkipPoseEmbedder(device="tpu").fit(X)
    for bad in (-0.1, "0.1", True, np.nan, np.inf):
        with pytest.raises(ValueError, match="contrastive must be a non-negative number"):
            SkipPoseEmbedder(contrastive=bad).fit(X)
    for Est in (SkipPoseEmbedder, AutoencoderEmbedder):
        for name in ("lr", "weight_decay"):
            for bad in (-1.0, np.nan, np.inf, "0.1", True):
                with pytest.raises(ValueError, match=f"{name} must be a finite non-negative"):
                    Est(**{name: bad}).fit(X)
    for bad in (0, -1.0, None, np.inf):
        with pytest.raises(ValueError, match="temperature must be a positive number"):
            SkipPoseEmbedder(contrastive=0.1, temperature=bad).fit(X)
    with pytest.raises(TypeError, match="contrastive_view must be None or a PoseJitter"):
        SkipPoseEmbedder(contrastive=0.1, contrastive_view="rotate").fit(X)
    for bad in ("neighbors", "future", None, 1):
        with pytest.raises(ValueError, match="contrastive_pair must be 'view' or 'neighbours'"):
            SkipPoseEmbedder(contrastive=0.1, contrastive_pair=bad).fit(X)
    with pytest.raises(ValueError, match="contrastive view .*30 features per frame"):
        SkipPoseEmbedder(contrastive=0.1).fit(X)  # 6 features: not JHMDB poses
    for bad in ("yes", 1, None):
        with pytest.raises(TypeError, match=f"decode_past must be True or False, got {bad!r}"):
            SkipPoseEmbedder(decode_past=bad, max_epochs=1).fit(X)
    for Est in (SkipPoseEmbedder, AutoencoderEmbedder):
        for bad in ("no", 0, np.nan):
            with pytest.raises(TypeError, match="warm_start must be True or False"):
                Est(warm_start=bad, max_epochs=1).fit(X)
        for bad, exc in (("x", TypeError), (-1, ValueError), (0.5, TypeError)):
            with pytest.raises(exc, match="verbose must be"):
                Est(verbose=bad, max_epochs=1).fit(X)
        # augmentation that is not a MocapProjection: said before training, for both
        with pytest.raises(TypeError, match="augmentation must be None or a MocapProjection"):
            Est(augmentation=100, max_epochs=1).fit(X)
    assert SkipPoseEmbedder(decode_past=np.bool_(False), verbose=False,
                            max_epochs=1).fit(X).n_epochs_ == 1


def test_pca_matches_sklearn_pca_on_complete_windows():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 10, 4))
    Z = PCAEmbedder(window=3, n_components=5).fit_transform(X)
    W = np.stack([X[i, t : t + 3].ravel() for i in range(3) for t in range(8)])
    ref = PCA(n_components=5).fit_transform(W).reshape(3, 8, 5)
    np.testing.assert_allclose(np.abs(Z), np.abs(ref), atol=1e-5)  # float32 windows


def test_pca_mean_imputation():
    X = np.arange(2 * 6 * 2, dtype=float).reshape(2, 6, 2)
    emb = PCAEmbedder(window=2, n_components=2).fit(X)
    Xm = X.copy()
    Xm[0, 1] = np.nan
    Z = emb.transform(Xm)
    W = np.concatenate([X[0, 0], emb.mean_[2:]])  # missing frame -> mean of that slot
    np.testing.assert_allclose(Z[0, 0], emb.pca_.transform(W[None])[0], rtol=1e-5, atol=1e-5)


def test_grid_search_in_pipeline(jhmdb):
    # three actions, eight training clips each: every fold sees every action
    tr = np.flatnonzero(jhmdb.splits[:, 0] == 1)
    idx = np.concatenate([tr[jhmdb.target[tr] == c][:8] for c in np.unique(jhmdb.target)[:3]])
    X, y = PoseNormalizer().fit_transform(jhmdb.data[idx]), jhmdb.target[idx]
    pipe = make_pipeline(SkipPoseEmbedder(n_components=8, max_epochs=1, random_state=0),
                         DTWNearestNeighbors(aggregate="mean"))
    gs = GridSearchCV(pipe, {"skipposeembedder__window": [2, 4],
                             "skipposeembedder__decode_past": [True, False]}, cv=2)
    gs.fit(X, y)
    assert len(gs.cv_results_["mean_test_score"]) == 4
    assert np.isfinite(gs.cv_results_["mean_test_score"]).all()
    assert clone(pipe).get_params()["skipposeembedder__window"] == 4


def test_warm_start_continues(clips):
    X, _ = clips
    emb = SkipPoseEmbedder(window=2, warm_start=True, validation_fraction=0, **FAST).fit(X)
    emb.fit(X)
    assert len(emb.history_) == 6


@pytest.mark.parametrize("Est, change", [
    (SkipPoseEmbedder, dict(n_components=8)),
    (SkipPoseEmbedder, dict(window=3)),
    (SkipPoseEmbedder, dict(cell="lstm")),
    (SkipPoseEmbedder, dict(decode_past=False)),
    (AutoencoderEmbedder, dict(window=3)),
])
def test_settings_changed_after_fit_are_refused(clips, Est, change):
    X, _ = clips
    X = X[:20]
    emb = Est(window=2, warm_start=True, **{**FAST, "max_epochs": 1}).fit(X)
    Z = emb.transform(X[:2])
    emb.set_params(**change)
    # a warm start cannot continue a network of other dimensions ...
    with pytest.raises(ValueError, match="warm_start=True can only continue"):
        emb.fit(X)
    # ... nor can transform use it (it used to fail inside numpy or torch)
    with pytest.raises(ValueError, match="fit it again before transform"):
        emb.transform(X[:2])
    # the pickle keeps the fitted network; set back, it embeds as before
    back = pickle.loads(pickle.dumps(emb)).set_params(**{k: emb._arch_fitted[k] for k in change})
    np.testing.assert_array_equal(back.transform(X[:2]), Z)
    # a cold fit takes the new settings
    emb.set_params(warm_start=False).fit(X)
    emb.transform(X[:2])


def test_pca_window_changed_after_fit_is_refused(clips):
    X, _ = clips
    pca = PCAEmbedder(window=4, n_components=8).fit(X)
    with pytest.raises(ValueError, match=r"window 4 -> 8\); fit it again"):
        pca.set_params(window=8).transform(X)
    assert pca.set_params(stride=2, window=4).transform(X).shape[2] == 8  # stride is free


class _Recorder:
    """A callback that keeps what it saw and asks to stop at ``stop_at``."""

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.records, self.weights = [], []

    def __call__(self, estimator, record):
        assert record is estimator.history_[-1]
        self.records.append(dict(record))
        self.weights.append(estimator.module_.fc_in.weight.detach().clone())
        return self.stop_at is not None and record["epoch"] >= self.stop_at


@pytest.mark.parametrize("Est", [SkipPoseEmbedder, AutoencoderEmbedder])
def test_callbacks_see_every_epoch_and_current_weights(clips, Est):
    X, _ = clips
    rec = _Recorder()
    emb = Est(window=2, n_components=16, max_epochs=4, patience=10, batch_size=128,
              random_state=0, callbacks=[rec]).fit(X)
    assert rec.records == emb.history_ and len(rec.records) == 4
    # the callback saw each epoch's own weights; the fit kept the best epoch's
    assert not torch.equal(rec.weights[0], rec.weights[-1])
    torch.testing.assert_close(emb.module_.fc_in.weight, rec.weights[emb.best_epoch_ - 1],
                               rtol=0, atol=0)


def test_callback_stops_training_like_fewer_epochs(clips):
    X, _ = clips
    stopper, watcher = _Recorder(stop_at=2), _Recorder()
    kw = dict(window=2, n_components=16, batch_size=128, patience=10, random_state=0)
    emb = SkipPoseEmbedder(max_epochs=6, callbacks=[stopper, watcher], **kw).fit(X)
    assert emb.n_epochs_ == 2 and len(emb.history_) == 2
    assert len(watcher.records) == 2  # the later callback still saw the stopping epoch
    short = SkipPoseEmbedder(max_epochs=2, **kw).fit(X)  # same random stream, 2 epochs
    assert [h["train_loss"] for h in emb.history_] == [h["train_loss"] for h in short.history_]
    assert emb.best_epoch_ == short.best_epoch_
    np.testing.assert_array_equal(emb.transform(X[:3]), short.transform(X[:3]))


def _stop_at_once(estimator, record):
    return True


def test_callbacks_survive_clone_and_pickle(clips):
    X, _ = clips
    emb = SkipPoseEmbedder(window=2, **FAST, callbacks=[_stop_at_once]).fit(X)
    assert emb.n_epochs_ == 1
    assert clone(emb).get_params()["callbacks"] == [_stop_at_once]
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(emb)).transform(X[:2]),
                                  emb.transform(X[:2]))


@pytest.mark.parametrize("bad, match", [
    (_stop_at_once, "wrap a single callable in a list"),
    ("print", "callbacks must be None or a list of callables"),
    (3, "callbacks must be None or a list of callables"),
    ((cb for cb in [_stop_at_once]), "callbacks must be None or a list of callables"),
    ([_stop_at_once, "stop"], r"callbacks\[1\] is not callable"),
])
def test_bad_callbacks(bad, match):
    X = np.random.default_rng(0).normal(size=(4, 12, 6))
    for Est in (SkipPoseEmbedder, AutoencoderEmbedder):
        emb = Est(window=2, max_epochs=1, callbacks=bad)
        with pytest.raises(TypeError, match=match):
            emb.fit(X)
        assert not hasattr(emb, "history_")  # rejected before any training


def test_callback_can_embed_with_the_current_weights(clips):
    X, _ = clips
    seen = []
    emb = SkipPoseEmbedder(window=2, n_components=16, max_epochs=4, batch_size=128,
                           validation_fraction=0, random_state=0,
                           callbacks=[lambda est, rec: seen.append(est.transform(X[:3]))]).fit(X)
    assert len(seen) == 4 and not np.array_equal(seen[0], seen[-1])
    # without validation clips the epoch of lowest training loss is kept
    assert emb.best_epoch_ == 1 + int(np.argmin([h["train_loss"] for h in emb.history_]))
    np.testing.assert_array_equal(emb.transform(X[:3]), seen[emb.best_epoch_ - 1])


@pytest.mark.parametrize("Est", [SkipPoseEmbedder, AutoencoderEmbedder])
def test_max_epochs_zero_keeps_the_initial_weights(clips, Est):
    X, _ = clips
    kw = dict(window=2, n_components=16, batch_size=128, random_state=0)
    init = Est(max_epochs=0, **kw).fit(X)
    assert init.history_ == [] and init.n_epochs_ == 0 and init.best_epoch_ == 0
    # the initial weights do not depend on the data they were "fitted" on
    other = Est(max_epochs=0, **kw).fit(X[::-1][:7] * 2.0)
    np.testing.assert_array_equal(init.transform(X[:3]), other.transform(X[:3]))
    # and they are exactly where training starts: continuing them for two epochs
    # is the fresh two-epoch fit, bit for bit
    trained = Est(max_epochs=2, **kw).fit(X)
    init.set_params(warm_start=True, max_epochs=2).fit(X)
    assert [h["train_loss"] for h in init.history_] == [h["train_loss"] for h in trained.history_]
    np.testing.assert_array_equal(init.transform(X[:3]), trained.transform(X[:3]))
    assert not np.array_equal(other.transform(X[:3]), trained.transform(X[:3]))


def test_warm_start_best_epoch_is_the_kept_weights(clips):
    """A warm fit keeps the best weights of its own epochs; ``best_epoch_`` names
    that epoch even when an earlier fit had a lower validation loss."""
    X, _ = clips
    seen = []
    emb = SkipPoseEmbedder(window=2, n_components=16, batch_size=128, max_epochs=3,
                           validation_fraction=0.2, warm_start=True, random_state=0,
                           callbacks=[lambda est, rec: seen.append(est.transform(X[:3]))]).fit(X)
    emb.set_params(max_epochs=2).fit(X * 3.0)  # larger values: larger losses
    valid = [h["valid_loss"] for h in emb.history_]
    assert len(valid) == 5 and min(valid[3:]) > min(valid[:3])  # the case at stake
    assert emb.best_epoch_ == 4 + int(np.argmin(valid[3:]))
    np.testing.assert_array_equal(emb.transform(X[:3]), seen[emb.best_epoch_ - 1])


def test_a_refused_fit_keeps_the_fitted_settings(clips):
    # settings changed together with a bad one: the refused fit must not make
    # the old network look like one of the new settings
    X, _ = clips
    emb = SkipPoseEmbedder(window=2, **{**FAST, "max_epochs": 1}).fit(X[:20])
    emb.set_params(window=3, lr=np.nan)
    with pytest.raises(ValueError, match="lr must be"):
        emb.fit(X[:20])
    with pytest.raises(ValueError, match="window 2 -> 3"):
        emb.transform(X[:2])


def test_pca_embedder_failed_refit_leaves_the_fitted_state_whole(rng):
    X = rng.normal(size=(5, 12, 6))
    emb = PCAEmbedder(window=4, n_components=3).fit(X)
    mean, out = emb.mean_.copy(), emb.transform(X)
    with pytest.raises(ValueError, match="random_state"):
        emb.set_params(random_state="bad").fit(X * 2 + 1)
    np.testing.assert_array_equal(emb.mean_, mean)  # not the new data's mean
    np.testing.assert_array_equal(emb.transform(X), out)


def test_the_package_imports_without_loading_torch():
    # DTW search, PCA and preprocessing need no network: torch (about 0.9 s and
    # 180 MB) loads only when a neural embedder builds one, or a torch module is asked for
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "import sklearn_skippose\n"
        "from sklearn_skippose import DTWNearestNeighbors, PCAEmbedder, PoseNormalizer\n"
        "from sklearn_skippose.evaluation import make_method\n"
        "X = np.random.default_rng(0).normal(size=(6, 12, 4))\n"
        "Z = PCAEmbedder(window=2, n_components=3).fit_transform(PoseNormalizer().fit_transform(X))\n"
        "DTWNearestNeighbors().fit(Z, [0, 1] * 3).predict(Z)\n"
        "make_method('skippose-aug')\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "from sklearn_skippose.embedding import SkipPoseNet\n"
        "assert 'torch' in sys.modules and SkipPoseNet.__name__ == 'SkipPoseNet'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_every_accepted_cell_can_be_built():
    from sklearn_skippose.embedding._nets import _CELLS, SkipPoseNet
    from sklearn_skippose.embedding._skippose import _CELL_NAMES

    assert set(_CELLS) == set(_CELL_NAMES)
    for cell in _CELL_NAMES:
        net = SkipPoseNet(6, 4, 2, cell=cell)
        x = torch.zeros(3, 6, 6)
        past, future = net(x, torch.ones_like(x))
        assert past.shape == future.shape == (3, 2, 6)


# ------------------------------------------------ score / score_samples

def _triplets_by_hand(X, span):
    """Every run of ``span`` consecutive real frames of every sequence (NaN
    kept), and its sequence; sequences are longer than ``span`` here."""
    out, owner = [], []
    for i, x in enumerate(X):
        n = int((~np.isnan(x).all(axis=1)).sum())
        for s in range(n - span + 1):
            out.append(x[s:s + span])
            owner.append(i)
    return np.array(out), np.array(owner)


@pytest.mark.parametrize("kind", ["skippose", "no-past", "autoencoder"])
def test_score_is_the_masked_reconstruction_error_by_hand(clips, kind):
    X, _ = clips
    X = X[:8].copy()
    X[1, 4:7, :6] = np.nan  # missing keypoints: left out of the error
    if kind == "autoencoder":
        emb = AutoencoderEmbedder(window=3, **FAST).fit(X)
    else:
        emb = SkipPoseEmbedder(window=3, decode_past=kind == "skippose", **FAST).fit(X)
    W, owner = _triplets_by_hand(X, emb._span)
    m = ~np.isnan(W)
    with torch.no_grad():
        xt = torch.tensor(np.nan_to_num(W), dtype=torch.float32)
        mt = torch.tensor(m, dtype=torch.float32)
        if kind == "autoencoder":
            pred, keep = emb.module_(xt, mt).double().numpy(), np.ones(W.shape[1], bool)
        else:
            past, future, _ = emb.module_.reconstruct(xt, mt)
            keep = np.zeros(W.shape[1], bool)
            if kind == "skippose":
                keep[:3] = keep[6:] = True
                pred = torch.cat([past, future], dim=1).double().numpy()
            else:
                keep[3:] = True
                pred = future.double().numpy()
    err = np.where(m[:, keep], (pred - np.nan_to_num(W)[:, keep]) ** 2, 0.0)
    se, cnt = err.sum(axis=(1, 2)), m[:, keep].sum(axis=(1, 2))
    assert emb.score(X) == pytest.approx(-se.sum() / cnt.sum(), rel=1e-5)
    expected = -np.bincount(owner, se) / np.bincount(owner, cnt)
    np.testing.assert_allclose(emb.score_samples(X), expected, rtol=1e-5)


def test_score_is_minus_the_validation_loss(clips):
    """On the clips early stopping held out, with the best weights restored
    (no keypoint missing: the gaps filled in first)."""
    from sklearn.utils import check_random_state

    from sklearn_skippose import KeypointInterpolator

    X = KeypointInterpolator().fit_transform(clips[0])
    emb = SkipPoseEmbedder(window=3, validation_fraction=0.25, **FAST).fit(X)
    rs = check_random_state(FAST["random_state"])  # the fit's draws, in its order
    rs.randint(0, 2**31 - 1)
    val = np.sort(rs.permutation(len(X))[: int(round(0.25 * len(X)))])
    best = emb.history_[emb.best_epoch_ - 1]["valid_loss"]
    assert emb.score(X[val]) == pytest.approx(-best, rel=1e-5)
    assert emb.score(X[val]) != pytest.approx(emb.score(X), rel=1e-3)


def test_score_chooses_the_trained_embedder_without_labels(clips):
    X, _ = clips
    gs = GridSearchCV(SkipPoseEmbedder(window=3, n_components=16, random_state=0),
                      {"max_epochs": [0, 4]}, cv=2).fit(X)
    assert gs.best_params_ == {"max_epochs": 4}
    assert gs.cv_results_["mean_test_score"][1] > gs.cv_results_["mean_test_score"][0]


@pytest.mark.parametrize("kind", ["skippose", "pca"])
def test_score_samples_blames_the_right_clip(clips, kind):
    X, _ = clips
    emb = (SkipPoseEmbedder(window=3, **FAST) if kind == "skippose"
           else PCAEmbedder(window=3, n_components=16)).fit(X[:30])
    odd = X[30:34].copy()
    before = emb.score_samples(odd)
    odd[2] *= 4.0  # poses far outside the training clips' range
    after = emb.score_samples(odd)
    assert after.shape == (4,) and np.isfinite(after).all() and (after <= 0).all()
    np.testing.assert_allclose(np.delete(after, 2), np.delete(before, 2), rtol=1e-6)
    assert after[2] < 5 * before[2] and np.argmin(after) == 2


def test_score_bad_input(clips):
    from sklearn.exceptions import NotFittedError

    X, _ = clips
    with pytest.raises(NotFittedError):
        SkipPoseEmbedder().score(X)
    emb = SkipPoseEmbedder(window=3, **FAST).fit(X[:10])
    with pytest.raises(ValueError, match="features"):
        emb.score_samples(X[:2, :, :20])
    emb.set_params(window=4)
    with pytest.raises(ValueError, match="fitted with other settings.*before scoring"):
        emb.score(X[:2])


@pytest.mark.parametrize("whiten", [False, True])
def test_pca_score_is_the_masked_reconstruction_error_by_hand(clips, whiten):
    """Against an SVD of the mean-imputed training windows, computed here."""
    X, _ = clips
    X = X[:8].copy()
    X[1, 4:7, :6] = np.nan  # missing keypoints: imputed, and left out of the error
    emb = PCAEmbedder(window=3, n_components=5, whiten=whiten).fit(X)
    W, owner = _triplets_by_hand(X, 3)
    W = W.reshape(len(W), -1)
    m = ~np.isnan(W)
    mean = np.nanmean(W, axis=0)  # the imputation value: the observed mean
    Wi = np.where(m, W, mean)
    centre = Wi.mean(axis=0)
    _, _, vt = np.linalg.svd(Wi - centre, full_matrices=False)
    R = centre + (Wi - centre) @ vt[:5].T @ vt[:5]  # projection on 5 components
    err = np.where(m, (R - Wi) ** 2, 0.0)
    se, cnt = err.sum(axis=1), m.sum(axis=1)
    assert emb.score(X) == pytest.approx(-se.sum() / cnt.sum(), rel=1e-5)
    expected = -np.bincount(owner, se) / np.bincount(owner, cnt)
    np.testing.assert_allclose(emb.score_samples(X), expected, rtol=1e-5)


def test_pca_score_grows_with_the_components(clips):
    X, _ = clips
    scores = [PCAEmbedder(window=3, n_components=k).fit(X[:30]).score(X[30:])
              for k in (4, 16, 64)]
    assert scores[0] < scores[1] < scores[2] < 0
    # every window reconstructed exactly: all components kept
    assert PCAEmbedder(window=1, n_components=30).fit(X[:30]).score(X[:30]) \
        == pytest.approx(0.0, abs=1e-8)


def test_pca_score_bad_input(clips):
    from sklearn.exceptions import NotFittedError

    X, _ = clips
    with pytest.raises(NotFittedError):
        PCAEmbedder().score(X)
    emb = PCAEmbedder(window=3, n_components=8).fit(X[:10])
    with pytest.raises(ValueError, match="features"):
        emb.score_samples(X[:2, :, :20])
    emb.set_params(window=4)
    with pytest.raises(ValueError, match="fitted with other settings.*before scoring"):
        emb.score(X[:2])


def test_pca_on_windows_that_do_not_vary_warns_once_and_embeds_one_point():
    import warnings

    X = np.full((3, 8, 4), 2.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Z = PCAEmbedder(window=2, n_components=2).fit_transform(X)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "training windows do not vary" in messages[0]
    assert np.isfinite(Z).all() and np.ptp(Z.reshape(-1, Z.shape[-1]), axis=0).max() == 0


@pytest.mark.parametrize("call", ["fit", "fit_transform", "pipeline", "joblib"])
def test_pca_warnings_point_at_the_callers_line(call):
    # the warning names the user's line, not our module, nor scikit-learn's or
    # joblib's when they call fit for the user (fit_transform, Pipeline.fit,
    # a cached call)
    import inspect

    import joblib

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    def run(embedder, X):  # the line number of the call that warns
        here = inspect.currentframe
        if call == "fit":
            return here().f_lineno, embedder.fit(X)
        if call == "fit_transform":
            return here().f_lineno, embedder.fit_transform(X)
        if call == "joblib":
            return here().f_lineno, joblib.Memory(None).cache(embedder.fit)(X)
        return here().f_lineno, make_pipeline(FunctionTransformer(), embedder).fit(X)

    rng = np.random.default_rng(0)
    for match, embedder, X in [
        ("reduced to", PCAEmbedder(window=2, n_components=500), rng.normal(size=(3, 8, 4))),
        ("do not vary", PCAEmbedder(window=2, n_components=2), np.full((3, 8, 4), 2.0)),
    ]:
        with pytest.warns(UserWarning, match=match) as rec:
            line, _ = run(embedder, X)
        assert (rec[0].filename, rec[0].lineno) == (__file__, line)


def test_warn_user_names_the_raising_line_when_every_frame_is_internal(monkeypatch):
    # as in a joblib worker, where no frame is the user's
    import inspect

    from sklearn_skippose.utils import _warnings

    monkeypatch.setattr(_warnings, "_INTERNAL", ("",))  # every file internal
    with pytest.warns(UserWarning, match="here") as rec:
        line = inspect.currentframe().f_lineno + 1
        _warnings.warn_user("here")
    assert (rec[0].filename, rec[0].lineno) == (__file__, line)


@pytest.mark.parametrize("cls", [SkipPoseEmbedder, AutoencoderEmbedder])
def test_score_samples_of_a_clip_do_not_depend_on_the_other_clips(cls):
    # the scores come from a float64 copy of the network so that a clip scores
    # alone as in a batch (3 features: in float32 a clip alone and in this
    # batch scored up to 2e-7 apart, relative, on an Intel Xeon)
    X = 3 * np.random.RandomState(0).uniform(size=(20, 5, 3))
    X[::3, 4:] = np.nan  # some shorter clips
    emb = cls(window=2, n_components=4, max_epochs=2, random_state=0).fit(X)
    whole = emb.score_samples(X)
    alone = np.array([emb.score_samples(X[i : i + 1])[0] for i in range(len(X))])
    np.testing.assert_allclose(alone, whole, rtol=1e-12, atol=0)
    np.testing.assert_allclose(emb.score_samples(X[7:16]), whole[7:16], rtol=1e-12, atol=0)
    assert next(emb.module_.parameters()).dtype == torch.float32  # the model itself unchanged
