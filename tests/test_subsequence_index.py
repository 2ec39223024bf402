"""DTWSubsequenceIndex: the recordings registered once, the function's matches."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_estimator_repr,
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from sklearn_skippose import DTWSubsequenceIndex
from sklearn_skippose.metrics import dtw_subsequence_search

KEYS = ("sequence", "start", "stop", "score", "cost", "path_length", "profile")


def _same(a, b):
    for key in KEYS:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.fixture
def recordings(rng):
    walk = np.cumsum(rng.normal(size=(300, 6)), axis=0)
    return [walk[:120], rng.normal(size=(35, 6)), walk[100:], rng.normal(size=(60, 6))]


@pytest.mark.parametrize("steps", ["bounded", "classic"])
@pytest.mark.parametrize("metric, aggregate", [("cosine", "mean"), ("euclidean", "cost"),
                                               ("cosine", "cost")])
def test_searches_find_what_the_function_finds(rng, recordings, steps, metric, aggregate):
    settings = dict(steps=steps, metric=metric, aggregate=aggregate)
    index = DTWSubsequenceIndex(n_matches=4, **settings).fit(recordings)
    assert index.n_samples_fit_ == 4 and index.n_features_in_ == 6
    np.testing.assert_array_equal(index.lengths_, [120, 35, 200, 60])
    for q in (recordings[0][40:55], rng.normal(size=(9, 6)), recordings[2][:3]):
        _same(index.search(q), dtw_subsequence_search(q, recordings, 4, **settings))
        # this call's selection instead of the estimator's
        every = dtw_subsequence_search(q, recordings, None, min_score=-5.0, min_gap=0,
                                       **settings)
        _same(index.search(q, n_matches=len(every.score) + 3, min_score=-5.0, min_gap=0),
              every)


def test_padded_array_and_estimator_selection(rng, recordings):
    padded = np.full((4, 200, 6), np.nan)
    for i, r in enumerate(recordings):
        padded[i, : len(r)] = r
    q = recordings[3][10:30]
    index = DTWSubsequenceIndex(n_matches=None, min_score=0.2, min_gap=2).fit(padded)
    _same(index.search(q[None]),
          dtw_subsequence_search(q, recordings, None, min_score=0.2, min_gap=2))
    assert index.search(q).start[0] == 10


def test_registered_frames_are_a_copy(rng, recordings):
    X = [r.copy() for r in recordings]
    index = DTWSubsequenceIndex().fit(X)
    before = index.search(recordings[0][:20])
    for r in X:
        r[:] = 0.0  # changing the caller's arrays changes nothing registered
    _same(index.search(recordings[0][:20]), before)
    padded = np.stack([r[:35] for r in recordings])
    index = DTWSubsequenceIndex().fit(padded)
    before = index.search(recordings[0][:20])
    padded[:] = 1.0
    _same(index.search(recordings[0][:20]), before)


def test_steps_and_aggregate_may_change_after_fit_but_not_the_metric(recordings):
    q = recordings[0][40:55]
    index = DTWSubsequenceIndex().fit(recordings)
    index.set_params(steps="classic", aggregate="cost")
    _same(index.search(q), dtw_subsequence_search(q, recordings, steps="classic",
                                                  aggregate="cost"))
    index.set_params(metric="euclidean")
    with pytest.raises(ValueError, match="metric was set to 'euclidean' after fit"):
        index.search(q)


def test_clone_and_pickle(recordings):
    index = DTWSubsequenceIndex(n_matches=3, steps="classic").fit(recordings)
    q = recordings[2][70:90]
    _same(pickle.loads(pickle.dumps(index)).search(q), index.search(q))
    fresh = clone(index)
    assert not hasattr(fresh, "n_samples_fit_") and fresh.get_params() == index.get_params()
    with pytest.raises(NotFittedError):
        fresh.search(q)


def test_bad_input(rng, recordings):
    with pytest.raises(ValueError, match=r"2D array of shape \(120, 6\).*\[recording\]"):
        DTWSubsequenceIndex().fit(recordings[0])
    for empty in (np.empty((0, 30, 6)), []):  # nothing to search in: said at fit
        with pytest.raises(ValueError, match="no sequences|0 sequences"):
            DTWSubsequenceIndex().fit(empty)
    for params, match in (({"steps": "free"}, "steps"), ({"metric": "dtw"}, "metric"),
                          ({"aggregate": "sum"}, "favour long")):
        with pytest.raises(ValueError, match=match):
            DTWSubsequenceIndex(**params).fit(recordings)
    index = DTWSubsequenceIndex().fit(recordings)
    with pytest.raises(ValueError, match="same number of features per frame; got 4 and 6"):
        index.search(rng.normal(size=(5, 4)))
    with pytest.raises(ValueError, match="one sequence"):
        index.search(rng.normal(size=(2, 5, 6)))
    with pytest.raises(TypeError, match="n_matches must be an integer"):
        index.search(recordings[0][:5], n_matches=2.5)
    with pytest.raises(ValueError, match="give min_score"):
        DTWSubsequenceIndex(n_matches=None).fit(recordings).search(recordings[0][:5])
    with pytest.raises(ValueError, match="steps"):
        index.set_params(steps="free").search(recordings[0][:5])


@pytest.mark.parametrize("check", [check_parameters_default_constructible,
                                   check_no_attributes_set_in_init, check_get_params_invariance,
                                   check_set_params, check_estimator_repr])
def test_sklearn_parameter_checks(check):
    # the data checks of parametrize_with_checks feed 2D arrays, which an index of
    # recordings refuses (a 2D array is one recording not wrapped in a list)
    check("DTWSubsequenceIndex", DTWSubsequenceIndex())


def test_partial_fit_appends_recordings(rng, recordings):
    q = recordings[2][70:90]
    whole = DTWSubsequenceIndex(n_matches=6).fit(recordings)
    parts = DTWSubsequenceIndex(n_matches=6).partial_fit(recordings[:1])  # fits when unfitted
    parts.partial_fit(recordings[1:3]).partial_fit(np.stack([recordings[3]]))
    assert parts.n_samples_fit_ == 4
    np.testing.assert_array_equal(parts.lengths_, whole.lengths_)
    _same(parts.search(q), whole.search(q))
    with pytest.raises(ValueError, match="5 features per frame, but the recordings registered "
                                         "have 6"):
        parts.partial_fit([rng.normal(size=(30, 5))])
    parts.set_params(metric="euclidean")
    with pytest.raises(ValueError, match="metric was set"):
        parts.partial_fit(recordings)
    assert parts.n_samples_fit_ == 4  # refused calls register nothing


def test_the_profile_can_be_left_out(recordings):
    q = recordings[0][40:55]
    full = dtw_subsequence_search(q, recordings, 4)
    bare = dtw_subsequence_search(q, recordings, 4, return_profile=False)
    assert bare.profile is None
    for key in KEYS[:-1]:
        np.testing.assert_array_equal(bare[key], full[key])
    index = DTWSubsequenceIndex(n_matches=4).fit(recordings)
    assert index.search(q, return_profile=False).profile is None
    with pytest.raises(TypeError, match="return_profile must be True or False"):
        index.search(q, return_profile="no")
