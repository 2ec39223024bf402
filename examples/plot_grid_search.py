"""
A Pipeline tuned with GridSearchCV over the official splits
===========================================================

Normalisation, embedding, scaling and DTW nearest neighbour form one
scikit-learn :class:`~sklearn.pipeline.Pipeline`; the three official JHMDB
splits are a cross-validator (:class:`~sklearn_skippose.model_selection.PredefinedSplits`),
so :class:`~sklearn.model_selection.GridSearchCV` tunes the pose
normalisation, the scaling of the embeddings and the DTW score, reporting
mean per-class accuracy and macro average precision.
The PCA embedder keeps this example fast; ``SkipPoseEmbedder`` drops into the
same step.

Choosing settings on the official test folds, as any grid search over
these splits does, is fine for exploration. For reported numbers the second
part chooses them on the training clips of split 1 only, with video-disjoint
folds (:func:`~sklearn_skippose.model_selection.inner_splits`), and scores
the refitted winner once on split 1's test clips, as
``benchmarks/select_settings.py`` does.
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
from sklearn_skippose.model_selection import PredefinedSplits, inner_splits

jhmdb = load_jhmdb()
pipe = Pipeline([
    ("norm", PoseNormalizer()),
    ("embed", PCAEmbedder()),
    ("scale", SequenceStandardScaler()),
    ("knn", DTWNearestNeighbors()),
])
grid = {
    "norm__mode": ["first_pose", "first_pose_isotropic"],
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

# %%
# Nested: choose on split 1's training clips, score once on its test clips.
idx, inner_cv = inner_splits(jhmdb.splits, 0)
gs1 = GridSearchCV(pipe, grid, cv=inner_cv, scoring=mean_per_class_accuracy_scorer)
gs1.fit(jhmdb.data[idx], jhmdb.target[idx])
test = jhmdb.splits[:, 0] == 2
print("chosen on training clips:", gs1.best_params_)
print(f"validation accuracy {100 * gs1.best_score_:.1f}, split-1 test accuracy "
      f"{100 * mean_per_class_accuracy_scorer(gs1, jhmdb.data[test], jhmdb.target[test]):.1f}")
