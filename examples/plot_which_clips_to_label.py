"""
Few labels: which clips to label first
======================================

The embedders learn without labels, and the DTW nearest-neighbour
classifier needs labels only for its dictionary. With a budget of ``B``
labels, which of the unlabelled training clips should a person label?
This example compares picking them at random with picking the medoids of
``B`` clusters of the clips' DTW similarities (average-linkage
agglomerative clustering on ``1 - score``; a medoid is the clip with the
smallest total distance to the rest of its cluster), on the three official
JHMDB splits. The selection sees no label: only the labelled clips (and
their mirrors) form the dictionary, and the test clips are classified by
1-NN.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.pipeline import make_pipeline

from sklearn_skippose import PCAEmbedder, PoseNormalizer, SequenceWhitener, mirror_poses
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.metrics import mean_per_class_accuracy, pairwise_dtw_scores

jhmdb = load_jhmdb()
X, y = jhmdb.data, jhmdb.target
budgets = [21, 42, 84, 168]  # 1, 2, 4, 8 labels per class on average
n_draws = 10


def medoids(D, n_clusters):
    """The medoid of each of ``n_clusters`` average-linkage clusters of ``D``."""
    labels = AgglomerativeClustering(n_clusters=n_clusters, metric="precomputed",
                                     linkage="average").fit_predict(D)
    out = []
    for c in range(n_clusters):
        members = np.flatnonzero(labels == c)
        out.append(members[np.argmin(D[np.ix_(members, members)].sum(axis=1))])
    return np.array(out)


# %%
# Scores first: every training clip against every other (for the clusters),
# and every test clip against every training clip and its mirror (the
# dictionary, whichever clips get labelled). PCA window features keep this
# fast; a fitted Skip-Pose pipeline drops in.
random_acc = np.zeros((3, len(budgets), n_draws))
medoid_acc = np.zeros((3, len(budgets)))
for s in range(3):
    tr, te = np.flatnonzero(jhmdb.splits[:, s] == 1), np.flatnonzero(jhmdb.splits[:, s] == 2)
    features = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"), PCAEmbedder(),
                             SequenceWhitener()).fit(X[tr])
    Z_tr, Z_te = features.transform(X[tr]), features.transform(X[te])
    S_pool = pairwise_dtw_scores(Z_tr, aggregate="mean")
    D = 1 - (S_pool + S_pool.T) / 2  # the DTW score is not exactly symmetric
    np.fill_diagonal(D, 0.0)
    S_test = pairwise_dtw_scores(
        Z_te, np.concatenate([Z_tr, features.transform(mirror_poses(X[tr]))]), aggregate="mean")
    S_test = np.maximum(S_test[:, :len(tr)], S_test[:, len(tr):])  # a clip or its mirror

    def accuracy(labelled):
        nearest = labelled[np.argmax(S_test[:, labelled], axis=1)]
        return mean_per_class_accuracy(y[te], y[tr][nearest])

    rng = np.random.default_rng(0)
    for b, budget in enumerate(budgets):
        medoid_acc[s, b] = accuracy(medoids(D, budget))
        random_acc[s, b] = [accuracy(rng.choice(len(tr), budget, replace=False))
                            for _ in range(n_draws)]

# %%
# Mean per-class accuracy (%), mean over the three splits (random: also over
# the draws, with the standard deviation across draws of the three-split mean).
per_draw = 100 * random_acc.mean(axis=0)  # (budgets, draws)
print(f"{'labels':>6s} {'random':>14s} {'medoids':>8s}")
for b, budget in enumerate(budgets):
    print(f"{budget:6d} {per_draw[b].mean():7.1f} +- {per_draw[b].std():4.1f} "
          f"{100 * medoid_acc[:, b].mean():8.1f}")
for s in range(3):
    print(f"split {s + 1}: medoids minus random "
          + ", ".join(f"{100 * (medoid_acc[s, b] - random_acc[s, b].mean()):+.1f}"
                      for b in range(len(budgets))))

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.errorbar(budgets, per_draw.mean(axis=1), yerr=per_draw.std(axis=1), marker="o",
            capsize=3, label=f"random ({n_draws} draws)")
ax.plot(budgets, 100 * medoid_acc.mean(axis=0), marker="s", label="cluster medoids")
ax.set(xscale="log", xticks=budgets, xticklabels=[str(b) for b in budgets],
       xlabel="labelled training clips", ylabel="mean per-class accuracy (%)")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The medoids cover the kinds of motion in the pool, where a random draw may
# label several clips of a common motion and none of a rare one. On the
# development machine (the table above) they were ahead of the average
# random draw at every budget, by 1 to 5 points of the three-split mean,
# about one standard deviation of the draws, and split 3 gained little. What
# the medoids remove is the luck of the draw: one fixed selection, at or
# above a typical random one. Neither selection uses a label, so labelling
# the medoids first and then more clips at random is always open.
