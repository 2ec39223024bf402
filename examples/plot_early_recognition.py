"""
Recognising an action before it ends
====================================

A camera streams poses and the action should be named while it is still
going on: only the first part of each test clip has been seen. This example
(beyond the paper) classifies JHMDB split 1's test clips from their first
10 % to 100 % of frames, three ways, with the embedders trained (without
labels) on the training clips:

* **whole clips**: the usual DTW 1-NN. The partial clip must be aligned
  from end to end with whole dictionary clips, so its missing end is
  charged against every one of them.
* **prefix dictionary**: every dictionary clip is also registered cut to a
  quarter, a half and three quarters of its frames, so that a partial clip
  finds dictionary clips cut at about the same point.
* **subsequence search**: :class:`~sklearn_skippose.DTWSubsequenceIndex`
  aligns the partial clip with the best-matching stretch of any dictionary
  clip (the stretch may start and end anywhere), and the clip holding the
  best stretch names the action.

The normalisation is the first-pose isotropic one, which needs only the
first pose: a partial clip is normalised exactly as the whole clip would
be, so nothing from the unseen frames leaks in.
"""

# %%
# Data, features and the cut clips
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_skippose import (
    DTWNearestNeighbors,
    DTWSubsequenceIndex,
    PCAEmbedder,
    PoseNormalizer,
    SequenceWhitener,
    SkipPoseEmbedder,
    mirror_poses,
)
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.metrics import mean_per_class_accuracy

jhmdb = load_jhmdb()
train, test = jhmdb.splits[:, 0] == 1, jhmdb.splits[:, 0] == 2
X_test, y_test = jhmdb.data[test], jhmdb.target[test]
# the dictionary: the training clips and their left-right mirrors
X_dict = np.concatenate([jhmdb.data[train], mirror_poses(jhmdb.data[train])])
y_dict = np.concatenate([jhmdb.target[train]] * 2)
WINDOW = 4


def first_part(X, fraction):
    """The clips of ``X`` cut after ``fraction`` of their frames (at least
    one window of real poses kept); the rest becomes padding."""
    out = X.copy()
    real = ~np.isnan(X).all(axis=2)
    for i, frames in enumerate(real):
        first, last = np.flatnonzero(frames)[[0, -1]]
        keep = max(first + WINDOW, int(np.ceil(fraction * (last + 1))))
        out[i, keep:] = np.nan
    return out


fractions = [0.1, 0.25, 0.5, 0.75, 1.0]
cuts = [0.25, 0.5, 0.75, 1.0]  # the prefix dictionary's cuts
embedders = {
    "PCA": PCAEmbedder(window=WINDOW),
    "Skip-Pose": SkipPoseEmbedder(window=WINDOW, max_epochs=30, random_state=0),
}

# %%
# Accuracy against the part of the clip seen
# -------------------------------------------
accuracy = {}
for name, embedder in embedders.items():
    features = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"), embedder,
                             SequenceWhitener()).fit(jhmdb.data[train])
    Z_dict = features.transform(X_dict)
    whole = DTWNearestNeighbors().fit(Z_dict, y_dict)
    prefixes = DTWNearestNeighbors().fit(Z_dict, y_dict)
    for cut in cuts[:-1]:
        prefixes.partial_fit(features.transform(first_part(X_dict, cut)), y_dict)
    stretches = DTWSubsequenceIndex(n_matches=1).fit(Z_dict)
    for fraction in fractions:
        Z = features.transform(first_part(X_test, fraction))
        best = [stretches.search(z[None]).sequence[0] for z in Z]
        for way, y_pred in [("whole clips", whole.predict(Z)),
                            ("prefix dictionary", prefixes.predict(Z)),
                            ("subsequence search", y_dict[best])]:
            accuracy.setdefault((name, way), []).append(
                100 * mean_per_class_accuracy(y_test, y_pred))

print("mean per-class accuracy (%) with the first part of each test clip seen")
print(f"{'':30s}" + "".join(f"{f:>7.0%}" for f in fractions))
for (name, way), acc in accuracy.items():
    print(f"{name + ', ' + way:30s}" + "".join(f"{a:7.1f}" for a in acc))

# %%
# Aligned from end to end with whole clips, the first few frames of a clip
# name its action far less often than with the other two ways: the DTW path
# must still cross every dictionary clip to its end. Registering cut copies
# of the dictionary clips, or searching for the best stretch anywhere in
# them, wins much of that back without any change to the embedders. Once
# the whole clip has been seen, the cut copies get in the way (they compete
# with the whole clips), while the subsequence search stays close to the
# whole-clip classifier; it also needs no guess of where clips will be cut.
# One split and one seed: differences of a point or two are within what the
# draw of test clips moves.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
for ax, name in zip(axes, embedders):
    for (method, way), acc in accuracy.items():
        if method == name:
            ax.plot([100 * f for f in fractions], acc, marker="o", label=way)
    ax.set_title(name)
    ax.set_xlabel("part of the test clip seen (%)")
axes[0].set_ylabel("mean per-class accuracy (%)")
axes[0].legend()
fig.tight_layout()
plt.show()
