"""
Table 1: embeddings compared at several window lengths
======================================================

The paper's Table 1 on JHMDB split 1: PCA, the autoencoder, Skip-Pose
without the past decoder, Skip-Pose, and Skip-Pose trained with Human3.6M
projections, for windows ``T`` in {2, 4, 6}. Every embedder is trained on the
training clips without labels; the training clips are the dictionary of a
DTW 1-NN classifier; the score is mean per-class accuracy on the test clips.

The augmented row is the paper's (Human3.6M projections only, ``jitter=False``;
``skippose evaluate`` adds :class:`~sklearn_skippose.PoseJitter` by
default). The training clips and their left-right mirrors are the dictionary
(``mirror=True``, the default), for every method alike.

To keep the documentation build short this runs on split 1 with at most 10
epochs and 5,000 augmented samples per epoch; ``skippose evaluate`` runs the
full protocol over the three splits (see the results page).
"""

# %%
from sklearn_skippose.evaluation import evaluate_jhmdb

windows = [2, 4, 6]
methods = ["pca", "ae", "skippose-nopast", "skippose", "skippose-aug"]
table = {}
for T in windows:
    res = evaluate_jhmdb(methods=methods, splits=[1], window=T, max_epochs=10,
                         augment=5000, jitter=False, verbose=False)
    for r in res["results"]:
        table[(r["method"], T)] = 100 * r["accuracy"]

# %%
# The measured table beside the paper's (full JHMDB, mean over three splits;
# our data is the 804-clip ground-truth subset, split 1 only here).
paper = {
    "pca": [55.6, 55.5, 55.2],
    "ae": [58.7, 58.5, 55.4],
    "skippose-nopast": [59.1, 56.7, 54.6],
    "skippose": [60.9, 61.0, 57.6],
    "skippose-aug": [60.7, 61.6, 61.1],
}
print(f"{'method':<16s}" + "".join(f"   T={T} ours/paper" for T in windows))
for m in methods:
    cells = "".join(f"   {table[(m, T)]:5.1f} / {p:4.1f}  " for T, p in zip(windows, paper[m]))
    print(f"{m:<16s}{cells}")

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3.5))
for m in methods:
    ax.plot(windows, [table[(m, T)] for T in windows], marker="o", label=m)
ax.set_xlabel("window length T")
ax.set_ylabel("mean per-class accuracy (%)")
ax.set_xticks(windows)
ax.legend(fontsize=8)
plt.show()
