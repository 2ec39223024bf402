"""
Figures 4 and 9: similarity maps, DTW paths and pose thumbnails
===============================================================

For test clips of JHMDB split 1, the map of cosine similarities between the
Skip-Pose window embeddings of the query and of its nearest dictionary clip,
the optimal DTW path over it, and stick figures of the poses along both
clips.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_skippose import (
    DTWNearestNeighbors,
    PoseNormalizer,
    SequenceWhitener,
    SkipPoseEmbedder,
)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.plotting import plot_similarity_map

jhmdb = load_jhmdb()
tr, te = np.flatnonzero(jhmdb.splits[:, 0] == 1), np.flatnonzero(jhmdb.splits[:, 0] == 2)
feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"),
                     SkipPoseEmbedder(max_epochs=30, random_state=0),
                     SequenceWhitener()).fit(jhmdb.data[tr])
Ztr, Zte = feat.transform(jhmdb.data[tr]), feat.transform(jhmdb.data[te])
clf = DTWNearestNeighbors().fit(Ztr, jhmdb.target[tr])
poses = PoseNormalizer(mode="first_pose_isotropic").fit_transform(jhmdb.data)

# %%
# :func:`~sklearn_skippose.plotting.plot_similarity_map` draws the map of
# :func:`~sklearn_skippose.metrics.dtw_alignment` (the similarities the
# classifier scored the pair by), its DTW path, and the poses of both clips.
for q in te[[0, 60, 150]]:
    zq = Zte[np.searchsorted(te, q)]
    _, idx = clf.kneighbors(zq[None], n_neighbors=1)
    d = tr[idx[0, 0]]
    fig, ax = plt.subplots(figsize=(7, 6))
    plot_similarity_map(zq, Ztr[idx[0, 0]], query_poses=poses[q], reference_poses=poses[d],
                        ax=ax, labels=(f"query window ({jhmdb.target_names[jhmdb.target[q]]})",
                                       f"dictionary window "
                                       f"({jhmdb.target_names[jhmdb.target[d]]})"))
plt.show()
