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
from sklearn_skippose.metrics import dtw_alignment
from sklearn_skippose.plotting import plot_poses

jhmdb = load_jhmdb()
tr, te = np.flatnonzero(jhmdb.splits[:, 0] == 1), np.flatnonzero(jhmdb.splits[:, 0] == 2)
feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"),
                     SkipPoseEmbedder(max_epochs=30, random_state=0),
                     SequenceWhitener()).fit(jhmdb.data[tr])
Ztr, Zte = feat.transform(jhmdb.data[tr]), feat.transform(jhmdb.data[te])
clf = DTWNearestNeighbors(aggregate="mean").fit(Ztr, jhmdb.target[tr])
poses = PoseNormalizer(mode="first_pose_isotropic").fit_transform(jhmdb.data)

# %%
for q in te[[0, 60, 150]]:
    zq = Zte[np.searchsorted(te, q)]
    _, idx = clf.kneighbors(zq[None], n_neighbors=1)
    d = tr[idx[0, 0]]
    lq = int(np.sum(~np.isnan(zq[:, 0])))
    zd = Ztr[idx[0, 0]]
    ld = int(np.sum(~np.isnan(zd[:, 0])))
    r = dtw_alignment(zq[:lq], zd[:ld], aggregate="mean")
    fig = plt.figure(figsize=(7, 6))
    ax = fig.add_axes([0.3, 0.08, 0.65, 0.65])
    ax.imshow(r.similarity, cmap="gray", aspect="auto")
    ax.plot(r.path[:, 1], r.path[:, 0], color="red")
    ax.set_xlabel(f"dictionary window ({jhmdb.target_names[jhmdb.target[d]]})")
    ax.set_ylabel(f"query window ({jhmdb.target_names[jhmdb.target[q]]})")
    plot_poses(poses[d], n_poses=6, ax=fig.add_axes([0.3, 0.76, 0.65, 0.2]))
    plot_poses(poses[q], n_poses=5, ax=fig.add_axes([0.02, 0.08, 0.16, 0.65]),
               orientation="vertical")
    fig.suptitle(f"score {r.score:.3f}", fontsize=9)
plt.show()
