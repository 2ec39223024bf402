import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_skippose import MocapProjection, PoseNormalizer, SkipPoseEmbedder
from sklearn_skippose.augmentation import project_poses


def test_projection_geometry_by_hand():
    # camera on the +x axis 5 m away, looking at the origin; image x = right
    P = np.zeros((1, 1, 3, 3))
    P[0, 0, 1] = [0.0, 1000.0, 0.0]  # +y: to the camera's left? right = f x z
    P[0, 0, 2] = [0.0, 0.0, 1000.0]  # up: smaller image y
    uv = project_poses(P, np.zeros(1), np.zeros(1), np.full(1, 5000.0), np.full(1, 500.0),
                       np.array([[160.0, 120.0]]))[0, 0]
    # f = (-1, 0, 0), right = f x z = (0, 1, 0): +y projects to the right
    np.testing.assert_allclose(uv, [[160, 120], [260, 120], [160, 20]])


def test_behind_camera_is_nan():
    P = np.zeros((1, 1, 1, 3))
    P[0, 0, 0] = [6000.0, 0.0, 0.0]
    uv = project_poses(P, np.zeros(1), np.zeros(1), np.full(1, 5000.0), np.full(1, 500.0),
                       np.array([[160.0, 120.0]]))
    assert np.isnan(uv).all()


def test_samples_look_like_normalised_real_data(h36m_home):
    aug = MocapProjection(data_home=h36m_home, subjects=["S1"], random_state=0)
    x, m = aug.sample(64, 12)
    assert x.shape == m.shape == (64, 12, 30) and x.dtype == np.float32
    assert np.isfinite(x).all()
    assert (m[..., 0::2] == m[..., 1::2]).all()  # x and y masked together
    assert 0.5 < m.mean() <= 1.0
    assert (x[m == 0] == 0).all()
    # same seed, same samples; the generator is honoured
    x2, _ = aug.sample(64, 12)
    np.testing.assert_array_equal(x, x2)
    x3, _ = aug.sample(64, 12, rng=np.random.default_rng(1))
    assert not np.array_equal(x, x3)


def test_first_pose_normalisation_of_samples(h36m_home):
    aug = MocapProjection(data_home=h36m_home, subjects=["S1"], max_offset=0,
                          focal_range=(200, 200), distance_range=(6000, 6000),
                          random_state=0)
    x, m = aug.sample(16, 8)
    first = np.where(m[:, 0] > 0, x[:, 0], np.nan).reshape(16, 15, 2)
    # with no offset the window's first pose is the normalisation reference
    np.testing.assert_allclose(np.nanmin(first, axis=1), -1, atol=1e-5)
    np.testing.assert_allclose(np.nanmax(first, axis=1), 1, atol=1e-5)


def test_dropout_and_bad_params(h36m_home):
    aug = MocapProjection(data_home=h36m_home, subjects=["S1"], keypoint_dropout=0.5,
                          random_state=0)
    _, m = aug.sample(200, 4)
    assert 0.3 < m.mean() < 0.6
    with pytest.raises(ValueError, match="30 features"):
        aug.sample(2, 4, n_features=8)
    with pytest.raises(ValueError, match="keypoint_dropout"):
        MocapProjection(keypoint_dropout=1.5).sample(2, 4)
    with pytest.raises(ValueError, match="n_samples"):
        MocapProjection(n_samples=-1).sample(2, 4)


def test_pickle_leaves_data_out(h36m_home):
    aug = MocapProjection(data_home=h36m_home, subjects=["S1"], random_state=0)
    aug.sample(2, 4)
    assert len(pickle.dumps(aug)) < 10_000
    assert clone(aug).get_params()["subjects"] == ["S1"]


def test_embedder_trains_with_augmentation(jhmdb, h36m_home):
    X = PoseNormalizer().fit_transform(jhmdb.data[:30])
    aug = MocapProjection(n_samples=300, data_home=h36m_home, subjects=["S1"])
    emb = SkipPoseEmbedder(window=2, n_components=8, max_epochs=2, augmentation=aug,
                           random_state=0).fit(X)
    base = SkipPoseEmbedder(window=2, n_components=8, max_epochs=2, random_state=0).fit(X)
    assert len(emb.history_) == 2
    assert emb.get_params()["augmentation__n_samples"] == 300
    assert not np.array_equal(emb.transform(X[:2]), base.transform(X[:2]))
    with pytest.raises(ValueError, match="30 features"):
        SkipPoseEmbedder(window=2, max_epochs=1, augmentation=aug).fit(np.zeros((3, 10, 4)) + 1)
