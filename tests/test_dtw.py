import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tslearn.metrics import cdist_dtw, compute_mask, dtw_path_from_metric

from sklearn_skippose import DTWNearestNeighbors, DTWNeighborsIndex
from sklearn_skippose.metrics import dtw_alignment, dtw_band, pairwise_dtw_scores

from ._reference import reference_dtw


@st.composite
def sequence_sets(draw):
    d = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**31 - 1))
    r = np.random.default_rng(seed)
    nx, ny = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    lx = [draw(st.integers(1, 50)) for _ in range(nx)]
    ly = [draw(st.integers(1, 50)) for _ in range(ny)]
    X = [r.normal(size=(L, d)) for L in lx]
    Y = [r.normal(size=(L, d)) for L in ly]
    return X, Y


@settings(max_examples=40, deadline=None)
@given(
    data=sequence_sets(),
    metric=st.sampled_from(["cosine", "euclidean"]),
    aggregate=st.sampled_from(["sum", "mean", "cost"]),
    constraint=st.sampled_from([None, "sakoe_chiba", "itakura"]),
    radius=st.integers(0, 5),
    slope=st.floats(1.0, 4.0),
)
def test_matches_float64_reference(data, metric, aggregate, constraint, radius, slope):
    X, Y = data
    kw = dict(metric=metric, aggregate=aggregate, global_constraint=constraint,
              sakoe_chiba_radius=radius if constraint == "sakoe_chiba" else None,
              itakura_max_slope=slope if constraint == "itakura" else None)
    got = pairwise_dtw_scores(X, Y, **kw)
    for i, a in enumerate(X):
        for j, b in enumerate(Y):
            allowed = None
            if constraint is not None:
                lo, hi = dtw_band(len(a), len(b), constraint, kw["sakoe_chiba_radius"],
                                  kw["itakura_max_slope"])
                allowed = [[lo[r] <= c < hi[r] for c in range(len(b))] for r in range(len(a))]
            want = reference_dtw(a.tolist(), b.tolist(), metric, aggregate, allowed)
            if np.isinf(want):
                assert np.isneginf(got[i, j])
            else:
                assert got[i, j] == pytest.approx(want, rel=1e-5, abs=1e-5)


def test_band_is_tslearns_mask():
    for n, m in [(5, 5), (7, 3), (3, 9)]:
        for kind, kw in [("sakoe_chiba", {"sakoe_chiba_radius": 2}),
                         ("itakura", {"itakura_max_slope": 3.0})]:
            lo, hi = dtw_band(n, m, kind, **kw)
            mask = compute_mask(n, m, {"itakura": 1, "sakoe_chiba": 2}[kind], **kw)
            mine = np.arange(m)[None, :] >= lo[:, None]
            mine &= np.arange(m)[None, :] < hi[:, None]
            np.testing.assert_array_equal(mine, np.asarray(mask, dtype=bool))


def test_infeasible_itakura_is_minus_inf():
    s = pairwise_dtw_scores([np.ones((2, 2))], [np.ones((20, 2))],
                            global_constraint="itakura", itakura_max_slope=1.0)
    assert np.isneginf(s).all()


def test_cost_matches_tslearn_cdist_on_normalised_frames(rng):
    X = [rng.normal(size=(rng.integers(3, 15), 4)) for _ in range(5)]
    unit = [x / np.linalg.norm(x, axis=1, keepdims=True) for x in X]
    d = cdist_dtw(unit)
    ours = pairwise_dtw_scores(X, aggregate="cost")  # -sum(1 - cos)
    np.testing.assert_allclose(-2 * ours, d**2, rtol=1e-5, atol=1e-6)


def test_alignment_path_matches_tslearn(rng):
    a, b = rng.normal(size=(12, 3)), rng.normal(size=(9, 3))
    r = dtw_alignment(a, b)
    path, _ = dtw_path_from_metric(a, b, metric="cosine")
    assert [tuple(p) for p in r.path] == [tuple(p) for p in path]
    sims = r.similarity[r.path[:, 0], r.path[:, 1]]
    assert r.score == pytest.approx(sims.sum())
    assert r.score == pytest.approx(pairwise_dtw_scores([a], [b])[0, 0], rel=1e-5)
    assert r.similarity.shape == (12, 9)


def test_zero_vectors_have_zero_similarity():
    z = np.zeros((3, 4))
    x = np.ones((3, 4))
    s = pairwise_dtw_scores([z, x], [z, x], aggregate="mean")
    assert np.isfinite(s).all()
    np.testing.assert_allclose(s, [[0, 0], [0, 1]], atol=1e-6)


def test_length_one_and_nan_padding():
    X = np.full((2, 4, 2), np.nan)
    X[0, :1] = [1, 0]
    X[1, :4] = [[1, 0], [0, 1], [0, 1], [1, 0]]
    s = pairwise_dtw_scores(X)
    ref = [[reference_dtw(a, b) for b in ([[1, 0]], X[1].tolist())] for a in ([[1, 0]], X[1].tolist())]
    np.testing.assert_allclose(s, ref, rtol=1e-6)


def test_bad_inputs():
    with pytest.raises(ValueError, match="metric"):
        pairwise_dtw_scores([np.ones((2, 2))], metric="manhattan")
    with pytest.raises(ValueError, match="aggregate"):
        pairwise_dtw_scores([np.ones((2, 2))], aggregate="max")
    with pytest.raises(ValueError, match="global_constraint"):
        pairwise_dtw_scores([np.ones((2, 2))], global_constraint="band")
    with pytest.raises(ValueError, match="same number of features"):
        pairwise_dtw_scores([np.ones((2, 2))], [np.ones((2, 3))])
    with pytest.raises(ValueError, match="no real frame"):
        pairwise_dtw_scores(np.full((1, 3, 2), np.nan))
    with pytest.raises(ValueError, match="inside real frames"):
        pairwise_dtw_scores([np.array([[1.0, np.nan], [1.0, 2.0]])])
    with pytest.raises(ValueError, match=">= 0"):
        pairwise_dtw_scores([np.ones((2, 2))], global_constraint="sakoe_chiba",
                            sakoe_chiba_radius=-1)
    with pytest.raises(TypeError):
        dtw_alignment("ab", np.ones((2, 2)))
    # complex frames: refused, not cast to their real part with a warning
    with pytest.raises(ValueError, match="x must hold real numbers"):
        dtw_alignment(np.ones((3, 2), dtype=complex), np.ones((2, 2)))
    with pytest.raises(TypeError, match="y must hold numbers, got an array of dtype <U"):
        dtw_alignment(np.ones((3, 2)), np.ones((2, 2)).astype(str))
    # sequences without frames: a clear error, not numpy's empty argmax
    with pytest.raises(ValueError, match="y has a sequence with no real frame"):
        dtw_alignment(np.ones((3, 2)), np.ones((0, 2)))
    with pytest.raises(ValueError, match="X has a sequence with no real frame"):
        pairwise_dtw_scores(np.ones((2, 0, 2)))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(global_constraint="sakoe_chiba", sakoe_chiba_radius=1.5), TypeError,
     "sakoe_chiba_radius must be an integer, got 1.5"),
    (dict(global_constraint="sakoe_chiba", sakoe_chiba_radius=True), TypeError,
     "sakoe_chiba_radius must be an integer"),
    (dict(global_constraint="itakura", itakura_max_slope="2"), TypeError,
     "itakura_max_slope must be a number, got '2'"),
    (dict(global_constraint="itakura", itakura_max_slope=0.5), ValueError,
     "itakura_max_slope must be >= 1, got 0.5"),
    (dict(global_constraint="itakura", itakura_max_slope=np.nan), ValueError,
     "itakura_max_slope must be >= 1"),
])
def test_bad_constraint_parameters(kwargs, exc, match):
    X = [np.ones((3, 2)), np.ones((4, 2))]
    with pytest.raises(exc, match=match):
        pairwise_dtw_scores(X, **kwargs)
    with pytest.raises(exc, match=match):
        dtw_alignment(X[0], X[1], **kwargs)
    with pytest.raises(exc, match=match):
        dtw_band(3, 4, **kwargs)


@pytest.mark.parametrize("n_jobs, exc, match", [
    (0, ValueError, "n_jobs must be None, a positive integer or a negative one"),
    (2.0, TypeError, "n_jobs must be None or an integer, got 2.0"),
    (True, TypeError, "n_jobs must be None or an integer, got True"),
    ("2", TypeError, "n_jobs must be None or an integer, got '2'"),
])
def test_bad_n_jobs(n_jobs, exc, match):
    X = [np.ones((3, 2)), np.ones((4, 2))]
    with pytest.raises(exc, match=match):
        pairwise_dtw_scores(X, n_jobs=n_jobs)
    for est in (DTWNearestNeighbors(n_jobs=n_jobs), DTWNeighborsIndex(n_jobs=n_jobs)):
        with pytest.raises(exc, match=match):
            est.fit(X, [0, 1])


@pytest.mark.parametrize("args, exc, match", [
    ((0, 4), ValueError, "n must be >= 1, got 0"),
    ((4, 2.0), TypeError, "m must be an integer, got 2.0"),
    ((np.ones(3), 4), TypeError, "n must be an integer"),
    ((4, 4, "band"), ValueError, "global_constraint must be one of"),
])
def test_dtw_band_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        dtw_band(*args)


def test_alignment_input_shapes():
    # a 1D sequence is one feature per frame: the reference on (n, 1) frames
    x, y = np.arange(5.0), np.array([0.0, 0.0, 1.0, 3.0, 4.0, 4.0, 6.0])
    al = dtw_alignment(x, y, metric="euclidean", aggregate="cost")
    ref = dtw_path_from_metric(x[:, None], y[:, None], metric="sqeuclidean")[1]
    np.testing.assert_allclose(-al.score, ref, rtol=1e-12)
    with pytest.raises(ValueError, match=r"x must be 2D \(n_frames, n_features\), got shape "
                                         r"\(2, 3, 4\)"):
        dtw_alignment(np.ones((2, 3, 4)), np.ones((3, 4)))
    with pytest.raises(ValueError, match="x and y must have the same number of features; "
                                         "got 4 and 3"):
        dtw_alignment(np.ones((3, 4)), np.ones((3, 3)))


# ----------------------------------------------------------------------------
# the lane-packed fixed-point kernel (unconstrained cosine) against the
# float64 kernels and the reference
# ----------------------------------------------------------------------------


@st.composite
def tie_sets(draw):
    """Frames from {+-e_k, 0}: cosine costs are exactly 0, 1 or 2, so many paths
    tie exactly and the tie rule (shortest path) decides the path length."""
    d = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    r = np.random.default_rng(seed)
    basis = np.concatenate([np.eye(d), -np.eye(d), np.zeros((1, d))])

    def seqs(n):
        return [basis[r.integers(0, len(basis), draw(st.integers(1, 12)))] for _ in range(n)]

    return seqs(draw(st.integers(1, 3))), seqs(draw(st.integers(1, 3)))


@settings(max_examples=40, deadline=None)
@given(data=tie_sets(), aggregate=st.sampled_from(["sum", "mean"]),
       constrained=st.booleans())
def test_exact_ties_go_to_the_shortest_path(data, aggregate, constrained):
    X, Y = data
    # a Sakoe-Chiba band wider than any sequence admits every path: same scores
    # through the float64 banded kernel as through the lane kernel
    kw = dict(global_constraint="sakoe_chiba", sakoe_chiba_radius=100) if constrained else {}
    got = pairwise_dtw_scores(X, Y, aggregate=aggregate, **kw)
    want = [[reference_dtw(a.tolist(), b.tolist(), "cosine", aggregate) for b in Y] for a in X]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    for i, a in enumerate(X):
        for j, b in enumerate(Y):
            r = dtw_alignment(a, b, aggregate=aggregate)
            assert r.score == pytest.approx(want[i][j], abs=1e-9)


def test_lane_kernel_matches_float_kernels_across_tiles_and_chunks(rng, monkeypatch):
    from sklearn_skippose.metrics import _dtw

    # 75 dictionary sequences (not a multiple of the lane width), lengths 1-30,
    # with tiny tiles and chunks so every boundary is crossed many times
    X = [rng.normal(size=(int(L), 5)) for L in rng.integers(1, 31, 17)]
    Y = [rng.normal(size=(int(L), 5)) for L in rng.integers(1, 31, 75)]
    Y[3][:] = 0.0  # a zero sequence
    monkeypatch.setattr(_dtw, "_LANE_ROWS", 8)
    monkeypatch.setattr(_dtw, "_LANE_COLS", 40)
    monkeypatch.setattr(_dtw, "_LANE_CHUNK_BYTES", 3000)
    Q = _dtw.PackedSequences(*_dtw._as_dataset(X, "X"), "cosine")
    D = _dtw.PackedSequences(*_dtw._as_dataset(Y, "Y"), "cosine")
    bands = _dtw._Bands(Q.lengths, D.lengths, None, None, None)
    fmt = _dtw._lane_key_format(Q.lengths.max(), D.lengths.max())
    assert fmt is not None
    cost, length = _dtw._lane_costs(Q, D, fmt, n_jobs=2)
    ref_cost, ref_len = _dtw._float_pairwise_costs(Q, D, bands)
    np.testing.assert_allclose(cost, ref_cost, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(length, ref_len)


def test_lane_key_format_falls_back_for_very_long_paths():
    from sklearn_skippose.metrics._dtw import _lane_key_format

    lbits, scale = _lane_key_format(40, 40)
    assert 2**lbits > 79 and scale >= 2.0**40
    assert _lane_key_format(200_000, 200_000) is None


def test_blas_limits_are_restored(rng):
    from threadpoolctl import threadpool_info

    before = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
    pairwise_dtw_scores([rng.normal(size=(5, 3))], [rng.normal(size=(4, 3))])
    after = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
    assert before == after
