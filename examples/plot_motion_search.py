"""
Similar-motion search without labels
====================================

The package's other use besides classification: given a clip, find the
clips in a collection whose motion is most alike, with no action labels
anywhere. The collection here is JHMDB split 1's training clips. A Skip-Pose
embedder is trained on them without labels, and their window embeddings are
registered in a :class:`~sklearn_skippose.DTWNeighborsIndex`, which ranks
clips by the paper's DTW similarity over cosine similarity maps.

The labels are used only afterwards, to judge the search: a retrieved clip
counts as relevant when it shows the query's action.
"""

# %%
# Index the collection
# --------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_skippose import (
    DTWNeighborsIndex,
    PCAEmbedder,
    PoseNormalizer,
    SequenceWhitener,
    SkipPoseEmbedder,
)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.metrics import retrieval_average_precision, retrieval_precision
from sklearn_skippose.plotting import plot_poses

jhmdb = load_jhmdb()
tr, te = np.flatnonzero(jhmdb.splits[:, 0] == 1), np.flatnonzero(jhmdb.splits[:, 0] == 2)
collection, queries = jhmdb.data[tr], jhmdb.data[te]

features = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"),
                         SkipPoseEmbedder(max_epochs=30, random_state=0),
                         SequenceWhitener()).fit(collection)  # no labels
index = DTWNeighborsIndex(n_neighbors=4).fit(features.transform(collection))
print(f"{index.n_samples_fit_} clips indexed")

# %%
# Query with an unseen clip
# -------------------------
# Each row: the query (top) and its four most similar clips, best first,
# with their DTW score (the mean cosine similarity along the path).
poses = PoseNormalizer(mode="first_pose_isotropic").fit_transform(jhmdb.data)
names = jhmdb.target_names
for q in [10, 120, 200]:
    scores, idx = index.kneighbors(features.transform(queries[q : q + 1]))
    fig, axes = plt.subplots(5, 1, figsize=(7, 7))
    plot_poses(poses[te[q]], ax=axes[0], color="tab:red")
    axes[0].set_title(f"query: {names[jhmdb.target[te[q]]]}", fontsize=9)
    for ax, s, i in zip(axes[1:], scores[0], idx[0]):
        plot_poses(poses[tr[i]], ax=ax)
        ax.set_title(f"{names[jhmdb.target[tr[i]]]}  (score {s:.3f})", fontsize=8)
    fig.tight_layout()
plt.show()

# %%
# How good is the search?
# -----------------------
# Every test clip of split 1 queries the whole collection. Precision at k
# (:func:`~sklearn_skippose.metrics.retrieval_precision`) is the fraction of
# the k best clips showing the query's action (chance: about 1/21); the
# average precision scores the full ranking of the 536 clips, and its mean
# over the queries is the retrieval mAP
# (:func:`~sklearn_skippose.metrics.retrieval_average_precision`). The same
# search on PCA window features (the paper's baseline, fitted the same way)
# for comparison.


def judge(features, label):
    index = DTWNeighborsIndex().fit(features.transform(collection))
    idx = index.kneighbors(features.transform(queries), n_neighbors=index.n_samples_fit_,
                           return_distance=False)
    y_queries, y_ranked = jhmdb.target[te], jhmdb.target[tr][idx]  # labels, best first
    row = [retrieval_precision(y_queries, y_ranked, k=k) for k in (1, 5, 10)]
    row.append(retrieval_average_precision(y_queries, y_ranked))
    print(f"{label:<10}" + "".join(f"{100 * v:10.1f}" for v in row))


pca = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"), PCAEmbedder(window=4),
                    SequenceWhitener()).fit(collection)
print(f"{'(%)':<10}{'P@1':>10}{'P@5':>10}{'P@10':>10}{'mAP':>10}")
judge(features, "Skip-Pose")
judge(pca, "PCA")

# %%
# Growing the collection
# ----------------------
# :meth:`~sklearn_skippose.DTWNeighborsIndex.partial_fit` adds clips without
# touching those already indexed; the new ones take the next indices. Once
# the test clips are added, each of them finds itself first.
index.partial_fit(features.transform(queries))
first = index.kneighbors(features.transform(queries[:5]), n_neighbors=1,
                         return_distance=False)[:, 0]
print(index.n_samples_fit_, first - len(tr))
