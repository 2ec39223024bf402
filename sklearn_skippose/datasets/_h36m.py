"""Human3.6M 3D joint positions (Ionescu et al., TPAMI 2014)."""

import numpy as np
from sklearn.utils import Bunch

from ._base import get_data_home, missing_data_error
from ._jhmdb import JHMDB_JOINT_NAMES

__all__ = ["load_h36m", "h36m_to_jhmdb", "H36M_JOINT_NAMES"]

#: The 17 Human3.6M joints, in the order of the bundled file.
H36M_JOINT_NAMES = (
    "hip",
    "right_hip",
    "right_knee",
    "right_foot",
    "left_hip",
    "left_knee",
    "left_foot",
    "spine",
    "thorax",
    "neck_nose",
    "head",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
    "right_shoulder",
    "right_elbow",
    "right_wrist",
)

BUNDLE_NAME = "h36m_pos3d_17j_25hz.npz"

# Each JHMDB joint as a weighted mean of Human3.6M joints.
#   neck  = thorax (base of the neck, between the shoulders)
#   belly = midpoint of hip (pelvis) and spine: JHMDB's belly sits on the
#           lower torso, H36M's spine is at mid torso
#   face  = midpoint of neck_nose and head (the face centre; H36M's head is
#           the top of the head, neck_nose the nose)
_JHMDB_FROM_H36M = {
    "neck": {"thorax": 1.0},
    "belly": {"hip": 0.5, "spine": 0.5},
    "face": {"neck_nose": 0.5, "head": 0.5},
    "right_shoulder": {"right_shoulder": 1.0},
    "left_shoulder": {"left_shoulder": 1.0},
    "right_hip": {"right_hip": 1.0},
    "left_hip": {"left_hip": 1.0},
    "right_elbow": {"right_elbow": 1.0},
    "left_elbow": {"left_elbow": 1.0},
    "right_knee": {"right_knee": 1.0},
    "left_knee": {"left_knee": 1.0},
    "right_wrist": {"right_wrist": 1.0},
    "left_wrist": {"left_wrist": 1.0},
    "right_ankle": {"right_foot": 1.0},
    "left_ankle": {"left_foot": 1.0},
}


def _mapping_matrix():
    W = np.zeros((len(JHMDB_JOINT_NAMES), len(H36M_JOINT_NAMES)))
    for i, name in enumerate(JHMDB_JOINT_NAMES):
        for src, w in _JHMDB_FROM_H36M[name].items():
            W[i, H36M_JOINT_NAMES.index(src)] = w
    return W


_H36M_TO_JHMDB = _mapping_matrix()


def h36m_to_jhmdb(poses):
    """Map Human3.6M 17-joint poses to the 15-joint JHMDB puppet.

    Shoulders, hips, elbows, knees, wrists map one to one (H36M feet become
    JHMDB ankles). The three joints JHMDB defines differently are derived:
    ``neck = thorax``, ``belly = (hip + spine) / 2``,
    ``face = (neck_nose + head) / 2``.

    Parameters
    ----------
    poses : array-like of shape (..., 17, D)
        Joint positions in H36M order (any leading axes, any coordinate
        dimension ``D``, e.g. 3 for 3D or 2 for projected poses).

    Returns
    -------
    jhmdb_poses : ndarray of shape (..., 15, D)
        Joint positions in JHMDB puppet order (:data:`JHMDB_JOINT_NAMES`).

    Examples
    --------
    >>> import numpy as np
    >>> h36m_to_jhmdb(np.zeros((10, 17, 3))).shape
    (10, 15, 3)
    """
    poses = np.asarray(poses)
    if poses.ndim < 2 or poses.shape[-2] != len(H36M_JOINT_NAMES):
        raise ValueError(
            f"Expected Human3.6M poses of shape (..., 17, D); got {poses.shape}."
        )
    return np.einsum("jk,...kd->...jd", _H36M_TO_JHMDB.astype(poses.dtype), poses)


def load_h36m(data_home=None, *, subjects=None, actions=None, joints="h36m"):
    """Load the Human3.6M 3D joint recordings used for augmentation.

    Recordings are minutes long and their lengths differ by an order of
    magnitude, so they are returned as a list of arrays rather than one
    NaN-padded block (which would be mostly padding).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``h36m/h36m_pos3d_17j_25hz.npz`` (or the file itself's
        folder). Falls back to ``$SKIPPOSE_DATA``, then a per-user folder.
    subjects : list of str, default=None
        Keep only these subjects (e.g. ``["S1", "S5"]``); all by default.
    actions : list of str, default=None
        Keep only these actions (e.g. ``["walking"]``); all by default.
    joints : {"h36m", "jhmdb"}, default="h36m"
        ``"jhmdb"`` maps every pose to the 15-joint JHMDB puppet with
        :func:`h36m_to_jhmdb`.

    Returns
    -------
    bunch : :class:`~sklearn.utils.Bunch`
        ``sequences``: list of float32 arrays (T_i, n_joints, 3), millimetres,
        z up, root at the origin; ``names`` (``"S1/walking_1"``, ...);
        ``subjects``; ``actions``; ``joint_names``; ``fps`` (25); ``DESCR``.

    Examples
    --------
    >>> from sklearn_skippose.datasets import load_h36m
    >>> h36m = load_h36m(subjects=["S1"], joints="jhmdb")  # doctest: +SKIP
    >>> h36m.sequences[0].shape[1:]  # doctest: +SKIP
    (15, 3)
    """
    if joints not in ("h36m", "jhmdb"):
        raise ValueError(f"joints must be 'h36m' or 'jhmdb', got {joints!r}.")
    base = get_data_home(data_home)
    candidates = [base / "h36m", base]
    path = next((c / BUNDLE_NAME for c in candidates if (c / BUNDLE_NAME).is_file()), None)
    if path is None:
        raise missing_data_error(
            "Human3.6M",
            candidates,
            f"Expected '<folder>/h36m/{BUNDLE_NAME}' (a .npz mapping "
            "'S1/walking_1' to (T, 17, 3) float arrays in millimetres). "
            "Human3.6M is distributed by its authors after registration; "
            "convert the 3D joint positions to that file.",
        )
    seqs, keys = [], []
    try:
        with np.load(path, allow_pickle=False) as z:
            for key in sorted(z.files):
                subject, _, action = key.partition("/")
                action_name = action.rsplit("_", 1)[0]
                if subjects is not None and subject not in subjects:
                    continue
                if actions is not None and action_name not in actions:
                    continue
                arr = np.asarray(z[key], dtype=np.float32)
                if arr.ndim != 3 or arr.shape[1:] != (17, 3):
                    raise ValueError(
                        f"Malformed Human3.6M file {path}: {key} has shape "
                        f"{arr.shape}, expected (T, 17, 3)."
                    )
                seqs.append(arr)
                keys.append(key)
    except (OSError, KeyError) as exc:
        raise ValueError(f"Malformed Human3.6M file {path}: {exc}") from None
    if not seqs:
        raise ValueError(
            f"No Human3.6M recording matches subjects={subjects!r}, actions={actions!r}."
        )
    names = H36M_JOINT_NAMES
    if joints == "jhmdb":
        seqs = [h36m_to_jhmdb(s) for s in seqs]
        names = JHMDB_JOINT_NAMES
    subj = [k.partition("/")[0] for k in keys]
    acts = [k.partition("/")[2].rsplit("_", 1)[0] for k in keys]
    n_frames = sum(len(s) for s in seqs)
    return Bunch(
        sequences=seqs,
        names=keys,
        subjects=subj,
        actions=acts,
        joint_names=list(names),
        fps=25,
        DESCR=(
            f"Human3.6M 3D joints from {path}: {len(seqs)} recordings, "
            f"{n_frames} frames at 25 Hz, {len(names)} joints ({joints})."
        ),
    )
