"""Human3.6M 3D joint positions (Ionescu et al., TPAMI 2014)."""

import numpy as np
from sklearn.utils import Bunch

from ._base import _name_list, get_data_home, missing_data_error, open_npz
from ._jhmdb import JHMDB_JOINT_NAMES

__all__ = ["load_h36m", "h36m_to_jhmdb", "h36m_to_skeleton", "H36M_JOINT_NAMES",
           "COCO_JOINT_NAMES", "COCO_SKELETON"]

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


#: The 17 COCO keypoints, in COCO's order (the output of most 2D pose
#: estimators: Detectron2, MMPose, YOLO-pose, ...).
COCO_JOINT_NAMES = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)

#: COCO's skeleton (as drawn by the COCO API) as pairs of indices into
#: ``COCO_JOINT_NAMES``.
COCO_SKELETON = tuple(
    (COCO_JOINT_NAMES.index(a), COCO_JOINT_NAMES.index(b))
    for a, b in [
        ("left_ankle", "left_knee"), ("left_knee", "left_hip"),
        ("right_ankle", "right_knee"), ("right_knee", "right_hip"),
        ("left_hip", "right_hip"), ("left_shoulder", "left_hip"),
        ("right_shoulder", "right_hip"), ("left_shoulder", "right_shoulder"),
        ("left_shoulder", "left_elbow"), ("right_shoulder", "right_elbow"),
        ("left_elbow", "left_wrist"), ("right_elbow", "right_wrist"),
        ("left_eye", "right_eye"), ("nose", "left_eye"), ("nose", "right_eye"),
        ("left_eye", "left_ear"), ("right_eye", "right_ear"),
        ("left_ear", "left_shoulder"), ("right_ear", "right_shoulder"),
    ]
)

# Each COCO keypoint from Human3.6M joints; None: Human3.6M has no such
# point (eyes and ears), so it is a missing keypoint (NaN).
_COCO_FROM_H36M = {
    "nose": {"neck_nose": 1.0},
    "left_eye": None,
    "right_eye": None,
    "left_ear": None,
    "right_ear": None,
    "left_shoulder": {"left_shoulder": 1.0},
    "right_shoulder": {"right_shoulder": 1.0},
    "left_elbow": {"left_elbow": 1.0},
    "right_elbow": {"right_elbow": 1.0},
    "left_wrist": {"left_wrist": 1.0},
    "right_wrist": {"right_wrist": 1.0},
    "left_hip": {"left_hip": 1.0},
    "right_hip": {"right_hip": 1.0},
    "left_knee": {"left_knee": 1.0},
    "right_knee": {"right_knee": 1.0},
    "left_ankle": {"left_foot": 1.0},
    "right_ankle": {"right_foot": 1.0},
}

_SKELETONS = {
    "h36m": {name: {name: 1.0} for name in H36M_JOINT_NAMES},
    "jhmdb": {name: _JHMDB_FROM_H36M[name] for name in JHMDB_JOINT_NAMES},
    "coco": _COCO_FROM_H36M,
}


def resolve_skeleton(joints):
    """``(joint_names, W)`` of a skeleton given by name or mapping.

    ``W`` (n_joints, 17) holds the Human3.6M weights of every joint; a row of
    NaN marks a joint Human3.6M does not have (it becomes missing).
    """
    if isinstance(joints, str):
        if joints not in _SKELETONS:
            raise ValueError(
                f"joints must be one of {sorted(_SKELETONS)} or a mapping from joint "
                f"names to Human3.6M joint weights, got {joints!r}.")
        spec = _SKELETONS[joints]
    elif isinstance(joints, dict):
        spec = joints
    else:
        raise TypeError(
            "joints must be a skeleton name ('h36m', 'jhmdb', 'coco') or a dict mapping "
            "every joint name to a dict of Human3.6M joint weights (or None for a joint "
            f"Human3.6M lacks); got {type(joints).__name__}.")
    if not spec:
        raise ValueError("joints maps no joint.")
    names, W = [], np.zeros((len(spec), len(H36M_JOINT_NAMES)))
    for i, (name, weights) in enumerate(spec.items()):
        if not isinstance(name, str):
            raise TypeError(f"joint names must be strings, got {name!r}.")
        names.append(name)
        if weights is None:
            W[i] = np.nan
            continue
        if not isinstance(weights, dict) or not weights:
            raise TypeError(
                f"joints[{name!r}] must be None or a non-empty dict of Human3.6M joint "
                f"weights, e.g. {{'left_hip': 0.5, 'right_hip': 0.5}}; got {weights!r}.")
        for src, w in weights.items():
            if src not in H36M_JOINT_NAMES:
                raise ValueError(
                    f"joints[{name!r}] uses {src!r}, which is not a Human3.6M joint; "
                    f"expected one of {list(H36M_JOINT_NAMES)}.")
            if isinstance(w, bool) or not isinstance(w, (int, float, np.number)) \
                    or not np.isfinite(w) or w < 0:
                raise ValueError(
                    f"joints[{name!r}][{src!r}] must be a non-negative weight, got {w!r}.")
            W[i, H36M_JOINT_NAMES.index(src)] = w
        if not np.isclose(W[i].sum(), 1.0):
            raise ValueError(
                f"The Human3.6M weights of joints[{name!r}] sum to {W[i].sum():g}; a joint "
                "is a weighted mean of Human3.6M joints, so they must sum to 1.")
    return tuple(names), W


def _check_h36m_poses(poses):
    poses = np.asarray(poses)
    if poses.ndim < 2 or poses.shape[-2] != len(H36M_JOINT_NAMES):
        raise ValueError(
            f"Expected Human3.6M poses of shape (..., 17, D); got {poses.shape}."
        )
    if not np.issubdtype(poses.dtype, np.floating):
        poses = poses.astype(np.float64)
    return poses


def h36m_to_skeleton(poses, joints):
    """Map Human3.6M 17-joint poses to another skeleton.

    Every joint of the target skeleton is a weighted mean of Human3.6M
    joints; a joint Human3.6M does not have (COCO's eyes and ears) is NaN,
    a missing keypoint, which the embedders' masks leave out of training.

    Parameters
    ----------
    poses : array-like of shape (..., 17, D)
        Joint positions in H36M order (:data:`H36M_JOINT_NAMES`).
    joints : {"h36m", "jhmdb", "coco"} or dict
        The target skeleton: Human3.6M itself, the 15-joint JHMDB puppet
        (:func:`h36m_to_jhmdb`), COCO's 17 keypoints
        (:data:`COCO_JOINT_NAMES`: ``nose = neck_nose``, ankles from the
        feet, eyes and ears missing), or a dict mapping every joint name, in
        the order of your features, to its Human3.6M weights (summing to 1)
        or to None, e.g. ``{"mid_hip": {"left_hip": 0.5, "right_hip": 0.5},
        "nose": {"neck_nose": 1.0}, "left_eye": None}``.

    Returns
    -------
    skeleton_poses : ndarray of shape (..., n_joints, D)
        Joint positions in the target skeleton's order (float).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose.datasets import h36m_to_skeleton
    >>> coco = h36m_to_skeleton(np.zeros((10, 17, 3)), "coco")
    >>> coco.shape, bool(np.isnan(coco[:, 1:5]).all())  # eyes and ears missing
    ((10, 17, 3), True)
    """
    poses = _check_h36m_poses(poses)
    _, W = resolve_skeleton(joints)
    return _apply(W, poses)


def _apply(W, poses):
    lacking = np.isnan(W).any(axis=1)
    out = np.einsum("jk,...kd->...jd", np.nan_to_num(W).astype(poses.dtype), poses)
    out[..., lacking, :] = np.nan
    return out


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
    return h36m_to_skeleton(poses, "jhmdb")


def _subject_of(key):
    return key.partition("/")[0]  # "S1/walking_1" -> "S1"


def _action_of(key):
    return key.partition("/")[2].rsplit("_", 1)[0]  # "S1/walking_1" -> "walking"


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
    subjects : str or list of str, default=None
        Keep only these subjects (e.g. ``["S1", "S5"]``); all by default. A
        name the file does not hold is an error.
    actions : str or list of str, default=None
        Keep only these actions (e.g. ``["walking"]``); all by default.
    joints : {"h36m", "jhmdb", "coco"} or dict, default="h36m"
        The skeleton of the returned poses (:func:`h36m_to_skeleton`):
        ``"jhmdb"`` maps every pose to the 15-joint JHMDB puppet,
        ``"coco"`` to COCO's 17 keypoints (eyes and ears NaN), a dict to
        your own joints.

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
    names, W = resolve_skeleton(joints)  # bad skeletons fail before reading
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
    subjects = _name_list(subjects, "subjects")
    actions = _name_list(actions, "actions")
    seqs, keys = [], []
    try:
        with open_npz(path, "Human3.6M file") as z:
            files = sorted(z.files)
            for wanted, part, what in ((subjects, _subject_of, "subjects"),
                                       (actions, _action_of, "actions")):
                have = sorted({part(k) for k in files})
                unknown = [w for w in (wanted or []) if w not in have]
                if unknown:
                    raise ValueError(
                        f"{what} {unknown} not in {path}; it holds {', '.join(have)}."
                    )
            for key in files:
                if subjects is not None and _subject_of(key) not in subjects:
                    continue
                if actions is not None and _action_of(key) not in actions:
                    continue
                try:
                    arr = np.asarray(z[key], dtype=np.float32)
                except (TypeError, ValueError):  # object or text arrays
                    raise ValueError(
                        f"Malformed Human3.6M file {path}: {key} is not an array of "
                        "numbers."
                    ) from None
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
    if not (isinstance(joints, str) and joints == "h36m"):
        seqs = [_apply(W, s) for s in seqs]
    subj = [_subject_of(k) for k in keys]
    acts = [_action_of(k) for k in keys]
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
            f"{n_frames} frames at 25 Hz, {len(names)} joints "
            f"({joints if isinstance(joints, str) else 'custom'})."
        ),
    )
