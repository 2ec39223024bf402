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
    with pytest.raises(ValueError):
        mean_per_class_accuracy([], [])


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
