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

jhmdb = load_jhmdb()
tr, te = np.flatnonzero(jhmdb.splits[:, 0] == 1), np.flatnonzero(jhmdb.splits[:, 0] == 2)
feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"),
                     SkipPoseEmbedder(max_epochs=30, random_state=0),
                     SequenceWhitener()).fit(jhmdb.data[tr])
Ztr, Zte = feat.transform(jhmdb.data[tr]), feat.transform(jhmdb.data[te])
clf = DTWNearestNeighbors(aggregate="mean").fit(Ztr, jhmdb.target[tr])
poses = PoseNormalizer(mode="first_pose_isotropic").fit_transform(jhmdb.data)

# JHMDB puppet bones (joint indices, see datasets.JHMDB_JOINT_NAMES)
BONES = [(0, 2), (0, 1), (0, 3), (0, 4), (3, 7), (7, 11), (4, 8), (8, 12),
         (1, 5), (1, 6), (5, 9), (9, 13), (6, 10), (10, 14)]


def stick(ax, pose, x0, scale=1.0, color="k"):
    p = pose.reshape(-1, 2) * scale
    for a, b in BONES:
        if np.isfinite(p[[a, b]]).all():
            ax.plot([x0 + p[a, 0], x0 + p[b, 0]], [p[a, 1], p[b, 1]], color=color, lw=1)


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
    top = fig.add_axes([0.3, 0.76, 0.65, 0.2])
    for k, t in enumerate(np.linspace(0, ld - 1, 6).astype(int)):
        stick(top, poses[d, t], 3 * k)
    top.set_aspect("equal", adjustable="datalim")
    top.invert_yaxis()
    top.axis("off")
    left = fig.add_axes([0.02, 0.08, 0.16, 0.65])
    for k, t in enumerate(np.linspace(0, lq - 1, 5).astype(int)):
        p = poses[q, t].reshape(-1, 2)
        for a, b in BONES:
            if np.isfinite(p[[a, b]]).all():
                left.plot(p[[a, b], 0], 4 * k + p[[a, b], 1], color="k", lw=1)
    left.set_aspect("equal", adjustable="datalim")
    left.invert_yaxis()
    left.axis("off")
    fig.suptitle(f"score {r.score:.3f}", fontsize=9)
plt.show()
