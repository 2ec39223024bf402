"""JHMDB 2D joint positions (Jhuang et al., ICCV 2013)."""

import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..utils._sequences import _as_float_array, check_bool_param
from ._base import _name_list, get_data_home, missing_data_error, open_npz

__all__ = [
    "load_jhmdb",
    "JHMDB_JOINT_NAMES",
    "JHMDB_SKELETON",
    "JHMDB_FRAME_SIZE",
    "world_to_pixel",
]

#: The 15 joints of the JHMDB puppet, in the dataset's order.
JHMDB_JOINT_NAMES = (
    "neck",
    "belly",
    "face",
    "right_shoulder",
    "left_shoulder",
    "right_hip",
    "left_hip",
    "right_elbow",
    "left_elbow",
    "right_knee",
    "left_knee",
    "right_wrist",
    "left_wrist",
    "right_ankle",
    "left_ankle",
)


def _bones(names, pairs):
    return tuple((names.index(a), names.index(b)) for a, b in pairs)


#: The puppet's bones as pairs of joint indices into ``JHMDB_JOINT_NAMES``
#: (for drawing stick figures, e.g. :func:`sklearn_skippose.plotting.plot_poses`).
JHMDB_SKELETON = _bones(JHMDB_JOINT_NAMES, [
    ("neck", "face"), ("neck", "belly"),
    ("neck", "right_shoulder"), ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("neck", "left_shoulder"), ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("belly", "right_hip"), ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
    ("belly", "left_hip"), ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
])

#: JHMDB frames are 320 x 240 pixels (width, height).
JHMDB_FRAME_SIZE = (320, 240)
_WORLD_SCALE = 108.0
_WORLD_CENTER = np.array([160.0, 120.0])

BUNDLE_NAME = "jhmdb_gt2d_partial.npz"

_HOW_TO_GET = (
    "Expected either the compact bundle '<folder>/jhmdb/" + BUNDLE_NAME + "' or "
    "the official JHMDB layout '<folder>/joint_positions/<class>/<clip>/"
    "joint_positions.mat' with the split files in '<folder>/splits/'. The "
    "official joint annotations (joint_positions.zip) and splits "
    "(splits.zip) are distributed on the JHMDB dataset page; unzip both into "
    "one folder."
)


def world_to_pixel(pos_world):
    """Convert JHMDB ``pos_world`` coordinates to pixels on the 320x240 frame.

    ``pos_img = pos_world * 108 + [160, 120]``, which holds exactly on the
    official annotation files.

    Parameters
    ----------
    pos_world : array-like of shape (..., 2) or (..., 2 * n_joints)
        World coordinates: a last axis ``(x, y)``, or the package's pose
        layout ``x0, y0, x1, y1, ...`` (e.g. a dataset ``(n_sequences,
        max_frames, 2 * n_joints)``). NaN stays NaN.

    Returns
    -------
    pos_img : ndarray of the same shape
        Pixel coordinates.

    Examples
    --------
    >>> world_to_pixel([0.0, 0.0]).tolist()
    [160.0, 120.0]
    >>> world_to_pixel([[0.0, 0.0, 1.0, -1.0]]).tolist()   # two joints of one frame
    [[160.0, 120.0, 268.0, 12.0]]
    """
    pos = _as_float_array(pos_world, np.float64, "pos_world")
    if pos.ndim == 0 or pos.shape[-1] % 2:
        raise ValueError(
            f"pos_world must have x, y pairs on its last axis (..., 2) or "
            f"(..., 2 * n_joints); got shape {pos.shape}."
        )
    pairs = pos.reshape(*pos.shape[:-1], -1, 2)
    return (pairs * _WORLD_SCALE + _WORLD_CENTER).reshape(pos.shape)


def _out_of_frame(pix):
    w, h = JHMDB_FRAME_SIZE
    x, y = pix[..., 0], pix[..., 1]
    return (x < 0) | (x >= w) | (y < 0) | (y >= h)


def _find_root(data_home):
    base = get_data_home(data_home)
    candidates = [base / "jhmdb", base]
    for root in candidates:
        if (root / BUNDLE_NAME).is_file():
            return root, "bundle"
        if (root / "joint_positions").is_dir():
            return root, "official"
    raise missing_data_error("JHMDB", candidates, _HOW_TO_GET)


def _read_bundle(path):
    with open_npz(path, "JHMDB bundle") as z:
        try:
            pos_world = np.asarray(z["pos_world"], dtype=np.float64)
            offsets = np.asarray(z["offsets"], dtype=np.int64)
            labels = np.asarray(z["labels"]).astype(str)
            splits = np.asarray(z["splits"], dtype=np.int8)
            joint_names = tuple(np.asarray(z["joint_names"]).astype(str))
            clip_ids = np.asarray(z["clip_sha1"]).astype(str)
        except (KeyError, OSError, ValueError) as exc:
            raise ValueError(f"Malformed JHMDB bundle {path}: {exc}") from None
    if pos_world.ndim != 3 or pos_world.shape[2] != 2:
        raise ValueError(f"Malformed JHMDB bundle {path}: pos_world has shape {pos_world.shape}.")
    clips = [pos_world[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
    return clips, labels, splits, joint_names, clip_ids


def _read_mat(path):
    from scipy.io import loadmat

    try:
        mat = loadmat(path)
    except Exception as exc:  # scipy raises many types on corrupt files
        raise ValueError(f"Malformed JHMDB annotation file {path}: {exc}") from None
    out = {}
    for key in ("pos_world", "pos_img"):
        arr = mat.get(key)
        if arr is None:
            raise ValueError(
                f"Malformed JHMDB annotation file {path}: no '{key}' variable "
                "(expected pos_world and pos_img of shape 2 x n_joints x n_frames)."
            )
        arr = np.asarray(arr, dtype=np.float64)
        if arr.ndim == 2:  # a single frame squeezed by MATLAB
            arr = arr[:, :, None]
        if arr.ndim != 3 or arr.shape[0] != 2:
            raise ValueError(
                f"Malformed JHMDB annotation file {path}: '{key}' has shape "
                f"{arr.shape}, expected (2, n_joints, n_frames)."
            )
        out[key] = arr.transpose(2, 1, 0)  # (T, J, 2)
    return out


def _read_split_files(splits_dir, n_splits=3):
    """Map ``(class, clip)`` to a length-3 code array from official split files."""
    codes = {}
    if splits_dir is None or not Path(splits_dir).is_dir():
        return codes
    for path in sorted(Path(splits_dir).glob("*_test_split*.txt")):
        stem = path.stem  # <class>_test_split<k>
        cls, _, k = stem.rpartition("_test_split")
        if not k.isdigit() or not 1 <= int(k) <= n_splits:
            continue
        for line_no, line in enumerate(path.read_text().splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or parts[1] not in ("0", "1", "2"):
                raise ValueError(
                    f"Malformed split file {path}, line {line_no}: {line!r} "
                    "(expected '<clip>.avi 1|2')."
                )
            clip = parts[0].removesuffix(".avi")
            codes.setdefault((cls, clip), np.zeros(n_splits, dtype=np.int8))
            codes[(cls, clip)][int(k) - 1] = int(parts[1])
    return codes


def _read_official(root, splits_dir, coords):
    jp = root / "joint_positions"
    files = sorted(jp.glob("*/*/joint_positions.mat"))
    if not files:
        raise missing_data_error("JHMDB", [jp], _HOW_TO_GET)
    split_codes = _read_split_files(splits_dir)
    clips, labels, splits, ids = [], [], [], []
    for f in files:
        cls, clip = f.parent.parent.name, f.parent.name
        mat = _read_mat(f)
        clips.append(mat["pos_img"] if coords == "pixel" else mat["pos_world"])
        labels.append(cls)
        ids.append(clip)
        splits.append(split_codes.get((cls, clip), np.zeros(3, dtype=np.int8)))
    n_joints = {c.shape[1] for c in clips}
    if len(n_joints) != 1:
        raise ValueError(f"Annotation files disagree on the joint count: {sorted(n_joints)}.")
    j = n_joints.pop()
    names = JHMDB_JOINT_NAMES if j == len(JHMDB_JOINT_NAMES) else tuple(
        f"joint_{i}" for i in range(j)
    )
    return clips, np.array(labels), np.array(splits, dtype=np.int8), names, np.array(ids)


def load_jhmdb(
    data_home=None,
    *,
    coords="pixel",
    mask_out_of_frame=True,
    layout="auto",
    splits_dir=None,
    classes=None,
    dtype=np.float64,
    return_X_y=False,
):
    """Load the JHMDB 2D joint annotations as a NaN-padded sequence dataset.

    Reads either the compact bundle (``jhmdb/jhmdb_gt2d_partial.npz``, the
    804-clip ground-truth subset shipped beside this project) or the official
    download layout (``joint_positions/<class>/<clip>/joint_positions.mat``
    plus ``splits/<class>_test_split<k>.txt``).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``jhmdb/`` (or the JHMDB files themselves). Falls back
        to ``$SKIPPOSE_DATA``, then to a per-user data folder
        (see :func:`get_data_home`).
    coords : {"pixel", "world"}, default="pixel"
        ``"pixel"``: coordinates on the 320x240 frame
        (``pos_world * 108 + [160, 120]``); ``"world"``: JHMDB ``pos_world``.
    mask_out_of_frame : bool, default=True
        Set joints that fall outside the 320x240 frame to NaN (missing), as the
        paper does.
    layout : {"auto", "bundle", "official"}, default="auto"
        Which layout to read; ``"auto"`` prefers the bundle when both exist.
    splits_dir : str or path-like, default=None
        Folder of the official split files for the official layout; defaults
        to ``<root>/splits``. The bundle holds its own splits: giving a
        folder when the bundle is read is an error.
    classes : str or list of str, default=None
        Keep only the clips of these action classes (e.g. ``["clap",
        "jump"]``); all by default. ``target`` then counts over these classes
        only, and ``target_names`` lists them (as scikit-learn's
        ``fetch_20newsgroups(categories=...)`` does). A name the data do not
        hold is an error.
    dtype : numpy dtype, default=np.float64
        Floating dtype of ``data``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of the Bunch.

    Returns
    -------
    bunch : :class:`~sklearn.utils.Bunch`
        ``data`` (n_clips, max_frames, 30) NaN-padded, features
        ``x0, y0, ..., x14, y14``; ``target`` (n_clips,) int class codes;
        ``target_names`` (21,) class names (sorted; those of ``classes``
        when given); ``joint_names``; ``lengths``
        (n_clips,) real frame counts; ``splits`` (n_clips, 3) int8, ``1`` =
        train and ``2`` = test in official split ``k + 1`` (``0`` = unused);
        ``clip_ids``; ``frame_size`` ``(320, 240)``; ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from sklearn_skippose.datasets import load_jhmdb
    >>> jhmdb = load_jhmdb()  # doctest: +SKIP
    >>> jhmdb.data.shape  # doctest: +SKIP
    (804, 40, 30)
    """
    if coords not in ("pixel", "world"):
        raise ValueError(f"coords must be 'pixel' or 'world', got {coords!r}.")
    if layout not in ("auto", "bundle", "official"):
        raise ValueError(f"layout must be 'auto', 'bundle' or 'official', got {layout!r}.")
    check_bool_param(mask_out_of_frame, "mask_out_of_frame")
    check_bool_param(return_X_y, "return_X_y")
    if splits_dir is not None and not isinstance(splits_dir, (str, os.PathLike)):
        raise TypeError(f"splits_dir must be None or a path (str or os.PathLike), got "
                        f"{type(splits_dir).__name__}.")
    try:
        floating = np.issubdtype(np.dtype(dtype), np.floating)
    except TypeError:
        floating = False
    if not floating:
        raise ValueError(
            f"dtype must be a floating type (NaN marks padding and missing joints), got "
            f"{dtype!r}."
        )
    classes = _name_list(classes, "classes")
    if layout == "auto":
        root, found = _find_root(data_home)
    else:
        base = get_data_home(data_home)
        found = layout
        marker = BUNDLE_NAME if layout == "bundle" else "joint_positions"
        roots = [r for r in (base / "jhmdb", base) if (r / marker).exists()]
        if not roots:
            raise missing_data_error("JHMDB", [base / "jhmdb", base], _HOW_TO_GET)
        root = roots[0]

    if found == "bundle":
        if splits_dir is not None:
            raise ValueError(
                f"splits_dir is read with the official layout only, but {root} holds the "
                f"bundle ({BUNDLE_NAME}), whose splits are its own. Leave splits_dir None, "
                "or pass layout='official' to read the annotation folders with these "
                "split files."
            )
        clips, labels, splits, joint_names, clip_ids = _read_bundle(root / BUNDLE_NAME)
        if coords == "pixel":
            clips = [world_to_pixel(c) for c in clips]
        pixel_clips = clips if coords == "pixel" else [world_to_pixel(c) for c in clips]
    else:
        sd = Path(splits_dir) if splits_dir is not None else root / "splits"
        clips, labels, splits, joint_names, clip_ids = _read_official(root, sd, coords)
        pixel_clips = clips if coords == "pixel" else [world_to_pixel(c) for c in clips]

    if classes is not None:
        labels = np.asarray(labels)
        unknown = sorted(set(classes) - set(labels.tolist()))
        if unknown:
            raise ValueError(
                f"classes {unknown} not in JHMDB; the classes are: "
                f"{', '.join(np.unique(labels))}."
            )
        keep = np.flatnonzero(np.isin(labels, classes))
        clips = [clips[i] for i in keep]
        pixel_clips = [pixel_clips[i] for i in keep]
        labels, splits, clip_ids = labels[keep], splits[keep], np.asarray(clip_ids)[keep]

    max_len = max(c.shape[0] for c in clips)
    n_joints = clips[0].shape[1]
    data = np.full((len(clips), max_len, 2 * n_joints), np.nan, dtype=dtype)
    lengths = np.empty(len(clips), dtype=np.int64)
    for i, (c, pix) in enumerate(zip(clips, pixel_clips)):
        c = np.array(c, dtype=np.float64)
        if mask_out_of_frame:
            c[_out_of_frame(pix)] = np.nan
        data[i, : len(c)] = c.reshape(len(c), -1)
        lengths[i] = len(c)

    target_names, target = np.unique(labels, return_inverse=True)
    if return_X_y:
        return data, target
    descr = (
        f"JHMDB 2D joints ({found} layout at {root}): {len(clips)} clips, "
        f"{len(target_names)} classes, {n_joints} joints, {lengths.min()}-"
        f"{lengths.max()} frames, coords={coords!r}, "
        f"mask_out_of_frame={mask_out_of_frame}."
    )
    return Bunch(
        data=data,
        target=target,
        target_names=target_names,
        joint_names=list(joint_names),
        lengths=lengths,
        splits=splits,
        clip_ids=clip_ids,
        frame_size=JHMDB_FRAME_SIZE,
        layout=found,
        DESCR=descr,
    )
