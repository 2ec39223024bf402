"""
A Pipeline tuned with GridSearchCV over the official splits
===========================================================

Normalisation, embedding, scaling and DTW nearest neighbour form one
scikit-learn :class:`~sklearn.pipeline.Pipeline`; the three official JHMDB
splits are a cross-validator (:class:`~sklearn_skippose.model_selection.PredefinedSplits`),
so :class:`~sklearn.model_selection.GridSearchCV` tunes the window, the
scaling of the embeddings and the DTW score, reporting mean per-class accuracy and macro average precision.
The PCA embedder keeps this example fast; ``SkipPoseEmbedder`` drops into the
same step.

(Choosing settings on the official test folds, as any grid search over
these splits does, is fine for exploration; for reported numbers choose
them on the training clips, as ``benchmarks/select_settings.py`` does.)
"""

# %%
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_skippose import (
    DTWNearestNeighbors,
    PCAEmbedder,
    PoseNormalizer,
    SequenceStandardScaler,
    SequenceWhitener,
)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.metrics import (
    macro_average_precision_scorer,
    mean_per_class_accuracy_scorer,
)
from sklearn_skippose.model_selection import PredefinedSplits

jhmdb = load_jhmdb()
pipe = Pipeline([
    ("norm", PoseNormalizer()),
    ("embed", PCAEmbedder()),
    ("scale", SequenceStandardScaler()),
    ("knn", DTWNearestNeighbors()),
])
grid = {
    "embed__window": [2, 4],
    "scale": [SequenceStandardScaler(), SequenceWhitener()],
    "knn__aggregate": ["sum", "mean"],
}
gs = GridSearchCV(
    pipe, grid, cv=PredefinedSplits(jhmdb.splits),
    scoring={"accuracy": mean_per_class_accuracy_scorer, "mAP": macro_average_precision_scorer},
    refit="accuracy",
)
gs.fit(jhmdb.data, jhmdb.target)

# %%
for params, acc, ap in zip(gs.cv_results_["params"], gs.cv_results_["mean_test_accuracy"],
                           gs.cv_results_["mean_test_mAP"]):
    print(f"{params}: accuracy {100 * acc:.1f}, macro AP {100 * ap:.1f}")
print("best:", gs.best_params_)
