import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_skippose import (
    MocapProjection,
    PoseJitter,
    PoseNormalizer,
    SkipPoseEmbedder,
    mirror_poses,
)
from sklearn_skippose.augmentation import project_poses
from sklearn_skippose.datasets import COCO_JOINT_NAMES, JHMDB_JOINT_NAMES
from sklearn_skippose.preprocessing import _MODES


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
    for args, exc, match in (((None, 4), TypeError, "n must be an integer, got None"),
                             ((-1, 4), ValueError, "n must be >= 0, got -1"),
                             ((2, 0), ValueError, "n_frames must be >= 1, got 0"),
                             ((2, 2.5), TypeError, "n_frames must be an integer, got 2.5")):
        with pytest.raises(exc, match=match):
            aug.sample(*args)
    x, m = aug.sample(0, 4)  # nothing asked for: empty arrays of the right shape
    assert x.shape == m.shape == (0, 4, 30) and x.dtype == m.dtype == np.float32


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


@pytest.mark.parametrize("n_samples", [0, 130])
def test_every_epoch_draws_n_samples_projections(jhmdb, h36m_home, monkeypatch, n_samples):
    """The amount is per epoch: over 2 epochs the embedder asks the
    augmentation for 2 * n_samples windows in all (none for 0), each of the
    triplet's span of 3 T poses."""
    calls, sample = [], MocapProjection.sample

    def spy(self, n, n_frames, **kw):
        calls.append((n, n_frames))
        return sample(self, n, n_frames, **kw)

    monkeypatch.setattr(MocapProjection, "sample", spy)
    X = PoseNormalizer().fit_transform(jhmdb.data[:20])
    aug = MocapProjection(n_samples=n_samples, data_home=h36m_home, subjects=["S1"])
    emb = SkipPoseEmbedder(window=2, n_components=4, max_epochs=2, patience=5,
                           batch_size=64, augmentation=aug, random_state=0).fit(X)
    assert emb.n_epochs_ == 2
    assert sum(n for n, _ in calls) == 2 * n_samples
    assert {t for _, t in calls} == ({6} if n_samples else set())


def _batch(n=6, t=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, 30)).astype(np.float32)
    m = np.ones_like(x)
    m[0, 1, 6:8] = 0  # right_shoulder missing in one frame
    return x * m, m


def test_jitter_mirror_by_hand():
    x, m = _batch()
    xj, mj = PoseJitter(mirror=1.0, scale=0.0, rotation=0.0).transform_batch(
        x, m, np.random.default_rng(0))
    J, Jj, M, Mj = (a.reshape(6, 5, 15, 2) for a in (x, xj, m, mj))
    # left_shoulder (4) takes right_shoulder (3) with x negated; neck (0) stays
    np.testing.assert_allclose(Jj[:, :, 4, 0], -J[:, :, 3, 0], atol=1e-6)
    np.testing.assert_allclose(Jj[:, :, 4, 1], J[:, :, 3, 1], atol=1e-6)
    np.testing.assert_allclose(Jj[:, :, 0], J[:, :, 0] * [-1, 1], atol=1e-6)
    assert (Mj[0, 1, 4] == 0).all() and (Mj[0, 1, 3] == 1).all()  # mask follows the joint
    assert (Jj[0, 1, 4] == 0).all()
    back, mb = PoseJitter(mirror=1.0, scale=0.0, rotation=0.0).transform_batch(
        xj, mj, np.random.default_rng(1))
    np.testing.assert_allclose(back, x, atol=1e-6)
    np.testing.assert_array_equal(mb, m)


def test_jitter_rotation_and_scale_are_rigid_per_sample():
    x, m = _batch()
    xj, mj = PoseJitter(mirror=0.0, scale=0.2, rotation=0.5).transform_batch(
        x, m, np.random.default_rng(3))
    np.testing.assert_array_equal(mj, m)
    P, Q = x.reshape(6, -1, 2), xj.reshape(6, -1, 2)
    for i in range(6):
        ok = np.linalg.norm(P[i], axis=1) > 1e-3
        ratio = np.linalg.norm(Q[i][ok], axis=1) / np.linalg.norm(P[i][ok], axis=1)
        # one scale for all joints and frames of a sample, within [0.8, 1.2]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-4)
        assert 0.8 - 1e-6 <= ratio[0] <= 1.2 + 1e-6
        # one rotation angle (no mirror: orientation kept), within +-0.5 rad
        ang = np.angle(Q[i][ok] @ [1, 1j]) - np.angle(P[i][ok] @ [1, 1j])
        ang = (ang + np.pi) % (2 * np.pi) - np.pi
        np.testing.assert_allclose(ang, ang[0], atol=1e-4)
        assert abs(ang[0]) <= 0.5 + 1e-6
    assert (xj.reshape(6, 5, 15, 2)[0, 1, 3] == 0).all()  # missing stays 0


def test_jitter_determinism_and_identity():
    x, m = _batch()
    j = PoseJitter()
    a = j.transform_batch(x, m, np.random.default_rng(5))[0]
    b = j.transform_batch(x, m, np.random.default_rng(5))[0]
    np.testing.assert_array_equal(a, b)
    same = PoseJitter(mirror=0.0, scale=0.0, rotation=0.0).transform_batch(
        x, m, np.random.default_rng(5))[0]
    np.testing.assert_allclose(same, x, atol=1e-6)


def test_jitter_noise_touches_observed_keypoints_only():
    x, m = _batch(n=40, t=20)
    rng = np.random.default_rng(0)
    xj, mj = PoseJitter(mirror=0.0, scale=0.0, rotation=0.0, noise=0.05).transform_batch(
        x, m, rng)
    np.testing.assert_array_equal(mj, m)
    d = (xj - x)[m == 1]
    assert abs(d.std() - 0.05) < 0.002 and abs(d.mean()) < 0.002
    assert (xj[m == 0] == 0).all()
    # noise=0 draws nothing more: same stream as the transform without noise
    a = PoseJitter(noise=0.0).transform_batch(x, m, np.random.default_rng(7))[0]
    r = np.random.default_rng(7)
    flip = r.random(40) < 0.5
    s_ = 1 + 0.1 * r.uniform(-1, 1, 40)
    ang = 0.15 * r.uniform(-1, 1, 40)
    i = int(np.flatnonzero(~flip)[0])  # an unmirrored sample, rotated and scaled by hand
    c, si = np.cos(ang[i]), np.sin(ang[i])
    P = x[i].reshape(20, 15, 2).astype(np.float64)
    ref = s_[i] * np.stack([c * P[..., 0] - si * P[..., 1], si * P[..., 0] + c * P[..., 1]], -1)
    np.testing.assert_allclose(a[i].reshape(20, 15, 2), ref, atol=1e-5)


@pytest.mark.parametrize("params, match", [
    ({"mirror": 1.5}, "mirror"), ({"mirror": True}, "mirror"), ({"scale": 1.0}, "scale"),
    ({"rotation": -0.1}, "rotation"), ({"rotation": "10"}, "rotation"),
    ({"noise": -0.01}, "noise"), ({"noise": None}, "noise"),
    ({"joint_names": ["a_left", "b"]}, "mirror counterpart"),
])
def test_jitter_bad_params(params, match):
    x, m = _batch()
    if "joint_names" in params:
        x, m = x[..., :4], m[..., :4]
    with pytest.raises(ValueError, match=match):
        PoseJitter(**params).transform_batch(x, m, np.random.default_rng(0))


def test_jitter_in_embedder(jhmdb):
    X = PoseNormalizer().fit_transform(jhmdb.data[:30])
    kw = dict(window=2, n_components=8, max_epochs=2, random_state=0)
    a = SkipPoseEmbedder(jitter=PoseJitter(), **kw).fit(X)
    b = SkipPoseEmbedder(jitter=PoseJitter(), **kw).fit(X)
    base = SkipPoseEmbedder(**kw).fit(X)
    np.testing.assert_array_equal(a.transform(X[:3]), b.transform(X[:3]))  # reproducible
    assert not np.array_equal(a.transform(X[:3]), base.transform(X[:3]))
    assert a.get_params()["jitter__mirror"] == 0.5
    # validation loss is computed on untouched clips: same data, same split
    assert np.isfinite([h["valid_loss"] for h in a.history_]).all()
    with pytest.raises(ValueError, match="30 features per frame"):
        SkipPoseEmbedder(jitter=PoseJitter(), window=2, max_epochs=1).fit(
            np.ones((4, 12, 4)))
    with pytest.raises(TypeError, match="jitter must be"):
        SkipPoseEmbedder(jitter="mirror", window=2, max_epochs=1).fit(X)


def test_mirror_poses_by_hand():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 5, 30))
    X[1, 3:] = np.nan  # padding
    X[0, 2, 22:24] = np.nan  # right wrist missing in one frame
    Xm = mirror_poses(X)
    names = ["neck", "belly", "face", "right_shoulder", "left_shoulder", "right_hip",
             "left_hip", "right_elbow", "left_elbow", "right_knee", "left_knee",
             "right_wrist", "left_wrist", "right_ankle", "left_ankle"]
    for j, name in enumerate(names):
        other = names.index(name.replace("right", "L").replace("left", "right")
                            .replace("L", "left"))
        np.testing.assert_array_equal(Xm[..., 2 * j], -X[..., 2 * other])
        np.testing.assert_array_equal(Xm[..., 2 * j + 1], X[..., 2 * other + 1])
    # the missing right wrist is now the missing left wrist; padding stays
    assert np.isnan(Xm[0, 2, 24:26]).all() and not np.isnan(Xm[0, 2, 22:24]).any()
    assert np.isnan(Xm[1, 3:]).all()
    np.testing.assert_array_equal(mirror_poses(Xm), X)  # an involution
    assert not np.shares_memory(Xm, X)


def test_mirror_poses_commutes_with_normalisation(jhmdb):
    X = jhmdb.data[:20]
    for mode in _MODES:
        norm = PoseNormalizer(mode=mode)
        np.testing.assert_allclose(norm.fit_transform(mirror_poses(X)),
                                   mirror_poses(norm.fit_transform(X)), atol=1e-12)


def test_mirror_poses_bad_input():
    with pytest.raises(ValueError, match="15 joints"):
        mirror_poses(np.zeros((2, 4, 28)))
    with pytest.raises(ValueError, match="no mirror counterpart"):
        mirror_poses(np.zeros((1, 2, 4)), joint_names=["left_hand", "head"])
    Xm = mirror_poses(np.ones((1, 2, 4)), joint_names=["left_hand", "right_hand"])
    np.testing.assert_array_equal(Xm[0, 0], [-1, 1, -1, 1])
    with pytest.raises(ValueError, match="default is JHMDB's 15 joints"):
        mirror_poses(np.zeros((2, 4, 34)))
    with pytest.raises(ValueError, match="2 joints .* got 34. joint_names must name every joint"):
        mirror_poses(np.zeros((2, 4, 34)), joint_names=["left_hand", "right_hand"])


def test_mirror_poses_keeps_a_2d_input_2d():
    frames = np.arange(60.0).reshape(2, 30)  # two single frames of 15 joints
    out = mirror_poses(frames)
    assert out.shape == (2, 30)
    np.testing.assert_array_equal(out, mirror_poses(frames[:, None, :])[:, 0])


def test_coco_samples_are_the_jhmdb_views_of_the_same_motion(h36m_home):
    """Same generator: the same recordings, cameras and offsets, so on the
    joints both skeletons share, a COCO sample is its JHMDB sample up to the
    isotropic normalisation (one scale and a shift per clip)."""
    kw = dict(data_home=h36m_home, subjects=["S1"], normalizer_mode="first_pose_isotropic")
    xc, mc = MocapProjection(joints="coco", **kw).sample(100, 8, rng=np.random.default_rng(0))
    xj, mj = MocapProjection(joints="jhmdb", **kw).sample(100, 8, rng=np.random.default_rng(0))
    assert xc.shape == mc.shape == (100, 8, 34)
    mc4 = mc.reshape(100, 8, 17, 2)
    assert (mc4[:, :, 1:5] == 0).all() and (xc.reshape(100, 8, 17, 2)[:, :, 1:5] == 0).all()
    shared = [n for n in COCO_JOINT_NAMES if n in JHMDB_JOINT_NAMES]
    assert len(shared) == 12
    c = xc.reshape(100, 8, 17, 2)[:, :, [COCO_JOINT_NAMES.index(n) for n in shared]]
    j = xj.reshape(100, 8, 15, 2)[:, :, [JHMDB_JOINT_NAMES.index(n) for n in shared]]
    seen = mc4[:, :, [COCO_JOINT_NAMES.index(n) for n in shared], 0] > 0
    np.testing.assert_array_equal(
        seen, mj.reshape(100, 8, 15, 2)[:, :, [JHMDB_JOINT_NAMES.index(n) for n in shared], 0] > 0)
    for i in range(100):
        cj, jj = c[i][seen[i]].astype(np.float64), j[i][seen[i]].astype(np.float64)
        A = np.zeros((2 * len(jj), 3))
        A[0::2, 0], A[1::2, 0] = jj[:, 0], jj[:, 1]
        A[0::2, 1] = A[1::2, 2] = 1.0
        coef = np.linalg.lstsq(A, cj.ravel(), rcond=None)[0]
        assert coef[0] > 0
        np.testing.assert_allclose(A @ coef, cj.ravel(), atol=1e-5)


def test_pose_centred_projections_centre_every_frame(h36m_home):
    kw = dict(data_home=h36m_home, subjects=["S1"], random_state=0)
    x, m = MocapProjection(normalizer_mode="pose_centred", **kw).sample(50, 6)
    xi, _ = MocapProjection(normalizer_mode="first_pose_isotropic", **kw).sample(50, 6)
    P = np.where(m > 0, x, np.nan).reshape(50, 6, 15, 2).astype(np.float64)
    real = ~np.isnan(P).all(axis=(2, 3))
    assert real.mean() > 0.9
    lo, hi = np.nanmin(P[real], axis=1), np.nanmax(P[real], axis=1)
    np.testing.assert_allclose(lo + hi, 0, atol=1e-5)
    # the same motion at the same scale: only each frame's shift differs
    Pi = np.where(m > 0, xi, np.nan).reshape(50, 6, 15, 2).astype(np.float64)
    np.testing.assert_allclose(P - P[:, :, :1], Pi - Pi[:, :, :1], atol=1e-5)


def test_custom_skeleton_and_mismatch(h36m_home):
    joints = {"head": {"head": 1.0}, "mid_hip": {"left_hip": 0.5, "right_hip": 0.5},
              "left_wrist": {"left_wrist": 1.0}}
    aug = MocapProjection(joints=joints, data_home=h36m_home, subjects=["S1"], random_state=0)
    x, m = aug.sample(16, 6, n_features=6)
    assert x.shape == m.shape == (16, 6, 6) and m.mean() > 0.5
    with pytest.raises(ValueError, match=r"custom skeleton\) produces 3-joint poses"):
        aug.sample(2, 4, n_features=30)
    with pytest.raises(ValueError, match="joints='coco'.*34 features.*has 30"):
        MocapProjection(joints="coco", data_home=h36m_home).sample(2, 4, n_features=30)


def test_embedder_trains_on_coco_keypoints(h36m_home):
    X = np.random.default_rng(0).normal(size=(8, 30, 34))  # 17 COCO keypoints per frame
    aug = MocapProjection(n_samples=200, joints="coco", data_home=h36m_home, subjects=["S1"])
    emb = SkipPoseEmbedder(window=2, n_components=8, max_epochs=1, random_state=0,
                           augmentation=aug, jitter=PoseJitter(joint_names=COCO_JOINT_NAMES))
    assert emb.fit_transform(X).shape == (8, 29, 8)
    with pytest.raises(ValueError, match="Set joints to the training data's skeleton"):
        SkipPoseEmbedder(window=2, max_epochs=1,
                         augmentation=MocapProjection(n_samples=200, data_home=h36m_home)).fit(X)


def test_joint_names_must_not_be_a_string():
    X = np.zeros((1, 2, 4))
    with pytest.raises(TypeError, match="sequence of joint names"):
        mirror_poses(X, joint_names="lr")
    with pytest.raises(TypeError, match="sequence of joint names"):
        PoseJitter(joint_names="lr")._check(4)


@pytest.mark.parametrize("params, match", [
    (dict(azimuth_range=(10,)), "azimuth_range must be a \\(low, high\\) pair of numbers"),
    (dict(azimuth_range=(90, 10)), "low <= high"),
    (dict(elevation_range=(-90, 10)), "low > -90"),
    (dict(distance_range=(0, 10)), "low > 0"),
    (dict(focal_range=(np.nan, 1)), "focal_range"),
    (dict(shift_range=(-1, 2)), "shift_range must be two finite numbers >= 0"),
    (dict(image_size=(0, 240)), "image_size"),
    (dict(max_offset=-1), "max_offset must be >= 0"),
    (dict(normalizer_mode="zscore"), "normalizer_mode must be one of"),
])
def test_mocap_projection_bad_camera_params(params, match):
    # checked before any data is read (no data_home needed to see the error)
    with pytest.raises(ValueError, match=match):
        MocapProjection(data_home="/nonexistent", **params).sample(2, 4, n_features=30)


def test_mocap_frame_rate(h36m_home):
    from sklearn_skippose.datasets import load_h36m

    kw = dict(data_home=h36m_home, subjects=["S1"])
    recordings = load_h36m(h36m_home, subjects=["S1"], joints="jhmdb").sequences
    frames25, _, lengths25 = MocapProjection(**kw)._motion()
    frames50, offsets50, lengths50 = MocapProjection(fps=50, **kw)._motion()
    # 25 -> 50 Hz: every other frame is a recorded one, the others midway between two
    np.testing.assert_array_equal(lengths50, 2 * (lengths25 - 1) + 1)
    first = frames50[offsets50[0] : offsets50[0] + lengths50[0]]
    np.testing.assert_array_equal(first[::2], recordings[0].astype(np.float32))
    np.testing.assert_allclose(first[1::2], (recordings[0][:-1] + recordings[0][1:]) / 2,
                               rtol=1e-6, atol=1e-3)
    # 25 Hz asked: the recordings as they are; the same draw as without fps
    same = MocapProjection(fps=25, random_state=0, **kw).sample(6, 8)
    plain = MocapProjection(random_state=0, **kw).sample(6, 8)
    np.testing.assert_array_equal(same[0], plain[0])
    x, m = MocapProjection(fps=60, random_state=0, **kw).sample(6, 8)
    assert x.shape == (6, 8, 30) and m.any()
    for fps, exc in ((0, ValueError), (-30, ValueError), (np.nan, ValueError),
                     ("30", TypeError), (True, TypeError)):
        with pytest.raises(exc, match="fps must be"):
            MocapProjection(fps=fps, **kw).sample(2, 4)
