"""
Discovering actions without labels: clustering clips
====================================================

With no labels at all, clips can still be grouped by motion: the DTW
similarity of every pair of clips
(:func:`~sklearn_skippose.metrics.pairwise_dtw_scores`, the score the
classifier uses) is a precomputed affinity for scikit-learn's clustering.
Here a Skip-Pose embedder is trained without labels on JHMDB split 1's
training clips, and its 268 test clips are clustered into as many groups as
JHMDB has actions (21). The labels only judge the result afterwards:
the adjusted Rand index and the normalised mutual information between the
clusters and the actions (0 for a random grouping, 1 for the actions
themselves). A last cell clusters from a sparse k-nearest-neighbour graph
instead of the full matrix, as a collection too large for every pair would
need.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import AgglomerativeClustering, SpectralClustering
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.pipeline import make_pipeline

from sklearn_skippose import (
    DTWNeighborsIndex,
    PCAEmbedder,
    PoseNormalizer,
    SequenceWhitener,
    SkipPoseEmbedder,
)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.metrics import pairwise_dtw_scores
from sklearn_skippose.plotting import plot_poses

jhmdb = load_jhmdb()
tr, te = np.flatnonzero(jhmdb.splits[:, 0] == 1), np.flatnonzero(jhmdb.splits[:, 0] == 2)
n_actions = len(jhmdb.target_names)


def test_features(embedder):
    """Whitened embeddings of the test clips, the embedder fitted without labels."""
    features = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"), embedder,
                             SequenceWhitener()).fit(jhmdb.data[tr])  # no labels
    return features.transform(jhmdb.data[te])


Z = {"Skip-Pose": test_features(SkipPoseEmbedder(max_epochs=30, random_state=0)),
     "PCA": test_features(PCAEmbedder(window=4))}
# mean cosine similarity along the DTW path, for every pair of test clips
S = {name: pairwise_dtw_scores(z, aggregate="mean") for name, z in Z.items()}

# %%
# Two clusterings of each similarity matrix: spectral clustering on the
# affinity ``(1 + score) / 2`` (scores are mean cosines, in [-1, 1]), and
# average-linkage agglomerative clustering on the distance ``1 - score``.
y = jhmdb.target[te]
print(f"{'features':<10}{'clustering':<14}{'ARI':>7}{'NMI':>7}")
clusters = {}
for name, s in S.items():
    s = (s + s.T) / 2  # symmetric up to float32 rounding
    for method, model in [
        ("spectral", SpectralClustering(n_actions, affinity="precomputed", random_state=0)),
        ("agglomerative", AgglomerativeClustering(n_actions, metric="precomputed",
                                                  linkage="average")),
    ]:
        X = (1 + s) / 2 if method == "spectral" else np.clip(1 - s, 0, None)
        labels = model.fit_predict(X)
        clusters[name, method] = labels
        print(f"{name:<10}{method:<14}{adjusted_rand_score(y, labels):7.3f}"
              f"{normalized_mutual_info_score(y, labels):7.3f}")

# %%
# Without the full matrix: a sparse neighbour graph
# -------------------------------------------------
# Every pair of 268 clips is a small matrix; for a large collection it is
# not. :meth:`~sklearn_skippose.DTWNeighborsIndex.kneighbors_graph` keeps
# only each clip's ten most similar clips, as a sparse matrix of distances
# ``1 - score`` (memory linear in the number of clips; the queries are
# scored block by block), and spectral clustering builds its affinity from
# that graph alone (``affinity="precomputed_nearest_neighbors"``). In a
# pipeline, :class:`~sklearn_skippose.DTWNeighborsTransformer` is the same
# graph as a step.
for name, z in Z.items():
    graph = DTWNeighborsIndex(n_neighbors=10).fit(z).kneighbors_graph(mode="distance")
    model = SpectralClustering(n_actions, affinity="precomputed_nearest_neighbors",
                               n_neighbors=10, random_state=0)
    labels = model.fit_predict(graph)
    print(f"{name:<10}{'10-NN graph':<14}{adjusted_rand_score(y, labels):7.3f}"
          f"{normalized_mutual_info_score(y, labels):7.3f}"
          f"   ({graph.nnz} of {graph.shape[0] ** 2} pairs)")

# %%
# What a cluster holds
# --------------------
# The three largest spectral clusters of the Skip-Pose similarities: four
# of their clips each, with the action each clip really shows.
poses = PoseNormalizer(mode="first_pose_isotropic").fit_transform(jhmdb.data)
labels = clusters["Skip-Pose", "spectral"]
largest = np.argsort(-np.bincount(labels))[:3]
fig, axes = plt.subplots(4, 3, figsize=(9, 6))
for col, c in enumerate(largest):
    members = np.flatnonzero(labels == c)
    axes[0, col].set_title(f"cluster {c} ({len(members)} clips)", fontsize=9)
    for row, i in enumerate(members[:4]):
        plot_poses(poses[te[i]], n_poses=4, ax=axes[row, col])
        axes[row, col].text(0.5, -0.05, jhmdb.target_names[y[i]], fontsize=7,
                            ha="center", va="top", transform=axes[row, col].transAxes)
fig.tight_layout()
plt.show()
