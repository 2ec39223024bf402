"""
Figure 8: accuracy against the fraction of registered dictionary clips
======================================================================

The embedders are trained once on all training clips of JHMDB split 1
(without labels); only a random fraction of the training clips is then
registered, with labels, in the DTW nearest-neighbour dictionary.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sklearn_skippose import (
    DTWNearestNeighbors,
    PCAEmbedder,
    PoseNormalizer,
    SequenceWhitener,
    SkipPoseEmbedder,
)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.metrics import mean_per_class_accuracy
from sklearn.pipeline import make_pipeline

jhmdb = load_jhmdb()
tr, te = jhmdb.splits[:, 0] == 1, jhmdb.splits[:, 0] == 2
X, y = jhmdb.data, jhmdb.target
ratios = [0.1, 0.25, 0.5, 0.75, 1.0]
rng = np.random.default_rng(0)
curves = {}
for name, emb in [("PCA", PCAEmbedder()),
                  ("Skip-Pose", SkipPoseEmbedder(max_epochs=30, random_state=0))]:
    feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"), emb,
                         SequenceWhitener()).fit(X[tr])
    Ztr, Zte = feat.transform(X[tr]), feat.transform(X[te])
    curves[name] = []
    for r in ratios:
        keep = rng.permutation(len(Ztr))[: max(21, int(r * len(Ztr)))]
        clf = DTWNearestNeighbors().fit(Ztr[keep], y[tr][keep])
        curves[name].append(100 * mean_per_class_accuracy(y[te], clf.predict(Zte)))
    print(name, [f"{a:.1f}" for a in curves[name]])

# %%
fig, ax = plt.subplots(figsize=(5, 3.5))
for name, acc in curves.items():
    ax.plot(ratios, acc, marker="o", label=name)
ax.set_xlabel("fraction of training clips registered")
ax.set_ylabel("mean per-class accuracy (%)")
ax.legend()
plt.show()
