"""
Figure 5: motion capture seen from random cameras
=================================================

The paper augments JHMDB's few thousand training windows with Human3.6M's
3D motion capture, projected to 2D from cameras placed at random around the
actor (its Figure 5). This example shows one 3D pose, the same pose seen by
several random cameras, and what
:class:`~sklearn_skippose.MocapProjection` streams into training: whole
windows of projected motion, normalised like the real clips.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sklearn_skippose import MocapProjection, PoseNormalizer
from sklearn_skippose.augmentation import project_poses
from sklearn_skippose.datasets import JHMDB_SKELETON, load_h36m
from sklearn_skippose.plotting import plot_poses

h36m = load_h36m(subjects=["S1"], actions=["walking"], joints="jhmdb")
recording = h36m.sequences[0]  # (n_frames, 15, 3), millimetres, z up
print(f"{h36m.names[0]}: {len(recording)} frames at {h36m.fps} Hz, "
      f"JHMDB's {recording.shape[1]} joints in 3D")

# %%
# (a) One pose in 3D
# ------------------
pose = recording[100]
fig = plt.figure(figsize=(4, 4))
ax = fig.add_subplot(projection="3d")
for a, b in JHMDB_SKELETON:
    ax.plot(*pose[[a, b]].T, color="k")
lo, hi = pose.min(axis=0), pose.max(axis=0)
half = (hi - lo).max() / 2  # equal scales on the three axes
for setter, mid in zip((ax.set_xlim, ax.set_ylim, ax.set_zlim), (lo + hi) / 2):
    setter(mid - half, mid + half)
ax.set(xticklabels=[], yticklabels=[], zticklabels=[], title="frame 100, 3D")
ax.view_init(elev=15, azim=-60)

# %%
# (b) The same pose from random cameras
# -------------------------------------
# :func:`~sklearn_skippose.augmentation.project_poses` is a pinhole camera
# looking at the actor. ``MocapProjection`` draws the camera's azimuth,
# elevation (degrees), distance (millimetres) and focal length (pixels) for
# every sample from its ranges; here eight cameras drawn from the same
# ranges see frame 100, at the JHMDB frame size of 320 x 240 pixels.
aug = MocapProjection(n_samples=20_000, subjects=["S1"],
                      normalizer_mode="first_pose_isotropic", random_state=0)
for name in ("azimuth_range", "elevation_range", "distance_range", "focal_range"):
    print(f"{name:>15s}: {getattr(aug, name)}")
rng = np.random.default_rng(0)
n = 8
azimuth = np.deg2rad(rng.uniform(*aug.azimuth_range, n))
elevation = np.deg2rad(rng.uniform(*aug.elevation_range, n))
distance = rng.uniform(*aug.distance_range, n)
focal = rng.uniform(*aug.focal_range, n)
views = project_poses(np.repeat(pose[None, None], n, axis=0).astype(np.float64), azimuth,
                      elevation, distance, focal, np.tile([160.0, 120.0], (n, 1)))[:, 0]
fig, axes = plt.subplots(1, n, figsize=(10, 2.2))
for ax, uv, az, el in zip(axes, views, azimuth, elevation):
    plot_poses(uv[None], n_poses=1, ax=ax)
    deg = "\N{DEGREE SIGN}"
    ax.set_title(f"{round(np.rad2deg(az))}{deg} / {round(np.rad2deg(el))}{deg}", fontsize=8)
fig.suptitle("azimuth / elevation of the camera", fontsize=9)
fig.tight_layout()

# %%
# (c) Training windows, as the embedder sees them
# -----------------------------------------------
# ``MocapProjection.sample`` cuts windows (here triplets of T = 4 frames,
# 12 frames in all) from random recordings, each from its own random camera
# and offset, and normalises them with the real clips'
# :class:`~sklearn_skippose.PoseNormalizer` mode. The embedder trains on
# these next to the real JHMDB windows; no label is involved.
x, mask = aug.sample(4, 12)
print(f"windows {x.shape}, observed keypoints {mask.mean():.1%}")
fig, axes = plt.subplots(4, 1, figsize=(8, 6))
for ax, window in zip(axes, x):
    plot_poses(window, n_poses=12, ax=ax)
fig.suptitle("four generated training samples (12 frames each)", fontsize=9)

# %%
# For comparison, a real JHMDB clip after the same normalisation:
from sklearn_skippose.datasets import load_jhmdb  # noqa: E402

jhmdb = load_jhmdb(classes=["walk"])
clip = PoseNormalizer(mode="first_pose_isotropic").fit_transform(jhmdb.data[:1])[0]
fig, ax = plt.subplots(figsize=(8, 1.6))
plot_poses(clip, n_poses=12, ax=ax)
ax.set_title("JHMDB, walk", fontsize=9)
plt.show()
