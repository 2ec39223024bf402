"""DTWNeighborsIndex: unsupervised search, checked against a plain float64 DTW."""

import pickle

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_skippose import DTWNearestNeighbors, DTWNeighborsIndex

from ._reference import reference_dtw
from .test_neighbors import _walks


def _reference_scores(Q, X, **kw):
    rows = [q[~np.isnan(q).all(1)] for q in Q]
    cols = [x[~np.isnan(x).all(1)] for x in X]
    return np.array([[reference_dtw(a.tolist(), b.tolist(), **kw) for b in cols] for a in rows])


@pytest.fixture
def walks(rng):
    return _walks(rng, 30, d=4, lo=4, hi=12), _walks(rng, 5, d=4, lo=4, hi=12)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
@pytest.mark.parametrize("aggregate", ["sum", "mean", "cost"])
def test_kneighbors_against_reference_dtw(walks, metric, aggregate):
    X, Q = walks
    index = DTWNeighborsIndex(n_neighbors=4, metric=metric, aggregate=aggregate).fit(X)
    s, idx = index.kneighbors(Q)
    ref = _reference_scores(Q, X, metric=metric, aggregate=aggregate)
    want = np.argsort(-ref, axis=1, kind="stable")[:, :4]
    np.testing.assert_array_equal(idx, want)
    np.testing.assert_allclose(s, np.take_along_axis(ref, want, 1), rtol=1e-5, atol=1e-5)
    # the same ranking as the classifier's, with any labels
    clf = DTWNearestNeighbors(n_neighbors=4, metric=metric, aggregate=aggregate)
    np.testing.assert_array_equal(clf.fit(X, np.arange(len(X)) % 3).kneighbors(Q)[1], idx)
    # pruning gives the same neighbours
    pruned = DTWNeighborsIndex(n_neighbors=4, metric=metric, aggregate=aggregate,
                               algorithm="pruned").fit(X)
    np.testing.assert_array_equal(pruned.kneighbors(Q)[1], idx)


def test_self_query_partial_fit_and_pickle(walks):
    X, Q = walks
    index = DTWNeighborsIndex(n_neighbors=3).fit(X[:20])
    assert index.n_samples_fit_ == 20 and index.n_features_in_ == 4
    index.partial_fit(X[20:]).partial_fit(list(Q))  # a list of sequences works too
    assert index.n_samples_fit_ == 35
    whole = DTWNeighborsIndex(n_neighbors=3).fit(np.concatenate([X, Q]))
    np.testing.assert_array_equal(index.kneighbors(Q)[1], whole.kneighbors(Q)[1])
    # a registered query finds itself first; X=None leaves every sequence out of its own list
    assert (index.kneighbors(Q, n_neighbors=1)[1][:, 0] == np.arange(30, 35)).all()
    s, idx = index.kneighbors()
    assert idx.shape == (35, 3) and not (idx == np.arange(35)[:, None]).any()
    np.testing.assert_array_equal(index.kneighbors(return_distance=False), idx)
    copy = pickle.loads(pickle.dumps(index))
    np.testing.assert_array_equal(copy.kneighbors(Q)[1], index.kneighbors(Q)[1])
    # partial_fit on a new index is fit
    np.testing.assert_array_equal(DTWNeighborsIndex(n_neighbors=3).partial_fit(X).kneighbors(Q)[1],
                                  DTWNeighborsIndex(n_neighbors=3).fit(X).kneighbors(Q)[1])


def test_index_bad_input(walks):
    X, Q = walks
    with pytest.raises(NotFittedError):
        DTWNeighborsIndex().kneighbors(Q)
    index = DTWNeighborsIndex().fit(X)
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit = 30"):
        index.kneighbors(Q, n_neighbors=31)
    with pytest.raises(ValueError, match="X has 3 features, but DTWNeighborsIndex"):
        index.kneighbors(Q[:, :, :3])
    with pytest.raises(ValueError, match="X has 3 features"):
        index.partial_fit(Q[:, :, :3])
    bad = Q.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN values inside"):
        index.kneighbors(bad)
    with pytest.raises(ValueError, match="aggregate"):
        DTWNeighborsIndex(aggregate="max").fit(X)
    with pytest.raises(ValueError, match="algorithm"):
        DTWNeighborsIndex(algorithm="kd_tree").fit(X)
    with pytest.raises(TypeError, match="n_neighbors must be an integer"):
        index.kneighbors(Q, n_neighbors=2.0)


def test_real_jhmdb_similar_motion_search(jhmdb):
    """Normalised poses of split 1's training clips, no labels: a test clip's
    nearest clips share its action far more often than chance (1/21)."""
    from sklearn_skippose import PCAEmbedder, PoseNormalizer

    tr, te = jhmdb.splits[:, 0] == 1, jhmdb.splits[:, 0] == 2
    norm = PoseNormalizer(mode="first_pose_isotropic")
    feat = PCAEmbedder(window=4, n_components=16).fit(norm.fit_transform(jhmdb.data[tr]))
    index = DTWNeighborsIndex(n_neighbors=5).fit(feat.transform(norm.transform(jhmdb.data[tr])))
    idx = index.kneighbors(feat.transform(norm.transform(jhmdb.data[te])), return_distance=False)
    assert idx.shape == (268, 5)
    precision = (jhmdb.target[tr][idx] == jhmdb.target[te][:, None]).mean()
    assert precision > 0.3  # measured 0.42 at the time of writing


@pytest.mark.parametrize("constraint", [None, "sakoe_chiba"])
def test_blocked_scoring_gives_the_same_results(walks, monkeypatch, rng, constraint):
    """Queries scored a few at a time (bounded memory) give exactly what one block gives."""
    from sklearn_skippose.neighbors import _base

    X, Q = walks
    y = rng.integers(0, 3, len(X))
    params = dict(n_neighbors=3, global_constraint=constraint, sakoe_chiba_radius=3)
    ref_index = DTWNeighborsIndex(**params).fit(X)
    ref_clf = DTWNearestNeighbors(**params).fit(X, y)
    want = [ref_index.kneighbors(Q), ref_index.kneighbors(), ref_clf.class_scores(Q),
            ref_clf.predict_proba(Q)]
    monkeypatch.setattr(_base, "_PAIRS_PER_BLOCK", 2 * len(X))  # two queries per block
    index = DTWNeighborsIndex(**params).fit(X)
    clf = DTWNearestNeighbors(**params).fit(X, y)
    got = [index.kneighbors(Q), index.kneighbors(), clf.class_scores(Q), clf.predict_proba(Q)]
    for (s, i), (s_ref, i_ref) in zip(got[:2], want[:2]):
        np.testing.assert_array_equal(i, i_ref)
        np.testing.assert_array_equal(s, s_ref)
    np.testing.assert_array_equal(got[2], want[2])
    np.testing.assert_array_equal(got[3], want[3])


# ------------------------------------------------- graphs and score thresholds
@pytest.mark.parametrize("metric, aggregate", [("cosine", "mean"), ("cosine", "cost"),
                                               ("euclidean", "sum"), ("euclidean", "mean")])
def test_radius_neighbors_against_reference_dtw(walks, metric, aggregate):
    X, Q = walks
    ref = _reference_scores(Q, X, metric=metric, aggregate=aggregate)
    min_score = np.quantile(ref, 0.8)  # about a fifth of the pairs
    index = DTWNeighborsIndex(metric=metric, aggregate=aggregate).fit(X)
    s, idx = index.radius_neighbors(Q, min_score=min_score)
    assert s.dtype == object and idx.shape == (len(Q),)
    for q in range(len(Q)):
        want = np.flatnonzero(ref[q] >= min_score)
        np.testing.assert_array_equal(idx[q], want)  # unsorted: index order
        np.testing.assert_allclose(s[q], ref[q, want], rtol=1e-5, atol=1e-5)
    s_sorted, idx_sorted = index.radius_neighbors(Q, min_score=min_score, sort_results=True)
    for q in range(len(Q)):
        assert (np.diff(s_sorted[q]) <= 0).all()
        assert sorted(idx_sorted[q]) == idx[q].tolist()
    # the graph holds the same pairs; "distance" is the shortfall from a perfect match
    G = index.radius_neighbors_graph(Q, min_score=min_score, mode="distance")
    assert G.shape == (len(Q), len(X)) and G.nnz == sum(len(i) for i in idx)
    best = 1.0 if (metric, aggregate) == ("cosine", "mean") else 0.0
    for q in range(len(Q)):
        row = G.getrow(q)
        np.testing.assert_array_equal(np.sort(row.indices), idx[q])
        np.testing.assert_allclose(row.toarray()[0, idx[q]], np.maximum(best - s[q], 0),
                                   rtol=1e-5, atol=1e-6)
    assert (G.data >= 0).all()


def test_radius_neighbors_self_query_and_blocks(walks, monkeypatch):
    from sklearn_skippose.neighbors import _base

    X, Q = walks
    index = DTWNeighborsIndex().fit(X[:20]).partial_fit(X[20:])
    ref = _reference_scores(X, X, aggregate="mean")
    s, idx = index.radius_neighbors(min_score=0.5)
    for i in range(len(X)):  # every other sequence at least as similar, never itself
        want = np.flatnonzero(ref[i] >= 0.5)
        np.testing.assert_array_equal(idx[i], want[want != i])
    G = index.radius_neighbors_graph(min_score=0.5)
    assert G.diagonal().sum() == 0 and set(G.data) <= {1.0}
    # a high threshold can leave queries with nothing
    s_hi, idx_hi = index.radius_neighbors(Q, min_score=1.0)
    assert all(len(i) == 0 for i in idx_hi) and s_hi.shape == (len(Q),)
    assert index.radius_neighbors_graph(Q, min_score=1.0).nnz == 0
    # scored two queries at a time: identical results
    monkeypatch.setattr(_base, "_PAIRS_PER_BLOCK", 2 * len(X))
    s2, idx2 = index.radius_neighbors(min_score=0.5)
    for a, b in zip(idx2, idx):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(s2, s):
        np.testing.assert_array_equal(a, b)


def test_kneighbors_graph(walks, rng):
    X, Q = walks
    index = DTWNeighborsIndex(n_neighbors=4).fit(X)
    s, idx = index.kneighbors(Q)
    for mode, values in [("connectivity", np.ones_like(s)), ("score", s), ("distance", 1 - s)]:
        G = index.kneighbors_graph(Q, mode=mode)
        assert G.shape == (len(Q), len(X)) and G.nnz == s.size
        np.testing.assert_array_equal(G.indices.reshape(s.shape), idx)  # best first
        np.testing.assert_allclose(G.data.reshape(s.shape), np.maximum(values, 0), atol=1e-7)
    G = index.kneighbors_graph(n_neighbors=2)  # self-query: no self-loops
    assert G.shape == (len(X), len(X)) and G.diagonal().sum() == 0
    np.testing.assert_array_equal(G.indices.reshape(-1, 2), index.kneighbors(n_neighbors=2)[1])
    # the classifier has it too, with its own score
    clf = DTWNearestNeighbors(n_neighbors=2).fit(X, rng.integers(0, 3, len(X)))
    np.testing.assert_array_equal(clf.kneighbors_graph(Q, mode="score").data,
                                  clf.kneighbors(Q)[0].ravel())
    # infeasible pairs under a tight band are left out, not stored as -inf
    short = [np.ones((2, 4)), np.ones((12, 4))]
    banded = DTWNeighborsIndex(n_neighbors=2, global_constraint="itakura").fit(short)
    Gb = banded.kneighbors_graph([np.ones((2, 4))], mode="score")
    assert Gb.nnz == 1 and np.isfinite(Gb.data).all()


def test_graph_feeds_scikit_learn_clustering(rng):
    """DBSCAN on the sparse radius graph = DBSCAN on the dense distance matrix."""
    from sklearn.cluster import DBSCAN

    from sklearn_skippose.metrics import pairwise_dtw_scores

    t = np.linspace(0, 1, 15)[:, None]
    families = [np.hstack([np.cos(f * t), np.sin(f * t), t]) for f in (1.0, 4.0, 9.0)]
    X = np.stack([fam + 0.05 * rng.standard_normal(fam.shape) for fam in families for _ in range(6)])
    index = DTWNeighborsIndex().fit(X)
    G = index.radius_neighbors_graph(min_score=0.9, mode="distance", sort_results=True)
    # rows sorted by distance: what scikit-learn's precomputed graphs expect
    # (unsorted, older releases warn and sort a copy)
    for i in range(G.shape[0]):
        row = G.data[G.indptr[i]:G.indptr[i + 1]]
        assert np.all(np.diff(row) >= 0)
    sparse_labels = DBSCAN(eps=0.1, min_samples=3, metric="precomputed").fit_predict(G)
    dense = 1 - pairwise_dtw_scores(X, aggregate="mean")
    np.fill_diagonal(dense, 0)
    dense_labels = DBSCAN(eps=0.1, min_samples=3, metric="precomputed").fit_predict(
        np.maximum(dense, 0))
    np.testing.assert_array_equal(sparse_labels, dense_labels)
    assert len(set(sparse_labels) - {-1}) == 3  # the three families


def test_graph_and_radius_bad_input(walks):
    X, Q = walks
    with pytest.raises(NotFittedError):
        DTWNeighborsIndex().radius_neighbors(Q, min_score=0.5)
    index = DTWNeighborsIndex().fit(X)
    with pytest.raises(TypeError, match="min_score is required"):
        index.radius_neighbors(Q)
    with pytest.raises(TypeError, match="min_score must be a real number"):
        index.radius_neighbors(Q, min_score="0.5")
    with pytest.raises(ValueError, match="min_score must be finite"):
        index.radius_neighbors(Q, min_score=np.nan)
    with pytest.raises(ValueError, match="sort_results is True"):
        index.radius_neighbors(Q, min_score=0.5, return_distance=False, sort_results=True)
    for bad in ("no", 0, None):  # not read for their truth value
        with pytest.raises(TypeError, match=f"return_distance must be True or False, got {bad!r}"):
            index.kneighbors(Q, return_distance=bad)
        with pytest.raises(TypeError, match=f"return_distance must be True or False, got {bad!r}"):
            index.radius_neighbors(Q, min_score=0.5, return_distance=bad)
        with pytest.raises(TypeError, match=f"sort_results must be True or False, got {bad!r}"):
            index.radius_neighbors_graph(Q, min_score=0.5, sort_results=bad)
    with pytest.raises(ValueError, match="mode must be"):
        index.kneighbors_graph(Q, mode="weight")
    with pytest.raises(ValueError, match="fixed best value"):
        DTWNeighborsIndex(aggregate="sum").fit(X).radius_neighbors_graph(
            Q, min_score=1.0, mode="distance")
    with pytest.raises(ValueError, match="X has 3 features"):
        index.radius_neighbors(Q[:, :, :3], min_score=0.5)


# ------------------------------------------------------ DTWNeighborsTransformer
def test_transformer_is_the_index_graph(walks):
    from sklearn_skippose import DTWNeighborsTransformer

    X, Q = walks
    index = DTWNeighborsIndex().fit(X)
    for mode, extra in [("distance", 1), ("connectivity", 0), ("score", 0)]:
        tr = DTWNeighborsTransformer(n_neighbors=3, mode=mode).fit(X)
        G = tr.transform(Q)
        want = index.kneighbors_graph(Q, n_neighbors=3 + extra, mode=mode)
        np.testing.assert_array_equal(G.indices, want.indices)
        np.testing.assert_array_equal(G.indptr, want.indptr)
        np.testing.assert_array_equal(G.data, want.data)
        assert tr.get_feature_names_out().tolist() == [
            f"dtwneighborstransformer{i}" for i in range(len(X))]
    # fit_transform = fit(X).transform(X): every sequence first, itself, at distance ~0
    tr = DTWNeighborsTransformer(n_neighbors=3)
    G = tr.fit_transform(X)
    assert G.shape == (len(X), len(X)) and G.nnz == 4 * len(X)
    np.testing.assert_array_equal(G.indices.reshape(-1, 4)[:, 0], np.arange(len(X)))
    np.testing.assert_allclose(G.diagonal(), 0, atol=1e-6)
    np.testing.assert_allclose(G.toarray(), tr.transform(X).toarray(), atol=1e-6)
    # subset invariance, to float32 rounding (the common check asks for 1e-7)
    np.testing.assert_allclose(tr.transform(X[:7]).toarray(), G.toarray()[:7], atol=1e-6)


def test_transformer_in_a_pipeline_with_clustering_and_manifolds(rng):
    from sklearn.cluster import SpectralClustering
    from sklearn.manifold import Isomap
    from sklearn.metrics import adjusted_rand_score
    from sklearn.pipeline import make_pipeline

    from sklearn_skippose import DTWNeighborsTransformer, PCAEmbedder

    t = np.linspace(0, 1, 20)[:, None]
    families = [np.hstack([np.cos(f * t), np.sin(f * t), t, t ** 2]) for f in (1.0, 4.0, 9.0)]
    X = np.stack([fam + 0.05 * rng.standard_normal(fam.shape)
                  for fam in families for _ in range(8)])
    y = np.repeat(np.arange(3), 8)
    model = make_pipeline(PCAEmbedder(window=2, n_components=3),
                          DTWNeighborsTransformer(n_neighbors=10),  # 8 per family: connected
                          SpectralClustering(3, affinity="precomputed_nearest_neighbors",
                                             n_neighbors=10, random_state=0))
    assert adjusted_rand_score(y, model.fit_predict(X)) == 1.0
    # the embedder's parameters stay tunable through the pipeline
    assert model.set_params(pcaembedder__window=3).get_params()["pcaembedder__window"] == 3
    emb = make_pipeline(DTWNeighborsTransformer(n_neighbors=10),  # reaches across families
                        Isomap(n_neighbors=10, n_components=2, metric="precomputed"))
    Z = emb.fit_transform(X)
    assert Z.shape == (24, 2) and np.isfinite(Z).all()


def test_transformer_bad_input(walks):
    from sklearn_skippose import DTWNeighborsTransformer

    X, Q = walks
    with pytest.raises(ValueError, match="mode must be"):
        DTWNeighborsTransformer(mode="weights").fit(X)
    with pytest.raises(ValueError, match="fixed best value"):
        DTWNeighborsTransformer(aggregate="sum").fit(X)
    with pytest.raises(NotFittedError):
        DTWNeighborsTransformer().transform(Q)
    with pytest.raises(ValueError, match=r"n_neighbors=30 in 'distance' mode needs "
                                         r"n_neighbors \+ 1 = 31 .* but 30 are registered"):
        DTWNeighborsTransformer(n_neighbors=30).fit(X).transform(Q)  # 31 with itself
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit = 30, got 31"):
        DTWNeighborsTransformer(n_neighbors=31, mode="connectivity").fit(X).transform(Q)
    with pytest.raises(ValueError, match="X has 3 features"):
        DTWNeighborsTransformer().fit(X).transform(Q[:, :, :3])
