"""
What Skip-Pose reconstructs
===========================

Skip-Pose learns its embedding by reconstructing the past and the future
window of every triplet from the current window's encoding. This example
trains it on JHMDB split 1's training clips (no labels, no augmentation)
and, for a test triplet with fast motion, draws the true past, current and
future windows beside the decoders' reconstructions and beside the
simplest guess: the current window's first frame repeated into the past
and its last frame into the future.

At 30 frames per second the neighbouring windows are mostly the current
pose, and the trained decoders reproduce about that pose: over all test
triplets their error is above the repeated frame's
(``benchmarks/reconstruction_baselines.py``; results page, "What the
objective asks of the encoder").
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_skippose import PoseNormalizer, SkipPoseEmbedder
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.plotting import plot_poses
from sklearn_skippose.utils import sequence_lengths

jhmdb = load_jhmdb()
tr, te = jhmdb.splits[:, 0] == 1, jhmdb.splits[:, 0] == 2
normalizer = PoseNormalizer(mode="first_pose_isotropic")
X_train, X_test = normalizer.fit_transform(jhmdb.data[tr]), normalizer.transform(jhmdb.data[te])
window = 4
emb = SkipPoseEmbedder(window=window, max_epochs=30, random_state=0).fit(X_train)
print(f"trained {emb.n_epochs_} epochs; reconstruction error on the test clips "
      f"{-emb.score(X_test):.4f}")

# %%
# A test triplet with fast motion, chosen without labels: the 90th
# percentile of the mean frame-to-frame displacement over all test triplets
# (the very fastest are mostly the whole body moving across the frame).
span = 3 * window
candidates = []
for i, (clip, n) in enumerate(zip(X_test, sequence_lengths(X_test))):
    steps = np.nan_to_num(np.abs(np.diff(clip[:n], axis=0))).mean(axis=1)
    candidates += [(steps[s:s + span - 1].mean(), i, s) for s in range(n - span + 1)]
candidates.sort()
_, i, start = candidates[int(0.9 * len(candidates))]
triplet = X_test[i, start:start + span]
print(f"test clip {i} ({jhmdb.target_names[jhmdb.target[te][i]]}), frames {start} to "
      f"{start + span - 1}")

# %%
# The decoders' output for that triplet (``module_`` is the trained
# :class:`~sklearn_skippose.embedding.SkipPoseNet`; missing keypoints are
# zeroed and masked as in training).
x = torch.tensor(np.nan_to_num(triplet)[None], dtype=torch.float32)
m = torch.tensor(~np.isnan(triplet)[None], dtype=torch.float32)
with torch.no_grad():
    past, future, _ = emb.module_.reconstruct(x, m)
past, future = past[0].numpy(), future[0].numpy()
current = triplet[window:2 * window]
copy_past = np.repeat(current[:1], window, axis=0)
copy_future = np.repeat(current[-1:], window, axis=0)
truth = np.concatenate([triplet[:window], triplet[2 * window:]])
for name, guess in (("Skip-Pose decoders", np.concatenate([past, future])),
                    ("repeated nearest frame", np.concatenate([copy_past, copy_future]))):
    seen = ~np.isnan(truth)
    print(f"{name:>24s}: squared error {np.mean((guess[seen] - truth[seen]) ** 2):.4f}")

# %%
# Rows: the true frames (past | current | future); the decoders' past and
# future around the current window; the repeated nearest frame.
rows = {"true": triplet,
        "Skip-Pose": np.concatenate([past, current, future]),
        "repeated frame": np.concatenate([copy_past, current, copy_future])}
fig, axes = plt.subplots(3, 1, figsize=(9, 5))
for ax, (name, poses) in zip(axes, rows.items()):
    plot_poses(poses, n_poses=span, ax=ax, spacing=2.0)
    ax.set_title(name, fontsize=9)
fig.tight_layout()
plt.show()
