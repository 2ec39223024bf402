"""
A map of motions: t-SNE on the DTW neighbour graph
==================================================

Every clip of JHMDB is placed on a plane so that clips whose motions are
alike lie close together, with no action labels anywhere. The pipeline is
the package's features, a :class:`~sklearn_skippose.DTWNeighborsTransformer`
(each clip's most similar clips under the paper's DTW similarity, as a
sparse distance graph ``1 - score``) and scikit-learn's
:class:`~sklearn.manifold.TSNE` with ``metric="precomputed"``, which reads
only that graph: memory grows linearly with the number of clips, not with
its square.

The action labels colour the map afterwards, to show what it found.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.manifold import TSNE
from sklearn.pipeline import make_pipeline

from sklearn_skippose import (
    DTWNeighborsTransformer,
    PoseNormalizer,
    SequenceWhitener,
    SkipPoseEmbedder,
)
from sklearn_skippose.datasets import load_jhmdb

jhmdb = load_jhmdb()
clips, actions = jhmdb.data, jhmdb.target

perplexity = 10
motion_map = make_pipeline(
    PoseNormalizer(mode="first_pose_isotropic"),
    SkipPoseEmbedder(max_epochs=30, random_state=0),
    SequenceWhitener(),
    # t-SNE reads 3 x perplexity + 1 neighbours per clip besides the clip itself
    DTWNeighborsTransformer(n_neighbors=3 * perplexity + 1),
    TSNE(perplexity=perplexity, metric="precomputed", init="random", random_state=0),
)
xy = motion_map.fit_transform(clips)  # no labels
print(f"{len(xy)} clips mapped; each read {3 * perplexity + 2} of the {len(clips)} clips' "
      "scores (itself included)")

# %%
# How well the map keeps actions together: the share of clips whose nearest
# clip on the map shows the same action (chance: about 5 %). JHMDB cuts
# several clips from one video, and such near-duplicates count here, so this
# describes the picture; it is not an evaluation (the gallery's search and
# classification examples keep the official splits apart).
d = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
np.fill_diagonal(d, np.inf)
print(f"nearest clip on the map shows the same action: "
      f"{np.mean(actions[d.argmin(1)] == actions):.1%}")

# %%
fig, ax = plt.subplots(figsize=(8, 7))
cmap = plt.get_cmap("tab20", len(jhmdb.target_names))
for c, name in enumerate(jhmdb.target_names):
    pts = xy[actions == c]
    ax.scatter(pts[:, 0], pts[:, 1], s=12, color=cmap(c), label=name)
    ax.annotate(name, pts.mean(0), fontsize=7, ha="center", weight="bold")
ax.set_xticks([])
ax.set_yticks([])
ax.set_title("JHMDB clips by motion (t-SNE of the DTW 31-NN graph; colour: action)")
ax.legend(fontsize=6, ncol=2, loc="lower left", markerscale=1.5)
fig.tight_layout()
plt.show()
