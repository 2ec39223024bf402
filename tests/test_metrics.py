import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklearn_skippose import DTWNearestNeighbors
from sklearn_skippose.metrics import (
    macro_average_precision,
    macro_average_precision_scorer,
    mean_per_class_accuracy,
    mean_per_class_accuracy_scorer,
)


def test_mean_per_class_accuracy_by_hand():
    y_true = [0, 0, 0, 0, 1, 2, 2]
    y_pred = [0, 0, 0, 1, 1, 0, 2]
    assert mean_per_class_accuracy(y_true, y_pred) == pytest.approx((3 / 4 + 1 + 1 / 2) / 3)
    with pytest.raises(ValueError, match="at least one sample"):
        mean_per_class_accuracy([], [])
    # not label vectors: said, not numpy's IndexError from inside scikit-learn
    with pytest.raises(ValueError, match=r"y_true must be a 1D array-like of labels, got "
                                         r"float of shape \(\)"):
        mean_per_class_accuracy(3.0, [0, 1])
    with pytest.raises(ValueError, match=r"y_pred must be a 1D .* got list of shape \(1, 2\)"):
        mean_per_class_accuracy([0, 1], [[0, 1]])


def test_macro_ap_by_hand():
    y = [0, 0, 1]
    s = np.array([[0.9, 0.0], [0.1, 0.5], [0.5, 0.4]])
    # class 0 ranking: 0 (pos), 2 (neg), 1 (pos) -> AP = (1 + 2/3) / 2
    # class 1 ranking: 1 (neg), 2 (pos), 0 (neg) -> AP = 1/2
    assert macro_average_precision(y, s) == pytest.approx(((1 + 2 / 3) / 2 + 0.5) / 2)
    with pytest.raises(ValueError, match="shape"):
        macro_average_precision(y, s[:, :1])
    with pytest.raises(ValueError, match="NaN"):
        macro_average_precision(y, np.full((3, 2), np.nan))


def test_scorers_in_grid_search(rng):
    X = rng.normal(size=(40, 5, 3))
    y = np.repeat([0, 1], 20)
    X[y == 1] += 2.0
    gs = GridSearchCV(
        DTWNearestNeighbors(metric="euclidean"),
        {"n_neighbors": [1, 3]},
        scoring={"acc": mean_per_class_accuracy_scorer, "map": macro_average_precision_scorer},
        refit="acc",
        cv=2,
    ).fit(X, y)
    assert gs.best_score_ > 0.9
    assert np.all(np.asarray(gs.cv_results_["mean_test_map"]) > 0.9)


def _macro_ap_by_hand(y, scores, classes):
    from sklearn.metrics import average_precision_score

    return np.mean([average_precision_score(y == c, scores[:, k])
                    for k, c in enumerate(classes)])


def test_macro_ap_scorer_sees_through_pipelines(rng):
    """On a pipeline ending in a DTW classifier the scorer ranks by its class
    scores of the transformed clips (not by predict_proba's vote shares)."""
    from sklearn.pipeline import make_pipeline

    from sklearn_skippose import PCAEmbedder, PoseNormalizer

    X = rng.normal(size=(30, 12, 4))
    y = np.repeat([0, 1, 2], 10)
    X[y == 1, :, :2] += 1.0
    X[y == 2] = np.cumsum(X[y == 2], axis=1) * 0.3
    X[::4, 9:] = np.nan  # some shorter clips
    pipe = make_pipeline(PoseNormalizer(), PCAEmbedder(window=2, n_components=3),
                         DTWNearestNeighbors(n_neighbors=3)).fit(X[::2], y[::2])
    scores = pipe[-1].class_scores(pipe[:-1].transform(X[1::2]))
    expected = _macro_ap_by_hand(y[1::2], scores, pipe.classes_)
    assert macro_average_precision_scorer(pipe, X[1::2], y[1::2]) == pytest.approx(expected)
    # the votes of 3 neighbours tie often: ranking by them gives another number
    proba = pipe.predict_proba(X[1::2])
    assert expected != pytest.approx(_macro_ap_by_hand(y[1::2], proba, pipe.classes_))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_macro_ap_scorer_on_other_estimators(rng, n_classes):
    """Estimators without class scores are ranked by decision_function (both
    columns of a binary one) or else by predict_proba."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB

    X = rng.normal(size=(90, 4))
    y = np.arange(90) % n_classes
    X[:, 0] += 0.8 * y
    for est, method in ((LogisticRegression(), "decision_function"),
                        (GaussianNB(), "predict_proba")):
        est.fit(X[:60], y[:60])
        scores = getattr(est, method)(X[60:])
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        expected = _macro_ap_by_hand(y[60:], scores, est.classes_)
        assert macro_average_precision_scorer(est, X[60:], y[60:]) == pytest.approx(expected)


def test_retrieval_precision_by_hand():
    from sklearn_skippose.metrics import retrieval_precision

    y_q = np.array([0, 1])
    y_r = np.array([[0, 0, 1, 0], [0, 1, 1, 1]])
    assert retrieval_precision(y_q, y_r, k=1) == 0.5  # (1 + 0) / 2
    assert retrieval_precision(y_q, y_r, k=3) == pytest.approx((2 / 3 + 2 / 3) / 2)
    assert retrieval_precision(y_q, y_r) == pytest.approx((3 / 4 + 3 / 4) / 2)
    for bad in [0, 5, 1.5, True]:
        with pytest.raises(ValueError, match="k must be an integer in \\[1, n_results=4\\]"):
            retrieval_precision(y_q, y_r, k=bad)
    with pytest.raises(ValueError, match="shape \\(n_queries, n_results\\) = \\(2, >= 1\\)"):
        retrieval_precision(y_q, y_r[0])
    with pytest.raises(ValueError, match="non-empty 1D"):
        retrieval_precision([], np.zeros((0, 3)))


def test_retrieval_average_precision_against_sklearn(rng):
    from sklearn.metrics import average_precision_score

    from sklearn_skippose.metrics import retrieval_average_precision

    y_q = rng.integers(0, 4, 30)
    y_r = rng.integers(0, 4, (30, 25))
    y_r[0] = (y_q[0] + 1) % 4  # a query with nothing relevant is left out
    # ranks as strictly decreasing scores: sklearn's AP of one full ranking
    scores = np.arange(25, 0, -1)
    want = [average_precision_score(r == q, scores) for q, r in zip(y_q, y_r) if (r == q).any()]
    assert retrieval_average_precision(y_q, y_r) == pytest.approx(np.mean(want))
    # a truncated ranking: relevant items never retrieved lower the score
    found = (y_r == y_q[:, None]).sum(1)
    assert retrieval_average_precision(y_q, y_r, n_relevant=2 * found) == pytest.approx(
        np.mean(want) / 2)
    with pytest.raises(ValueError, match="already has"):
        retrieval_average_precision(y_q, y_r, n_relevant=found - 1)
    with pytest.raises(ValueError, match="one count per query"):
        retrieval_average_precision(y_q, y_r, n_relevant=found[:3])
    with pytest.raises(ValueError, match="No query has a relevant item"):
        retrieval_average_precision([0], [[1, 2]])
