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
