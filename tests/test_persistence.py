"""save_params / load_params / load_embedder: fitted embedders (trained networks, PCA)
in files without pickle."""

import io
import json
import pickle
import zipfile

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from sklearn_skippose import (AutoencoderEmbedder, MocapProjection, PCAEmbedder, PoseJitter,
                              PoseNormalizer, SkipPoseEmbedder)
from sklearn_skippose.embedding import load_embedder

FAST = dict(n_components=16, max_epochs=3, batch_size=128, random_state=0)


@pytest.fixture(scope="module")
def clips(jhmdb):
    """Normalised real JHMDB clips: 30 of split 1's training set."""
    X = PoseNormalizer().fit_transform(jhmdb.data)
    return X[np.flatnonzero(jhmdb.splits[:, 0] == 1)[::18]]


@pytest.fixture(scope="module")
def fitted(clips):
    return SkipPoseEmbedder(window=3, **FAST).fit(clips)


def _same_embedding(a, b, X):
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


def _entries(path):
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _write(path, entries):
    with open(path, "wb") as fh:
        np.savez(fh, **entries)


@pytest.mark.parametrize("make", [
    lambda: SkipPoseEmbedder(window=3, **FAST),
    lambda: SkipPoseEmbedder(window=2, cell="lstm", decode_past=False, **FAST),
    lambda: SkipPoseEmbedder(window=2, contrastive=0.1, **FAST),  # the head is saved too
    lambda: AutoencoderEmbedder(window=4, **FAST),
], ids=["skippose", "lstm-no-past", "contrastive", "autoencoder"])
def test_roundtrip_through_a_path(clips, tmp_path, make):
    emb = make().fit(clips)
    path = tmp_path / "embedder.params"
    emb.save_params(path)
    assert path.is_file() and not (tmp_path / "embedder.params.npz").exists()
    back = load_embedder(path)
    assert type(back) is type(emb)
    assert back.get_params() == emb.get_params()
    _same_embedding(back, emb, clips)
    for a, b in zip(back.module_.state_dict().values(), emb.module_.state_dict().values()):
        assert torch.equal(a, b)
    assert back.history_ == emb.history_
    assert (back.n_epochs_, back.best_epoch_, back.n_components_, back.n_features_in_) == (
        emb.n_epochs_, emb.best_epoch_, emb.n_components_, emb.n_features_in_)
    assert back.device_ == "cpu" and not back.module_.training
    # into an embedder constructed with the same network settings
    same = type(emb)(**{k: getattr(emb, k) for k in emb._architecture_params})
    assert same.load_params(path) is same
    _same_embedding(same, emb, clips)


def test_file_objects_and_no_pickle(fitted, clips):
    buf = io.BytesIO()
    fitted.save_params(buf)
    buf.seek(0)
    # every entry is a plain array: numpy reads it all without pickle
    with np.load(buf, allow_pickle=False) as f:
        meta = json.loads(str(f["meta"][()]))
        assert all(f[k].dtype != object for k in f.files)
    assert meta["estimator"] == "SkipPoseEmbedder"
    assert meta["architecture"] == {"window": 3, "n_components": 16, "cell": "gru",
                                    "decode_past": True}
    assert meta["n_features"] == meta["n_features_in"] == 30
    buf.seek(0)
    _same_embedding(SkipPoseEmbedder(window=3, n_components=16).load_params(buf), fitted, clips)


def test_object_parameters_are_recorded_not_saved(clips, tmp_path, h36m_home):
    aug = MocapProjection(n_samples=100, data_home=h36m_home, random_state=0)
    emb = SkipPoseEmbedder(window=2, augmentation=aug, jitter=PoseJitter(),
                           callbacks=[lambda est, rec: False], **FAST).fit(clips)
    path = tmp_path / "e.npz"
    emb.save_params(path)
    meta = json.loads(str(_entries(path)["meta"][()]))
    assert sorted(meta["not_saved"]) == ["augmentation", "callbacks", "jitter"]
    assert "device" not in meta["params"]  # where to run is the loading machine's choice
    back = load_embedder(path)
    assert back.augmentation is None and back.jitter is None and back.callbacks is None
    _same_embedding(back, emb, clips)
    jit = PoseJitter(scale=0.1)
    assert load_embedder(path, jitter=jit).jitter is jit


def test_numpy_scalar_parameters_are_saved_as_numbers(clips, tmp_path):
    emb = SkipPoseEmbedder(window=np.int64(2), lr=np.float32(1e-3), decode_past=np.True_,
                           **FAST).fit(clips)
    emb.save_params(tmp_path / "e.npz")
    back = load_embedder(tmp_path / "e.npz")
    assert back.window == 2 and type(back.window) is int
    assert back.decode_past is True
    assert back.lr == pytest.approx(1e-3) and type(back.lr) is float


def test_training_continues_from_the_loaded_weights(clips, tmp_path):
    """warm_start on the loaded embedder trains on exactly as the saved one would."""
    emb = SkipPoseEmbedder(window=3, **FAST).fit(clips)
    emb.save_params(tmp_path / "e.npz")
    back = load_embedder(tmp_path / "e.npz", warm_start=True, max_epochs=2)
    emb.set_params(warm_start=True, max_epochs=2)
    back.fit(clips)
    emb.fit(clips)
    assert back.n_epochs_ == emb.n_epochs_ == 5
    assert [h["train_loss"] for h in back.history_] == [h["train_loss"] for h in emb.history_]
    _same_embedding(back, emb, clips)


def test_loading_leaves_global_torch_random_state_alone(fitted, tmp_path):
    fitted.save_params(tmp_path / "e.npz")
    before = torch.get_rng_state()
    load_embedder(tmp_path / "e.npz")
    assert torch.equal(before, torch.get_rng_state())


def test_loading_replaces_a_fitted_state(fitted, clips, tmp_path):
    fitted.save_params(tmp_path / "e.npz")
    other = SkipPoseEmbedder(window=3, n_components=16, max_epochs=1, random_state=5)
    other.fit(clips[:, :, :20])
    other.load_params(tmp_path / "e.npz")
    assert other.n_features_in_ == 30
    _same_embedding(other, fitted, clips)


def test_unfitted_cannot_be_saved(tmp_path):
    with pytest.raises(NotFittedError):
        SkipPoseEmbedder().save_params(tmp_path / "e.npz")


def test_other_network_settings_are_refused(fitted, tmp_path):
    fitted.save_params(tmp_path / "e.npz")
    with pytest.raises(ValueError, match=r"made with window=3, n_components=16.*"
                                         r"window=4, n_components=64.*load_embedder"):
        SkipPoseEmbedder().load_params(tmp_path / "e.npz")
    with pytest.raises(ValueError, match="made with window=3"):
        load_embedder(tmp_path / "e.npz", window=4)
    with pytest.raises(ValueError, match="holds a fitted SkipPoseEmbedder, not a "
                                         "AutoencoderEmbedder"):
        AutoencoderEmbedder(window=3, n_components=16).load_params(tmp_path / "e.npz")


@pytest.mark.parametrize("file", [0, 1, True, None, 2.5, ["e.npz"]])
def test_what_is_not_a_file_is_refused(fitted, file, capfd):
    # an integer would be taken by open() for a file descriptor: 1 is stdout
    with pytest.raises(TypeError, match="file must be a path .* with a write method"):
        fitted.save_params(file)
    for load in (SkipPoseEmbedder(window=3, n_components=16).load_params, load_embedder):
        with pytest.raises(TypeError, match="file must be a path .* with a read method"):
            load(file)
    assert capfd.readouterr().out == ""  # nothing written anywhere


def test_bad_parameters_are_refused_on_load(fitted, tmp_path):
    fitted.save_params(tmp_path / "e.npz")
    with pytest.raises(ValueError, match="lr must be"):
        load_embedder(tmp_path / "e.npz", lr=-1.0)
    with pytest.raises(ValueError, match="device must be"):
        load_embedder(tmp_path / "e.npz", device="tpu")
    with pytest.raises(TypeError, match="unexpected keyword"):
        load_embedder(tmp_path / "e.npz", windw=3)


@pytest.mark.parametrize("content, match", [
    (b"not an archive at all", "not a .npz archive"),
    (b"", "not a .npz archive"),
    (pickle.dumps({"meta": 1}), "not a .npz archive"),
])
def test_files_that_are_not_archives(tmp_path, content, match):
    path = tmp_path / "e.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"e.npz is not an embedder file written by "
                                         f"save_params: {match}"):
        load_embedder(path)
    with pytest.raises(ValueError, match=match):
        SkipPoseEmbedder().load_params(path)


def test_a_bare_npy_array(tmp_path):
    path = tmp_path / "e.npz"
    with open(path, "wb") as fh:
        np.save(fh, np.zeros(3))
    with pytest.raises(ValueError, match="a bare .npy array"):
        load_embedder(path)


def test_file_system_errors_are_the_file_systems(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_embedder(tmp_path / "nowhere.npz")
    with pytest.raises(IsADirectoryError):
        load_embedder(tmp_path)


def _edited(fitted, tmp_path, edit_meta=None, edit_entries=None):
    src = tmp_path / "src.npz"
    fitted.save_params(src)
    entries = _entries(src)
    meta = json.loads(str(entries["meta"][()]))
    if edit_meta:
        edit_meta(meta)
    entries["meta"] = np.array(json.dumps(meta))
    if edit_entries:
        edit_entries(entries)
    path = tmp_path / "bad.npz"
    _write(path, entries)
    return path


def _set(key, value):
    return lambda meta: meta.__setitem__(key, value)


@pytest.mark.parametrize("edit_meta, edit_entries, match", [
    (None, lambda e: e.pop("meta"), "has no 'meta' entry"),
    (None, lambda e: e.__setitem__("meta", np.array("{not json")), "not the expected JSON"),
    (None, lambda e: e.__setitem__("meta", np.arange(3)), "not the expected JSON"),
    (_set("format", "something.else"), None, "does not declare format"),
    (_set("format_version", 99), None, "format version 99.*reads up to 1.*Upgrade"),
    (lambda m: m.pop("history"), None, "lacks history"),
    (_set("n_features", "30"), None, "n_features is '30', not an integer >= 1"),
    (_set("n_features", 0), None, "n_features is 0"),
    (_set("history", {"epoch": 1}), None, "history is not a list"),
    (_set("estimator", "KMeans"), None, "holds a 'KMeans'; load_embedder reads"),
    (_set("architecture", {"window": 3}), None, "does not describe a fitted SkipPoseEmbedder"),
    (_set("params", [1, 2]), None, "parameters are not a mapping"),
    (None, lambda e: e.pop("state.encoder.weight_hh_l0"),
     "do not fit.*missing encoder.weight_hh_l0"),
    (None, lambda e: e.__setitem__("state.extra", np.zeros(2)), "unexpected extra"),
    (None, lambda e: e.__setitem__("state.encoder.bias_hh_l0", np.zeros(7)),
     "of other shapes or types encoder.bias_hh_l0"),
    (None, lambda e: e.__setitem__("state.encoder.bias_hh_l0", np.full(48, "a")),
     "of other shapes or types encoder.bias_hh_l0"),
])
def test_malformed_files(fitted, tmp_path, edit_meta, edit_entries, match):
    path = _edited(fitted, tmp_path, edit_meta, edit_entries)
    with pytest.raises(ValueError, match=match):
        load_embedder(path)


def test_a_truncated_file(fitted, tmp_path):
    buf = io.BytesIO()
    fitted.save_params(buf)
    path = tmp_path / "cut.npz"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(ValueError, match="not an embedder file written by save_params"):
        load_embedder(path)


def test_weights_stored_as_float64_load(fitted, clips, tmp_path):
    """Weights written at another precision are cast to the network's."""
    def widen(entries):
        for k in list(entries):
            if k.startswith("state."):
                entries[k] = entries[k].astype(np.float64)
    back = load_embedder(_edited(fitted, tmp_path, edit_entries=widen))
    _same_embedding(back, fitted, clips)


def test_zip_with_the_right_names_but_not_npy(tmp_path):
    path = tmp_path / "e.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("meta.npy", b"garbage")
    with pytest.raises(ValueError, match="not the expected JSON|not a .npz archive"):
        load_embedder(path)


# ---------------------------------------------------------------------------
# PCAEmbedder: the same file format, its arrays instead of a network's weights


@pytest.mark.parametrize("params", [
    dict(window=4, n_components=16),
    dict(window=2, n_components=8, whiten=True, random_state=3),
    dict(window=1, n_components=500),  # reduced to the 30 values of a window, with a warning
], ids=["plain", "whiten", "reduced"])
def test_pca_roundtrip(clips, tmp_path, params):
    import warnings

    X = clips.copy()
    X[0, 5, 4:6] = np.nan  # a missing keypoint: imputed by the saved mean
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        emb = PCAEmbedder(**params).fit(X)
    path = tmp_path / "pca.npz"
    emb.save_params(path)
    back = load_embedder(path)
    assert type(back) is PCAEmbedder and back.get_params() == emb.get_params()
    assert back.n_components_ == emb.n_components_ and back.n_features_in_ == 30
    _same_embedding(back, emb, X)  # bit for bit: the same PCA transform
    np.testing.assert_array_equal(back.pca_.explained_variance_ratio_,
                                  emb.pca_.explained_variance_ratio_)
    into = PCAEmbedder(**params).load_params(path)
    _same_embedding(into, emb, X)
    with np.load(path, allow_pickle=False) as f:  # a plain archive: nothing pickled
        meta = json.loads(str(f["meta"][()]))
    assert meta["estimator"] == "PCAEmbedder" and meta["history"] == []


def test_pca_file_checks(clips, tmp_path):
    emb = PCAEmbedder(window=2, n_components=8).fit(clips)
    path = tmp_path / "pca.npz"
    emb.save_params(path)
    with pytest.raises(ValueError, match="made with window=2.*this embedder has window=4"):
        PCAEmbedder(window=4, n_components=8).load_params(path)
    with pytest.raises(ValueError, match="holds a fitted PCAEmbedder, not a SkipPoseEmbedder"):
        SkipPoseEmbedder(window=2, n_components=8).load_params(path)
    with pytest.raises(NotFittedError):
        PCAEmbedder().save_params(tmp_path / "unfitted.npz")
    for edit, match in (
            (lambda e: e.pop("state.components"), "missing components"),
            (lambda e: e.__setitem__("state.mean", np.zeros(7)),
             "of other shapes or types, or not finite mean"),
            (lambda e: e.__setitem__("state.explained_variance", np.full(8, np.nan)),
             "of other shapes or types, or not finite explained_variance"),
            (lambda e: e.__setitem__("state.extra", np.zeros(2)), "unexpected extra")):
        bad = _edited(emb, tmp_path, edit_entries=edit)
        with pytest.raises(ValueError, match=f"do not fit the PCA they describe: {match}"):
            load_embedder(bad)
    bad = _edited(emb, tmp_path, _set("n_components", 9))  # more than it was made with
    with pytest.raises(ValueError, match="does not describe a fitted PCAEmbedder"):
        load_embedder(bad)
