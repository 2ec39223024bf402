"""
Similarity map and DTW path between two JHMDB clips
===================================================

The paper's Figure 4 on raw normalised poses: the cosine-similarity map between
the time steps of a query clip and its nearest dictionary clip, with the
optimal DTW path drawn over it.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sklearn_skippose import DTWNearestNeighbors, PoseNormalizer
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.metrics import dtw_alignment

jhmdb = load_jhmdb()
X = np.nan_to_num(PoseNormalizer().fit_transform(jhmdb.data))
X[np.arange(X.shape[1])[None, :] >= jhmdb.lengths[:, None]] = np.nan
train = jhmdb.splits[:, 0] == 1
test = np.flatnonzero(jhmdb.splits[:, 0] == 2)

# %%
clf = DTWNearestNeighbors(aggregate="mean").fit(X[train], jhmdb.target[train])
q = test[0]
scores, idx = clf.kneighbors(X[q : q + 1], n_neighbors=1)
d = np.flatnonzero(train)[idx[0, 0]]
r = dtw_alignment(X[q], X[d], aggregate="mean")
print(f"query: {jhmdb.target_names[jhmdb.target[q]]}, "
      f"nearest: {jhmdb.target_names[jhmdb.target[d]]}, score {r.score:.3f}")

# %%
fig, ax = plt.subplots(figsize=(5, 4))
ax.imshow(r.similarity, cmap="gray", vmin=-1, vmax=1)
ax.plot(r.path[:, 1], r.path[:, 0], color="red")
ax.set_xlabel("dictionary time step")
ax.set_ylabel("query time step")
plt.show()
