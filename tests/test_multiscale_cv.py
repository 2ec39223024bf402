"""``benchmarks/multiscale_cv.py``: windows cropped to common centres, the concatenation,
and its printed PCA rows against the pipeline fitted on each video-disjoint fold by hand."""

import re

import numpy as np
import pytest

from tests.conftest import load_benchmark, pca_fold_accuracies

# tests of a script in benchmarks/, not of the package: .ci/run runs them in the
# main environment only
pytestmark = pytest.mark.benchmark_script


def _script():
    return load_benchmark("multiscale_cv")


def _centres(lengths, window, max_steps):
    """One feature per step: the frame a ``window``-frame window is centred on."""
    Z = np.full((len(lengths), max_steps, 1), np.nan)
    for i, n in enumerate(lengths):
        steps = max(n - window + 1, 1)
        Z[i, :steps, 0] = np.arange(steps) + (window - 1) / 2
    return Z


def test_centred_crop_matches_the_longest_windows_centres():
    lengths = [12, 9, 6, 4]   # the last is shorter than the long window: one step each
    long_ = _centres(lengths, 6, 7)
    short = _centres(lengths, 2, 11)
    steps = (~np.isnan(long_[..., 0])).sum(axis=1)
    assert steps.tolist() == [7, 4, 1, 1]
    C = _script().centred_crop(short, 2, 6, steps)
    assert C.shape == (4, 7, 1)
    np.testing.assert_array_equal(np.isnan(C), np.isnan(long_))
    np.testing.assert_array_equal(C[:3], long_[:3])    # same centres frame for frame
    assert C[3, 0, 0] == 2.5                           # the short clip's last window


def test_centred_crop_rejects_a_longer_window():
    mod = _script()
    Z = _centres([8], 6, 3)
    with pytest.raises(ValueError, match="expected window <= longest"):
        mod.centred_crop(Z, 6, 2, np.array([7]))


def test_multiscale_is_unit_frames_concatenated():
    """Each block is the window's crop scaled to unit length; the cosine of the
    concatenation is the mean of the windows' cosines."""
    rng = np.random.default_rng(0)
    mod = _script()
    lengths = [10, 7]

    def part(window, d):
        Z = np.full((2, 10, d), np.nan)
        for i, n in enumerate(lengths):
            Z[i, : n - window + 1] = rng.normal(size=(n - window + 1, d))
        return {k: Z.copy() for k in ("dict", "mirror", "val")}

    p4, p2 = part(4, 3), part(2, 5)
    out = mod.multiscale([p4, p2], [4, 2])["val"]
    assert out.shape == (2, 7, 8)
    for i, n in enumerate(lengths):
        m = n - 3
        assert np.isnan(out[i, m:]).all() and not np.isnan(out[i, :m]).any()
        a, b = p4["val"][i, :m], p2["val"][i, 1 : 1 + m]
        np.testing.assert_allclose(out[i, :m, :3], a / np.linalg.norm(a, axis=1, keepdims=True))
        np.testing.assert_allclose(out[i, :m, 3:], b / np.linalg.norm(b, axis=1, keepdims=True))
    x, z = out[0, 0], out[1, 2]
    cos = [np.dot(x[s], z[s]) for s in (slice(0, 3), slice(3, 8))]
    np.testing.assert_allclose(np.dot(x, z) / np.dot(x, x), np.mean(cos))


def test_pca_rows_by_hand(data_home, capsys):
    """PCA only (``--skippose none``), split 2: each window's row is the pipeline fitted
    on each fold by hand, and the multi-scale row is the concatenation built by hand."""
    from sklearn.pipeline import make_pipeline

    from sklearn_skippose import (DTWNearestNeighbors, PCAEmbedder, PoseNormalizer,
                                  SequenceWhitener, mirror_poses)
    from sklearn_skippose.datasets import load_jhmdb
    from sklearn_skippose.metrics import mean_per_class_accuracy
    from sklearn_skippose.model_selection import inner_splits

    _script().main(["--data-home", str(data_home), "--split", "2", "--skippose", "none",
                    "--pca", "4:16,2:16"])
    out = capsys.readouterr().out
    found = {m.group(1).strip(): [float(v) for v in m.group(2, 3)]
             for m in re.finditer(r"^(.+?)\s+[\d.]+\s+\(folds ([\d.]+) / ([\d.]+)\)$", out, re.M)}
    assert set(found) == {"PCA T=4 d=16", "PCA T=2 d=16", "PCA multi-scale T=4 d=16 + T=2 d=16"}
    for window in (4, 2):
        want = pca_fold_accuracies(data_home, 1, window, 16)
        assert [100 * a for a in want] == pytest.approx(found[f"PCA T={window} d=16"], abs=0.051)

    jh = load_jhmdb(data_home)
    idx, cv = inner_splits(jh.splits, 1)
    X, y = jh.data[idx], jh.target[idx]
    want = []
    for dic, val in cv.split(X):
        sets = [X[dic], mirror_poses(X[dic]), X[val]]
        blocks = []
        for window, skip in ((4, 0), (2, 1)):   # the T = 2 windows centred as T = 4's
            feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"),
                                 PCAEmbedder(window=window, n_components=16),
                                 SequenceWhitener()).fit(X[dic])
            per_set = []
            for S in sets:
                Z = feat.transform(S)
                n = (~np.isnan(S).all(axis=-1)).sum(axis=1) - 3   # steps of T = 4
                B = np.full((len(S), n.max(), 16), np.nan)
                for i, m in enumerate(n):
                    B[i, :m] = Z[i, skip : skip + m]
                per_set.append(B / np.linalg.norm(B, axis=-1, keepdims=True))
            blocks.append(per_set)
        Zd, Zm, Zv = (np.concatenate([blocks[0][k], blocks[1][k]], -1) for k in range(3))
        knn = DTWNearestNeighbors(aggregate="mean").fit(Zd, y[dic]).partial_fit(Zm, y[dic])
        want.append(100 * mean_per_class_accuracy(y[val], knn.predict(Zv)))
    assert want == pytest.approx(found["PCA multi-scale T=4 d=16 + T=2 d=16"], abs=0.051)


def test_skippose_rows(data_home, capsys, monkeypatch):
    """A small Skip-Pose + mocap (one epoch, 200 projections, PCA left out): every row."""
    from sklearn_skippose.evaluation import make_method

    mod = _script()
    monkeypatch.setattr(mod, "make_method",
                        lambda *a, **k: make_method(*a, **{**k, "max_epochs": 1}))
    mod.main(["--data-home", str(data_home), "--split", "3", "--pca", "none",
              "--skippose", "3:8,2:8", "--augment", "200"])
    out = capsys.readouterr().out
    rows = re.findall(r"^(Skip-Pose.+?)\s+([\d.]+)\s+\(folds", out, re.M)
    assert [r[0].strip() for r in rows] == [
        "Skip-Pose + mocap T=3 d=8", "Skip-Pose + mocap T=2 d=8",
        "Skip-Pose + mocap multi-scale T=3 d=8 + T=2 d=8"]
    assert all(0 < float(acc) <= 100 for _, acc in rows)


@pytest.mark.parametrize("argv", [["--split", "4"], ["--augment", "0"], ["--pca", "4"],
                                  ["--pca", "4:0"], ["--pca", "4:16,4:8"], ["--skippose", "a:b"],
                                  ["--skippose", "none", "--pca", "none"]])
def test_bad_arguments(argv):
    with pytest.raises(SystemExit):
        _script().main(argv)
