"""
Finding a motion inside long recordings
=======================================

Clips are not always cut to one action. To find *where* a motion happens
in a recording minutes long,
:func:`~sklearn_skippose.metrics.dtw_subsequence_search` aligns the whole
query with the best-matching stretch of the recording ending at every frame
(subsequence DTW: the alignment may begin and end anywhere in the
recording), scores each stretch like the classifier's DTW (the mean cosine
similarity along the path), and returns the best stretches that do not
overlap.

The recordings searched are Human3.6M's for subjects S5 and S6 (54
recordings, all 15 actions), turned into what a 2D pose estimator would
give: JHMDB's 15 joints seen by one fixed camera. The queries are 2-second
stretches (50 frames at 25 Hz) of subject S1's recordings, a different
person. The embedders are fitted on the searched recordings without labels;
the action names are used only afterwards, to judge the matches.
"""

# %%
# The recordings as 2D poses
# --------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_skippose import (DTWSubsequenceIndex, PCAEmbedder, PoseNormalizer,
                              SequenceWhitener, SkipPoseEmbedder)
from sklearn_skippose.augmentation import project_poses
from sklearn_skippose.datasets import load_h36m
from sklearn_skippose.metrics import dtw_subsequence_search
from sklearn_skippose.plotting import plot_poses, plot_similarity_map


def camera_view(recording):
    """A 3D recording (T, 15, 3), mm, as (T, 30) pixels of one fixed camera."""
    one = np.ones(1)
    uv = project_poses(recording[None].astype(np.float64), azimuth=0.4 * one,
                       elevation=0.15 * one, distance=4500.0 * one, focal=500.0 * one,
                       center=np.array([[160.0, 120.0]]))
    return PoseNormalizer(mode="first_pose_isotropic").fit_transform(
        uv.reshape(1, len(recording), -1))[0]


library = load_h36m(subjects=["S5", "S6"], joints="jhmdb")
source = load_h36m(subjects=["S1"], joints="jhmdb")
recordings = [camera_view(r) for r in library.sequences]
sources = [camera_view(r) for r in source.sequences]
print(f"searched: {len(recordings)} recordings, {sum(map(len, recordings)):,} frames; "
      f"queries from {len(sources)} recordings of S1")

# %%
# Embed, then search
# ------------------
# A Skip-Pose embedder (window 4, a short training) is fitted on the
# searched recordings, then whitened. Its ``transform`` gives one vector per
# window of four poses, so a match's frames are window starts. The
# embedded recordings come back NaN-padded to the longest, the package's
# data model, which the search reads as it is.
skip_pose = make_pipeline(SkipPoseEmbedder(window=4, max_epochs=10, random_state=0),
                          SequenceWhitener()).fit(recordings)
library_sp = skip_pose.transform(recordings)
print(f"embedded: {library_sp.shape} (recordings, longest, features)")
walking = source.names.index("S1/walking_1")
query = sources[walking][200:250]
query_sp = skip_pose.transform(query[None])[0]  # (windows, features)
matches = dtw_subsequence_search(query_sp, library_sp, n_matches=5)
for s, b, e, score in zip(matches.sequence, matches.start, matches.stop, matches.score):
    print(f"{library.names[s]:<24} frames {b:5d}-{e:5d}  score {score:.3f}")

# %%
# The matching profile of the best recording: the score of the best match
# ending at every frame (NaN past the recording's end), with the matches
# found in it.
best = matches.sequence[0]
profile = matches.profile[best]
fig, ax = plt.subplots(figsize=(8, 2.5))
ax.plot(np.arange(len(profile)) / 25, profile, lw=0.8)
for s, b, e in zip(matches.sequence, matches.start, matches.stop):
    if s == best:
        ax.axvspan(b / 25, e / 25, color="tab:red", alpha=0.3)
ax.set(xlabel="seconds", ylabel="score", title=f"{library.names[best]}: matching profile")
fig.tight_layout()

# %%
# The query and its two best matches as stick figures.
fig, axes = plt.subplots(3, 1, figsize=(8, 4.5))
plot_poses(query, ax=axes[0], color="tab:red", n_poses=8)
axes[0].set_title("query: S1/walking_1, frames 200-250", fontsize=9)
for ax, s, b, e in zip(axes[1:], matches.sequence, matches.start, matches.stop):
    plot_poses(recordings[s][b : e + 3], ax=ax, n_poses=8)  # + 3: the last window's poses
    ax.set_title(f"{library.names[s]}, frames {b}-{e + 3}", fontsize=9)
fig.tight_layout()
plt.show()

# %%
# The alignment of the best match:
# :func:`~sklearn_skippose.plotting.plot_similarity_map` with the search's
# steps draws the similarity map of the query's windows (rows) with the
# stretch's (columns) and the path the search chose; its score is the match's.
start, stop = matches.start[0], matches.stop[0]
fig, ax = plt.subplots(figsize=(4.5, 4))
res = plot_similarity_map(query_sp, library_sp[best, start:stop], ax=ax, steps="bounded",
                          cmap="viridis", path_color="w",
                          labels=("query window", f"{library.names[best]}, window {start} + ..."))
fig.colorbar(res.image, ax=ax, label="cosine similarity")
ax.set_title(f"score {res.alignment.score:.3f} (search: {matches.score[0]:.3f})")
fig.tight_layout()

# %%
# How often do the matches show the query's action?
# -------------------------------------------------
# Six queries per action, at evenly spaced times in S1's two recordings of
# it (90 queries), each searching all 54 recordings; precision at 10 is the
# share of the ten best stretches cut from a recording of the query's
# action. Chance is about 1/15, and several Human3.6M actions are alike
# (walking, walking a dog, walking together; sitting and sitting down), so
# their matches count as wrong here even when the motion is the same. The
# same search on the poses themselves and on PCA windows of the same
# length, fitted the same way, for comparison. Many queries search the same
# recordings, so :class:`~sklearn_skippose.DTWSubsequenceIndex` registers
# them once (validated and packed) and every ``search`` finds what the
# function finds.
pca = make_pipeline(PCAEmbedder(window=4, n_components=64), SequenceWhitener()).fit(recordings)
queries, actions = [], []
for name, rec in zip(source.names, sources):
    for t in np.linspace(0, len(rec) - 50, 5)[1:-1].astype(int):
        queries.append(rec[t : t + 50])
        actions.append(source.actions[source.names.index(name)])
print(f"{len(queries)} queries")

for label, features in (("poses", None), ("PCA", pca), ("Skip-Pose", skip_pose)):
    lib = recordings if features is None else features.transform(recordings)
    qs = queries if features is None else features.transform(queries)
    index = DTWSubsequenceIndex(n_matches=10).fit(lib)
    hits = [np.mean([library.actions[s] == a for s in index.search(q).sequence])
            for q, a in zip(qs, actions)]
    print(f"{label:<10} precision at 10: {100 * np.mean(hits):5.1f} %")
