import numpy as np
import pytest

from sklearn_skippose import PoseNormalizer
from sklearn_skippose.preprocessing import _MODES


def _manual_first_pose(seq):
    """Hand-written reference: min/max of the first pose to [-1, 1] per axis."""
    first = seq[0].reshape(-1, 2)
    lo, hi = np.nanmin(first, axis=0), np.nanmax(first, axis=0)
    P = seq.reshape(len(seq), -1, 2)
    return ((P - lo) / (hi - lo) * 2 - 1).reshape(seq.shape)


def test_first_pose_matches_hand_computation(rng):
    X = rng.uniform(0, 300, size=(3, 7, 30))
    X[1, 5:] = np.nan  # padding
    X[2, 3, 4:6] = np.nan  # a missing keypoint
    out = PoseNormalizer().fit_transform(X)
    for i in range(3):
        np.testing.assert_allclose(out[i], _manual_first_pose(X[i]), equal_nan=True)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(X))
    first = out[:, 0].reshape(3, -1, 2)
    np.testing.assert_allclose(np.nanmin(first, axis=1), -1)
    np.testing.assert_allclose(np.nanmax(first, axis=1), 1)


def test_real_jhmdb_first_pose(jhmdb):
    out = PoseNormalizer().fit_transform(jhmdb.data)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(jhmdb.data))
    assert np.isfinite(out[~np.isnan(out)]).all()
    i = 0
    np.testing.assert_allclose(out[i, : jhmdb.lengths[i]],
                               _manual_first_pose(jhmdb.data[i, : jhmdb.lengths[i]]),
                               equal_nan=True)


def test_isotropic_and_bbox_preserve_aspect():
    X = np.array([[[0.0, 0.0, 4.0, 2.0], [2.0, 1.0, 6.0, 3.0]]])
    iso = PoseNormalizer(mode="first_pose_isotropic").fit_transform(X)
    np.testing.assert_allclose(iso[0, 0], [-1, -0.5, 1, 0.5])
    bb = PoseNormalizer(mode="sequence_bbox").fit_transform(X)
    # bbox x in [0, 6], y in [0, 3]: centre (3, 1.5), half extent 3
    np.testing.assert_allclose(bb[0, 1], [(2 - 3) / 3, (1 - 1.5) / 3, 1, 0.5])


def test_pose_centred_by_hand(rng):
    # frame 0: joints (0, 0), (4, 2): centre (2, 1), isotropic half extent 2
    # frame 1: joints (10, 1), (12, 5), one missing: centre (11, 3)
    X = np.array([[[0.0, 0.0, 4.0, 2.0, np.nan, np.nan],
                   [10.0, 1.0, 12.0, 5.0, np.nan, 7.0],
                   [np.nan] * 6]])  # padding
    out = PoseNormalizer(mode="pose_centred").fit_transform(X)
    np.testing.assert_allclose(out[0, 0], [-1, -0.5, 1, 0.5, np.nan, np.nan])
    np.testing.assert_allclose(out[0, 1], [-0.5, -1, 0.5, 1, np.nan, np.nan])
    assert np.isnan(out[0, 2]).all()
    # each frame's own translation is removed; the scale is the clip's
    Y = rng.uniform(0, 300, size=(4, 6, 30))
    Y[1, 4:] = np.nan
    shift = np.tile(rng.uniform(-50, 50, size=(4, 6, 2)), 15)
    iso = PoseNormalizer(mode="first_pose_isotropic").fit_transform(Y)
    centred = PoseNormalizer(mode="pose_centred").fit_transform(Y)
    np.testing.assert_allclose(PoseNormalizer(mode="pose_centred").fit_transform(Y + shift),
                               centred, atol=1e-9)
    P = centred.reshape(4, 6, 15, 2)[~np.isnan(Y[..., 0])]  # the real frames
    np.testing.assert_allclose(P.max(axis=1) + P.min(axis=1), 0, atol=1e-12)  # centred boxes
    # same scale as first_pose_isotropic: equal differences between joints
    np.testing.assert_allclose(np.diff(centred.reshape(4, 6, 15, 2), axis=2),
                               np.diff(iso.reshape(4, 6, 15, 2), axis=2), atol=1e-12)
    # a one-joint clip is only translated, onto the origin
    single = np.array([[[3.0, 4.0], [5.0, 9.0]]])
    np.testing.assert_array_equal(PoseNormalizer(mode="pose_centred").fit_transform(single), 0)


def test_degenerate_poses_never_divide_by_zero():
    single = np.full((1, 3, 6), np.nan)
    single[0, 0, :2] = [10.0, 20.0]  # one joint visible in the first pose
    single[0, 1] = [10, 20, 14, 26, 12, 22]
    single[0, 2, :2] = [11, 21]
    out = PoseNormalizer().fit_transform(single)
    assert np.isfinite(out[~np.isnan(single)]).all()
    np.testing.assert_allclose(out[0, 0, :2], [0, 0])  # centred on the joint
    # whole-sequence extent (half of max(4, 6) = 3) used as the scale
    np.testing.assert_allclose(out[0, 1, 2:4], [4 / 3, 2.0])
    line = np.array([[[5.0, 0.0, 5.0, 10.0]]])  # zero x extent
    out = PoseNormalizer().fit_transform(line)
    np.testing.assert_allclose(out[0, 0], [0, -1, 0, 1])
    static = np.ones((1, 2, 4))  # no extent at all: translation only
    np.testing.assert_allclose(PoseNormalizer().fit_transform(static), 0)


def test_partial_nan_keypoint_becomes_missing():
    X = np.array([[[0.0, 0.0, np.nan, 5.0, 2.0, 2.0]]])
    out = PoseNormalizer().fit_transform(X)
    assert np.isnan(out[0, 0, 2:4]).all()


def test_bad_mode_and_list_input():
    with pytest.raises(ValueError, match="mode"):
        PoseNormalizer(mode="zscore").fit(np.zeros((1, 2, 4)))
    out = PoseNormalizer().fit_transform([np.zeros((2, 2, 2)), np.ones((3, 4))])
    assert out.shape == (2, 3, 4)


def test_sequence_standard_scaler_by_hand():
    from sklearn_skippose import SequenceStandardScaler

    X = np.array([[[0.0, 1.0], [2.0, 1.0], [np.nan, np.nan]],
                  [[4.0, 1.0], [np.nan, 5.0], [8.0, 1.0]]])
    sc = SequenceStandardScaler().fit(X)
    np.testing.assert_allclose(sc.mean_, [np.mean([0, 2, 4, 8]), np.mean([1, 1, 1, 5, 1])])
    np.testing.assert_allclose(sc.scale_, [np.std([0, 2, 4, 8]), np.std([1, 1, 1, 5, 1])])
    out = sc.transform(X)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(X))
    np.testing.assert_allclose(out[1, 2], (X[1, 2] - sc.mean_) / sc.scale_)
    const = SequenceStandardScaler().fit(np.ones((2, 3, 1)))
    np.testing.assert_allclose(const.transform(np.ones((1, 2, 1))), 0)  # zero variance
    with pytest.raises(ValueError, match="X has 3 features"):
        sc.transform(np.zeros((1, 2, 3)))


def test_sequence_whitener_against_numpy_covariance(rng):
    from sklearn_skippose import SequenceWhitener

    A = np.array([[2.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.0, 0.0, 0.2]])
    X = rng.normal(size=(6, 12, 3)) @ A + np.array([1.0, -2.0, 0.5])
    lengths = np.array([12, 5, 9, 1, 12, 7])
    X[np.arange(12)[None, :] >= lengths[:, None]] = np.nan  # padding
    frames = np.concatenate([X[i, :L] for i, L in enumerate(lengths)])
    w = SequenceWhitener(shrinkage=0.0).fit(X)
    np.testing.assert_allclose(w.mean_, frames.mean(0))
    var = np.sort(np.linalg.eigvalsh(np.cov(frames, rowvar=False)))[::-1]
    np.testing.assert_allclose(w.explained_variance_, var)
    Z = w.transform(X)
    np.testing.assert_array_equal(np.isnan(Z).all(-1), np.isnan(X).all(-1))
    zf = np.concatenate([Z[i, :L] for i, L in enumerate(lengths)])
    np.testing.assert_allclose(np.cov(zf, rowvar=False), np.eye(3), atol=1e-10)
    # shrinkage relative to the largest variance; fewer components
    w2 = SequenceWhitener(shrinkage=0.1, n_components=2).fit(X)
    np.testing.assert_allclose(w2.scale_, np.sqrt(var[:2] + 0.1 * var[0]))
    assert w2.transform(X).shape == (6, 12, 2)


def test_sequence_whitener_missing_values_and_bad_input():
    from sklearn_skippose import SequenceWhitener

    X = np.array([[[0.0, 1.0], [2.0, 3.0], [np.nan, np.nan]],
                  [[4.0, 1.0], [np.nan, 5.0], [8.0, 2.0]]])
    w = SequenceWhitener().fit(X)
    out = w.transform(X)
    assert np.isfinite(out[1, 1]).all()  # a missing value is imputed by the mean
    assert np.isnan(out[0, 2]).all()  # padding stays padding
    for bad, err in [(dict(shrinkage=-1.0), ValueError), (dict(shrinkage="a"), TypeError),
                     (dict(shrinkage=np.inf), ValueError), (dict(shrinkage=np.nan), ValueError),
                     (dict(n_components=3), ValueError), (dict(n_components=1.5), TypeError)]:
        with pytest.raises(err):
            SequenceWhitener(**bad).fit(X)
    with pytest.raises(ValueError, match="X has 3 features"):
        w.transform(np.zeros((1, 2, 3)))


def test_sequence_centerer_by_hand(rng):
    from sklearn_skippose import SequenceCenterer

    X = rng.normal(size=(4, 6, 3)) + 5.0
    lengths = np.array([6, 2, 4, 1])
    X[np.arange(6)[None, :] >= lengths[:, None]] = np.nan  # padding
    X[2, 1, 0] = np.nan  # a missing value inside a real frame
    for fraction in (0.0, 0.6, 1.0):
        out = SequenceCenterer(fraction=fraction).fit_transform(X)
        np.testing.assert_array_equal(np.isnan(out), np.isnan(X))
        for i, L in enumerate(lengths):
            frames = X[i, :L]
            mean = [np.mean(frames[~np.isnan(frames[:, j]), j]) for j in range(3)]
            np.testing.assert_allclose(out[i, :L], frames - fraction * np.array(mean))
    full = SequenceCenterer().fit_transform(X)
    np.testing.assert_allclose(np.nanmean(full, axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(full[3, 0], 0.0)  # a one-frame sequence is its own mean
    # float32 stays float32; 2D rows are one-frame sequences; ragged lists are accepted
    assert SequenceCenterer().fit_transform(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(SequenceCenterer(fraction=0.25).fit_transform(X[:, 0]),
                               0.75 * X[:, 0])
    ragged = SequenceCenterer().fit_transform([X[0, :6], X[1, :2]])
    np.testing.assert_allclose(ragged[:2], full[:2], equal_nan=True)
    # a feature never observed in a sequence stays missing, with nothing subtracted elsewhere
    Y = np.array([[[1.0, np.nan], [3.0, np.nan]]])
    np.testing.assert_allclose(SequenceCenterer().fit_transform(Y)[0, :, 0], [-1.0, 1.0])


def test_sequence_centerer_bad_input():
    from sklearn_skippose import SequenceCenterer

    X = np.arange(12.0).reshape(2, 3, 2)
    for bad, err, msg in [(-0.1, ValueError, r"in \[0, 1\], got -0.1"),
                          (1.5, ValueError, r"in \[0, 1\], got 1.5"),
                          (np.nan, ValueError, "in \\[0, 1\\]"),
                          ("0.5", TypeError, "must be a number"),
                          (True, TypeError, "must be a number")]:
        with pytest.raises(err, match=msg):
            SequenceCenterer(fraction=bad).fit(X)
    c = SequenceCenterer().fit(X)
    with pytest.raises(ValueError, match="X has 3 features"):
        c.transform(np.zeros((1, 2, 3)))
    c.set_params(fraction=2.0)  # checked again at transform
    with pytest.raises(ValueError, match="fraction"):
        c.transform(X)


def test_sequence_standard_scaler_bad_flags():
    from sklearn_skippose import SequenceStandardScaler

    X = np.arange(12.0).reshape(2, 3, 2)
    for name in ("with_mean", "with_std"):
        for bad in ("False", 0, None):
            with pytest.raises(TypeError, match=f"{name} must be True or False, got {bad!r}"):
                SequenceStandardScaler(**{name: bad}).fit(X)
    np.testing.assert_allclose(SequenceStandardScaler(with_mean=False).fit(X).mean_, 0.0)


# scikit-learn's generic checks feed PoseNormalizer odd feature counts, which
# pose data cannot have (tests/test_common.py lists them as expected
# failures); the same properties, on pose-shaped data:
@pytest.fixture
def poses(rng):
    X = rng.uniform(0, 300, size=(6, 9, 8))
    X[1, 6:] = np.nan  # padding
    X[2, 3, 2:4] = np.nan  # a missing keypoint
    return X


@pytest.mark.parametrize("mode", _MODES)
def test_pose_normalizer_estimator_contract(poses, mode):
    import pickle

    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline

    est = PoseNormalizer(mode=mode)
    before = poses.copy()
    expected = PoseNormalizer(mode=mode).transform(poses)  # stateless: no fit needed
    assert expected.shape == poses.shape
    np.testing.assert_array_equal(poses, before)  # input untouched
    params = est.get_params()
    fitted = est.fit(poses, np.arange(len(poses)))  # y accepted and ignored
    assert fitted is est and est.get_params() == params
    assert set(vars(est)) - {"mode"} == {"n_features_in_"}
    np.testing.assert_array_equal(est.transform(poses), expected)
    np.testing.assert_array_equal(clone(est).fit_transform(poses), expected)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).transform(poses), expected)
    np.testing.assert_array_equal(make_pipeline(clone(est)).fit_transform(poses), expected)
    # sample order and subset invariance: each sequence is normalised alone
    perm = np.random.default_rng(1).permutation(len(poses))
    np.testing.assert_array_equal(est.transform(poses[perm]), expected[perm])
    for i in range(len(poses)):
        np.testing.assert_array_equal(est.transform(poses[i : i + 1])[0], expected[i])
    # memory layouts and containers
    readonly = poses.copy()
    readonly.flags.writeable = False
    for variant in [np.asfortranarray(poses), readonly, poses.tolist(), list(poses)]:
        np.testing.assert_array_equal(est.transform(variant), expected)
    # dtypes: float32 kept (and close to the float64 result), integers to float64
    out32 = est.transform(poses.astype(np.float32))
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, expected, rtol=1e-4, atol=1e-5)
    ints = np.round(np.nan_to_num(poses[[0, 3]])).astype(np.int64)
    out_int = est.transform(ints)
    assert out_int.dtype == np.float64
    np.testing.assert_allclose(out_int, est.transform(ints.astype(np.float64)))
    # a 2D input is a set of one-frame sequences and stays 2D
    np.testing.assert_array_equal(est.transform(poses[:, 0]), est.transform(poses[:, :1])[:, 0])


def test_pose_normalizer_bad_input(poses):
    est = PoseNormalizer().fit(poses)
    with pytest.raises(ValueError, match="even number of features.*got 7 feature"):
        PoseNormalizer().fit(poses[:, :, :7])
    with pytest.raises(ValueError, match="X has 6 features, but PoseNormalizer is expecting 8"):
        est.transform(poses[:, :, :6])
    with pytest.raises(ValueError, match="single sequence as X\\[None\\]"):
        est.transform(poses[0, 0])  # 1D
    with pytest.raises(ValueError, match="infinite"):
        est.transform(np.where(np.isnan(poses), np.inf, poses))
    with pytest.raises(ValueError, match="no real frame"):
        est.transform(np.full((1, 3, 8), np.nan))
    with pytest.raises(TypeError, match="must hold numbers"):
        est.transform(np.full((1, 3, 8), "a"))
    with pytest.raises(TypeError, match="array-like of numbers"):
        est.transform({"a": 1})


@pytest.mark.parametrize("name", ["SequenceStandardScaler", "SequenceWhitener"])
def test_sequence_scalers_keep_float32(poses, name):
    import sklearn_skippose

    est = getattr(sklearn_skippose, name)()
    X = np.nan_to_num(poses)  # no missing values: the float32 statistics match
    ref = est.fit(X).transform(X)
    out = est.fit(X.astype(np.float32)).transform(X.astype(np.float32))
    assert ref.dtype == np.float64 and out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)
    # fitted on float64, applied to float32: float32 out; also for a list of
    # float32 sequences, and a list of mixed dtypes becomes float64
    assert est.fit(X).transform(X.astype(np.float32)).dtype == np.float32
    assert est.transform(list(X.astype(np.float32))).dtype == np.float32
    assert est.transform([X[0].astype(np.float32), X[1]]).dtype == np.float64


def _resample_reference(seq, source_fps, target_fps):
    """Plain Python: output frame k at time k / target_fps, linear between the
    input frames around it, a NaN neighbour making the value NaN unless the
    time falls on an input frame."""
    from fractions import Fraction

    step = Fraction(source_fps) / Fraction(target_fps)
    out, k = [], 0
    while k * step <= len(seq) - 1:
        t = k * step
        lo = int(t)  # floor of a non-negative fraction
        w = float(t - lo)
        if w == 0:
            out.append(list(seq[lo]))
        else:
            out.append([(1 - w) * a + w * b for a, b in zip(seq[lo], seq[lo + 1])])
        k += 1
    return np.array(out, dtype=float)


@pytest.mark.parametrize("source_fps, target_fps", [(60, 25), (25, 30), (30, 30), (30, 12),
                                                    (24, 60), (50, 25)])
def test_frame_rate_resampler_matches_plain_interpolation(rng, source_fps, target_fps):
    from sklearn_skippose import FrameRateResampler

    seqs = [rng.normal(size=(n, 4)) for n in (1, 2, 13, 30, 31)]
    seqs[3][7, 1] = np.nan  # a missing coordinate
    seqs[3][8, :2] = np.nan  # a missing keypoint
    out = FrameRateResampler(source_fps=source_fps, target_fps=target_fps).fit_transform(seqs)
    expected = [_resample_reference(s, source_fps, target_fps) for s in seqs]
    assert out.shape == (5, max(map(len, expected)), 4)
    for o, e in zip(out, expected):
        np.testing.assert_allclose(o[: len(e)], e, rtol=1e-12, atol=1e-12, equal_nan=True)
        assert np.isnan(o[len(e):]).all()  # padding
    assert [len(e) for e in expected] == [
        (n - 1) * target_fps // source_fps + 1 for n in (1, 2, 13, 30, 31)]
    if source_fps == target_fps:
        np.testing.assert_array_equal(out, FrameRateResampler().fit_transform(seqs))
        np.testing.assert_array_equal(out[3, :30], seqs[3])


def test_frame_rate_resampler_round_trip_keeps_poses_and_dtype(jhmdb):
    from sklearn_skippose import FrameRateResampler

    X = jhmdb.data[:20].astype(np.float32)
    up = FrameRateResampler(source_fps=30, target_fps=60).fit_transform(X)
    assert up.dtype == np.float32
    np.testing.assert_array_equal(
        sequence_lengths_of(up), 2 * (jhmdb.lengths[:20] - 1) + 1)
    back = FrameRateResampler(source_fps=60, target_fps=30).fit_transform(up)
    np.testing.assert_array_equal(back, X)  # every kept frame is an input frame, copied
    # missing keypoints stay missing and are never filled in
    assert np.isnan(up[:, ::2]).sum() == np.isnan(X).sum()


def sequence_lengths_of(X):
    from sklearn_skippose.utils import sequence_lengths

    return sequence_lengths(X)


@pytest.mark.parametrize("params, exc, match", [
    ({"source_fps": 0}, ValueError, "source_fps must be a finite number > 0"),
    ({"target_fps": -25}, ValueError, "target_fps must be a finite number > 0"),
    ({"target_fps": np.inf}, ValueError, "finite"),
    ({"source_fps": "60"}, TypeError, "positive number"),
    ({"source_fps": True}, TypeError, "positive number"),
])
def test_frame_rate_resampler_bad_params(params, exc, match):
    from sklearn_skippose import FrameRateResampler

    with pytest.raises(exc, match=match):
        FrameRateResampler(**params).fit(np.zeros((2, 5, 4)))
    with pytest.raises(exc, match=match):
        FrameRateResampler(**params).fit_transform(np.zeros((2, 5, 4)))


def test_frame_rate_resampler_2d_input_is_single_frames():
    from sklearn_skippose import FrameRateResampler

    X = np.arange(12.0).reshape(3, 4)
    out = FrameRateResampler(source_fps=60, target_fps=25).fit_transform(X)
    np.testing.assert_array_equal(out, X)
    assert not np.shares_memory(out, X)


# ----------------------------------------------------------------------------
# KeypointInterpolator
# ----------------------------------------------------------------------------

def _fill_reference(seq, max_gap, edges):
    """Plain loops over every feature's runs of missing frames."""
    seq = [list(f) for f in seq]
    T = len(seq)
    for j in range(len(seq[0])):
        col = [f[j] for f in seq]
        seen = [t for t in range(T) if col[t] == col[t]]  # not NaN
        if not seen:
            continue
        t = 0
        while t < T:
            if col[t] == col[t]:
                t += 1
                continue
            start = t
            while t < T and col[t] != col[t]:
                t += 1
            run = range(start, t)  # missing frames start .. t - 1
            if max_gap is not None and len(run) > max_gap:
                continue
            before, after = start - 1, t  # observed neighbours, if inside
            for k in run:
                if before >= 0 and after < T:
                    w = (k - before) / (after - before)
                    seq[k][j] = col[before] + w * (col[after] - col[before])
                elif edges == "nearest":
                    seq[k][j] = col[after] if before < 0 else col[before]
    return np.array(seq, dtype=float)


@pytest.mark.parametrize("max_gap", [None, 1, 3])
@pytest.mark.parametrize("edges", ["nearest", "missing"])
def test_keypoint_interpolator_matches_plain_loops(rng, max_gap, edges):
    from sklearn_skippose import KeypointInterpolator

    seqs = [rng.normal(size=(n, 6)) for n in (1, 2, 9, 17, 30)]
    for s in seqs[2:]:
        s[rng.uniform(size=s.shape) < 0.3] = np.nan  # scattered
        s[3:8, 2:4] = np.nan  # a joint gone for five frames
        s[0, 0] = s[-1, 1] = np.nan  # gaps at both ends
        s[:, 5] = np.nan  # a feature never seen
        s[-1, 0] = 0.0  # the last frame stays a real frame
    out = KeypointInterpolator(max_gap=max_gap, edges=edges).fit_transform(seqs)
    for o, s in zip(out, seqs):
        expected = _fill_reference(s, max_gap, edges)
        np.testing.assert_allclose(o[: len(s)], expected, rtol=1e-12, equal_nan=True)
        assert np.isnan(o[len(s):]).all()  # padding stays padding
    assert np.isnan(out[2:, :, 5]).all()  # never seen: nothing to interpolate from
    observed = ~np.isnan(seqs[3])
    np.testing.assert_array_equal(out[3][: len(seqs[3])][observed], seqs[3][observed])


def test_keypoint_interpolator_by_hand():
    from sklearn_skippose import KeypointInterpolator

    X = np.full((1, 7, 2), np.nan)
    X[0, :6, 1] = 0.0  # six real frames, the seventh is padding
    X[0, [1, 4], 0] = [2.0, 8.0]
    filled = KeypointInterpolator().fit_transform(X)
    np.testing.assert_array_equal(filled[0, :6, 0], [2.0, 2.0, 4.0, 6.0, 8.0, 8.0])
    assert np.isnan(filled[0, 6]).all()
    gaps = KeypointInterpolator(max_gap=1, edges="missing").fit_transform(X)[0, :6, 0]
    np.testing.assert_array_equal(gaps, [np.nan, 2.0, np.nan, np.nan, 8.0, np.nan])
    assert np.isnan(X[0, 0, 0])  # the input is not changed


def test_keypoint_interpolator_dtype_and_2d():
    from sklearn_skippose import KeypointInterpolator

    X = np.array([[[1.0, 0.0], [np.nan, 0.0], [3.0, 0.0]]], dtype=np.float32)
    out = KeypointInterpolator().fit_transform(X)
    assert out.dtype == np.float32 and out[0, 1, 0] == 2.0
    frames = np.array([[1.0, np.nan], [3.0, 4.0]])  # 2D: single frames, nothing around
    np.testing.assert_array_equal(KeypointInterpolator().fit_transform(frames), frames)


@pytest.mark.parametrize("params, exc, match", [
    ({"max_gap": 0}, ValueError, "max_gap must be >= 1, got 0"),
    ({"max_gap": 2.5}, TypeError, "max_gap must be an integer"),
    ({"max_gap": True}, TypeError, "max_gap must be an integer"),
    ({"edges": "linear"}, ValueError, "edges must be 'nearest' or 'missing', got 'linear'"),
])
def test_keypoint_interpolator_bad_params(params, exc, match):
    from sklearn_skippose import KeypointInterpolator

    with pytest.raises(exc, match=match):
        KeypointInterpolator(**params).fit(np.zeros((2, 5, 4)))


def test_keypoint_interpolator_restores_accuracy_on_dropped_keypoints(jhmdb):
    """A tenth of JHMDB's keypoints dropped at random: interpolation brings the
    PCA pipeline's accuracy on split 1 back near that of the complete clips."""
    from sklearn.pipeline import make_pipeline

    from sklearn_skippose import (DTWNearestNeighbors, KeypointInterpolator, PCAEmbedder,
                                  SequenceWhitener)
    from sklearn_skippose.metrics import mean_per_class_accuracy

    X = jhmdb.data.copy()
    joints = X.reshape(len(X), X.shape[1], -1, 2)  # a view
    joints[np.random.default_rng(0).uniform(size=joints.shape[:3]) < 0.1] = np.nan
    tr, te = jhmdb.splits[:, 0] == 1, jhmdb.splits[:, 0] == 2

    def accuracy(*first, data):
        model = make_pipeline(*first, PoseNormalizer(mode="first_pose_isotropic"),
                              PCAEmbedder(window=4), SequenceWhitener(),
                              DTWNearestNeighbors(aggregate="mean"))
        model.fit(data[tr], jhmdb.target[tr])
        return mean_per_class_accuracy(jhmdb.target[te], model.predict(data[te]))

    clean, masked = accuracy(data=jhmdb.data), accuracy(data=X)
    filled = accuracy(KeypointInterpolator(), data=X)
    assert masked < clean - 0.05  # the loss interpolation is for
    assert filled > clean - 0.02


def test_dtw_errors_on_missing_values_point_to_the_interpolator():
    from sklearn_skippose import DTWNearestNeighbors, KeypointInterpolator
    from sklearn_skippose.metrics import dtw_subsequence_search, pairwise_dtw_scores

    X = np.arange(16.0).reshape(2, 4, 2)
    X[0, 1, 0] = np.nan  # a missing keypoint coordinate
    calls = [lambda X: DTWNearestNeighbors().fit(X, [0, 1]),
             lambda X: pairwise_dtw_scores(X),
             lambda X: dtw_subsequence_search(np.ones((2, 2)), [X[0], X[1, :3]])]
    for call in calls:
        with pytest.raises(ValueError, match="filled in first with KeypointInterpolator"):
            call(X)
        call(KeypointInterpolator().fit_transform(X))  # then it runs


@pytest.mark.parametrize("Scaler", ["SequenceStandardScaler", "SequenceWhitener"])
def test_scalers_take_a_feature_never_observed_without_warnings(Scaler):
    import warnings

    import sklearn_skippose

    X = np.random.default_rng(0).normal(size=(3, 6, 4))
    X[:, :, 1] = np.nan  # never observed, in any frame
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy's "Mean of empty slice"
        out = getattr(sklearn_skippose, Scaler)().fit_transform(X)
    assert np.isfinite(out[:, :, [0, 2, 3]]).all()
