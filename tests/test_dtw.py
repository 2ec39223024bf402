import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tslearn.metrics import cdist_dtw, compute_mask, dtw_path_from_metric

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
