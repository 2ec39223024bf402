import pickle
import warnings

import joblib
import numpy as np
import pytest

from sklearn_skippose import DTWNearestNeighbors, DTWNeighborsIndex
from sklearn_skippose.metrics import pairwise_dtw_scores


def _walks(rng, n, d=8, lo=5, hi=25):
    X = np.full((n, hi, d), np.nan)
    for i in range(n):
        L = rng.integers(lo, hi + 1)
        X[i, :L] = rng.normal(size=(L, d)).cumsum(0) * 0.3 + rng.normal(size=d)
    return X


@pytest.fixture
def data(rng):
    X = _walks(rng, 60)
    y = rng.integers(0, 4, 60)
    return X, y, _walks(rng, 10)


@pytest.mark.parametrize("aggregate", ["sum", "mean", "cost"])
def test_kneighbors_equals_brute_force_scores(data, aggregate):
    X, y, Q = data
    clf = DTWNearestNeighbors(n_neighbors=5, aggregate=aggregate).fit(X, y)
    s, idx = clf.kneighbors(Q)
    full = pairwise_dtw_scores(Q, X, aggregate=aggregate)
    want = np.argsort(-full, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(idx, want)
    np.testing.assert_allclose(s, np.take_along_axis(full, want, 1))
    assert (np.diff(s, axis=1) <= 0).all()


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
@pytest.mark.parametrize("aggregate", ["sum", "mean", "cost"])
def test_pruned_gives_brute_force_neighbours(rng, metric, aggregate):
    X = _walks(rng, 300)
    y = rng.integers(0, 3, 300)
    Q = _walks(rng, 6)
    brute = DTWNearestNeighbors(n_neighbors=3, algorithm="brute", metric=metric,
                                aggregate=aggregate).fit(X, y)
    pruned = DTWNearestNeighbors(n_neighbors=3, algorithm="pruned", metric=metric,
                                 aggregate=aggregate).fit(X, y)
    sb, ib = brute.kneighbors(Q)
    sp, ip = pruned.kneighbors(Q)
    np.testing.assert_array_equal(ib, ip)
    np.testing.assert_allclose(sb, sp, rtol=1e-6)


def test_predict_proba_class_scores(data):
    X, y, Q = data
    clf = DTWNearestNeighbors(n_neighbors=3).fit(X, y)
    proba = clf.predict_proba(Q)
    np.testing.assert_allclose(proba.sum(1), 1)
    assert set(np.unique(proba * 3)) <= {0.0, 1.0, 2.0, 3.0}
    dec = clf.class_scores(Q)
    full = pairwise_dtw_scores(Q, X, aggregate="mean")  # the classifier's default
    for c in range(4):
        np.testing.assert_allclose(dec[:, c], full[:, y == c].max(1))
    one = DTWNearestNeighbors().fit(X, y)
    np.testing.assert_array_equal(one.predict(Q), y[full.argmax(1)])
    paper = DTWNearestNeighbors(aggregate="sum").fit(X, y)
    np.testing.assert_array_equal(paper.predict(Q),
                                  y[pairwise_dtw_scores(Q, X, aggregate="sum").argmax(1)])
    # under the default "mean" (cosine) a sequence is its own best match: its
    # score is 1, the maximum possible ("sum" rewards long paths instead)
    np.testing.assert_array_equal(one.predict(X), y)


def test_self_query_excludes_self(data):
    X, y, _ = data
    clf = DTWNearestNeighbors(n_neighbors=2).fit(X, y)
    _, idx = clf.kneighbors()
    assert not (idx == np.arange(len(X))[:, None]).any()


def test_partial_fit_adds_unseen_class(data):
    X, y, Q = data
    clf = DTWNearestNeighbors(aggregate="mean").fit(X, y)
    before = clf.kneighbors(Q)
    clf.partial_fit(Q[:2], [7, 7])
    assert clf.classes_.tolist() == [0, 1, 2, 3, 7]
    assert clf.n_samples_fit_ == 62
    np.testing.assert_array_equal(clf.predict(Q[:2]), [7, 7])
    # old dictionary untouched: queries not matching the new items keep neighbours
    s, idx = clf.kneighbors(Q[2:])
    np.testing.assert_array_equal(idx, before[1][2:])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(Q[:, :, :3], [1] * len(Q))
    fresh = DTWNearestNeighbors().partial_fit(X, y)
    np.testing.assert_array_equal(fresh.predict(Q), DTWNearestNeighbors().fit(X, y).predict(Q))
    declared = DTWNearestNeighbors().partial_fit(X, y, classes=[0, 1, 2, 3, 9])
    assert declared.classes_.tolist() == [0, 1, 2, 3, 9]
    for est in (DTWNearestNeighbors(), DTWNearestNeighbors().fit(X, y)):
        with pytest.raises(TypeError, match="the string 'ab'"):
            est.partial_fit(X, y, classes="ab")
        with pytest.raises(ValueError, match="1-dimensional"):
            est.partial_fit(X, y, classes=[[0, 1]])
        with pytest.raises(TypeError, match="same kind as y"):
            est.partial_fit(X, y, classes=np.array(["walk"]))
    # a refused call changes nothing
    clf = DTWNearestNeighbors().fit(X, y)
    with pytest.raises(TypeError, match="same kind as y"):
        clf.partial_fit(Q[:2], [7, 7], classes=np.array(["walk"]))
    assert clf.n_samples_fit_ == len(X) and clf.classes_.tolist() == [0, 1, 2, 3]
    fresh = DTWNearestNeighbors()
    with pytest.raises(TypeError, match="same kind as y"):
        fresh.partial_fit(X, y, classes=np.array(["walk"]))
    assert not hasattr(fresh, "classes_")


def test_pickle_roundtrip(data, tmp_path):
    X, y, Q = data
    clf = DTWNearestNeighbors(n_neighbors=3).fit(X, y)
    clf2 = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clf.predict(Q), clf2.predict(Q))
    joblib.dump(clf, tmp_path / "m.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "m.joblib").predict_proba(Q),
                                  clf.predict_proba(Q))


def test_bad_usage(data):
    X, y, Q = data
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit"):
        DTWNearestNeighbors(n_neighbors=100).fit(X, y).predict(Q)
    with pytest.raises(ValueError, match="X has 3 features"):
        DTWNearestNeighbors().fit(X, y).predict(Q[:, :, :3])
    with pytest.raises(ValueError, match="no real frame"):
        DTWNearestNeighbors().fit(X, y).predict(np.full((1, 4, 8), np.nan))
    with pytest.raises(ValueError, match="inside"):
        bad = Q.copy()
        bad[0, 0, 0] = np.nan
        DTWNearestNeighbors().fit(X, y).predict(bad)
    with pytest.raises(ValueError, match="metric"):
        DTWNearestNeighbors(metric="l1").fit(X, y)
    with pytest.raises(TypeError, match="integer"):
        DTWNearestNeighbors(n_neighbors=1.5).fit(X, y)
    with pytest.raises(ValueError, match="no feasible alignment"):
        clf = DTWNearestNeighbors(global_constraint="itakura", itakura_max_slope=1.0)
        clf.fit(_walks(np.random.default_rng(1), 5, lo=25, hi=25), np.arange(5))
        clf.predict(np.ones((1, 2, 8)))
    with pytest.raises(ValueError, match="weights"):
        DTWNearestNeighbors(weights="distance").fit(X, y)


@pytest.mark.parametrize("bad, err, match", [
    ([0.0, np.nan], ValueError, "y contains NaN"),
    ([0.0, np.inf], ValueError, "y contains infinity"),
    (np.array(["a", None], dtype=object), TypeError, "NoneType, str"),
])
def test_bad_labels(data, bad, err, match):
    # refused before any label logic casts them (NaN and inf used to reach
    # type_of_target's integer cast, with only a numpy RuntimeWarning)
    X, y, Q = data
    labels = np.array(list(bad) * (len(X) // 2 + 1), dtype=np.asarray(bad).dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(err, match=match):
            DTWNearestNeighbors().fit(X, labels[: len(X)])
        clf = DTWNearestNeighbors().fit(X, y)
        with pytest.raises(err, match=match):
            clf.partial_fit(Q[:2], labels[:2])
    assert clf.n_samples_fit_ == len(X)  # the refused call registered nothing


def test_callable_weights(data):
    X, y, Q = data
    clf = DTWNearestNeighbors(n_neighbors=3, weights=lambda s: np.exp(s - s[:, :1])).fit(X, y)
    assert np.allclose(clf.predict_proba(Q).sum(1), 1)


def test_dask_backend(data):
    distributed = pytest.importorskip("distributed")
    X, y, Q = data
    ref = DTWNearestNeighbors(n_neighbors=2).fit(X, y).kneighbors(Q)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as ts:
            clf = DTWNearestNeighbors(n_neighbors=2, n_jobs=-1).fit(X, y)
            got = clf.kneighbors(Q)
        # the distance blocks really ran as tasks on the cluster's workers
        assert len(ts.data) >= 2
        assert {t["worker"] for t in ts.data} <= set(client.scheduler_info()["workers"])
    np.testing.assert_array_equal(got[1], ref[1])
    np.testing.assert_allclose(got[0], ref[0])


def test_real_jhmdb_pose_retrieval(jhmdb):
    """Normalised raw poses of split 1, NaN -> 0: DTW 1-NN beats chance by far,
    and the default path-length normalised score beats the paper's sum (the
    user guide's "How DTW scoring works" quotes both)."""
    from sklearn_skippose import PoseNormalizer

    X = np.nan_to_num(PoseNormalizer().fit_transform(jhmdb.data))
    lengths = jhmdb.lengths
    X[np.arange(40)[None, :] >= lengths[:, None]] = np.nan
    tr, te = jhmdb.splits[:, 0] == 1, jhmdb.splits[:, 0] == 2
    acc = {a: DTWNearestNeighbors(aggregate=a).fit(X[tr], jhmdb.target[tr])
           .score(X[te], jhmdb.target[te]) for a in ("mean", "sum")}
    # chance is 1/21; measured 0.50 ("mean") and 0.28 ("sum") at the time of writing
    assert acc["mean"] > 0.4
    assert acc["sum"] > 0.2
    assert acc["mean"] > acc["sum"] + 0.1
    assert DTWNearestNeighbors().aggregate == "mean"


@pytest.mark.parametrize("Est", [DTWNearestNeighbors, DTWNeighborsIndex])
def test_metric_changed_after_fit_is_refused(data, Est):
    # the dictionary is stored for the fitted metric (unit frames for cosine):
    # scoring it under another metric gave wrong scores without a word
    X, y, Q = data
    est = Est(metric="cosine").fit(X, y) if Est is DTWNearestNeighbors else Est().fit(X)
    before = est.kneighbors(Q)
    est.set_params(metric="euclidean")
    for call in (lambda: est.kneighbors(Q), lambda: est.kneighbors(),
                 lambda: est.radius_neighbors(Q, min_score=0.5),
                 lambda: est.partial_fit(Q, y[: len(Q)]) if Est is DTWNearestNeighbors
                 else est.partial_fit(Q)):
        with pytest.raises(ValueError, match="fitted with metric='cosine'.*now 'euclidean'"):
            call()
    assert est.n_samples_fit_ == len(X)
    est.set_params(metric="cosine")
    np.testing.assert_array_equal(est.kneighbors(Q)[1], before[1])
    est.set_params(metric="euclidean").fit(X, y)  # a new fit takes the new metric
    assert np.isfinite(est.kneighbors(Q)[0]).all()


def test_2d_input_with_nan_says_how_to_pass_sequences(data):
    X, y, _ = data
    flat = X[:, :, 0]  # one feature per frame, read as (n_samples, n_features)
    assert np.isnan(flat).any()  # the padding of the shorter sequences
    with pytest.raises(ValueError, match="2D X is read as one-frame sequences.*pass a 3D"):
        DTWNearestNeighbors().fit(flat, y)
    with pytest.raises(ValueError, match="infinity"):
        DTWNearestNeighbors().fit(np.where(np.isnan(flat), np.inf, flat), y)
