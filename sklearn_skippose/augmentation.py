"""3D motion capture projected to 2D from random cameras (section 3.3).

:class:`MocapProjection` turns Human3.6M 3D joints (mapped to the 15-joint
JHMDB puppet, to COCO's keypoints or to any skeleton) into 2D pose windows
seen from random virtual cameras, prepared exactly like the real data:
pixel coordinates on a 320x240 frame, joints outside the frame missing,
then :class:`~sklearn_skippose.PoseNormalizer` relative to the first pose
of a clip that starts a random number of frames before the sampled window.
Samples are generated on demand, batch by batch, so any number of them
streams through training without ever being stored.
"""

import math
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator

from .datasets import JHMDB_JOINT_NAMES, load_h36m
from .datasets._h36m import resolve_skeleton
from .preprocessing import _MODES as _NORMALIZER_MODES
from .preprocessing import PoseNormalizer, resample_frames
from .utils._sequences import check_int_param, is_tabular, to_sequence_dataset

__all__ = ["MocapProjection", "PoseJitter", "mirror_poses", "project_poses"]


def _joint_names(joint_names):
    """``joint_names`` as a list (JHMDB's 15 joints when None); a string is
    refused rather than read as one joint per character."""
    if joint_names is None:
        return list(JHMDB_JOINT_NAMES)
    if isinstance(joint_names, str):
        raise TypeError(
            f"joint_names must be a sequence of joint names, one per joint, got the "
            f"string {joint_names!r}."
        )
    return list(joint_names)


def _mirror_permutation(joint_names):
    """Index of every joint's left/right counterpart (itself when unpaired)."""
    names = [str(n) for n in joint_names]

    def swap(n):
        return n.replace("left", "\0").replace("right", "left").replace("\0", "right")

    missing = [n for n in names if swap(n) not in names]
    if missing:
        raise ValueError(f"joint_names has no mirror counterpart for {missing}.")
    return np.array([names.index(swap(n)) for n in names])


def mirror_poses(X, joint_names=None):
    """Left-right mirror of pose sequences: x negated, left/right joints swapped.

    The mirror of a clip is the same motion performed by the other hand
    (or walking the other way): for the actions of JHMDB it keeps the
    label. Adding the mirrored training clips to the dictionary of a
    :class:`~sklearn_skippose.DTWNearestNeighbors` (``partial_fit``) lets a
    query match a dictionary motion of either handedness; ``skippose
    evaluate`` does this by default.

    x is negated about 0. After a translation-invariant normalisation
    (every :class:`~sklearn_skippose.PoseNormalizer` mode) this equals a
    horizontal flip of the image, so the function may be applied to pixel
    coordinates or to normalised poses alike.

    Parameters
    ----------
    X : array-like of shape (n_sequences, max_frames, 2 * n_joints)
        NaN-padded pose sequences, ``x, y`` per joint (or any input accepted
        by :func:`~sklearn_skippose.utils.to_sequence_dataset`). Missing
        keypoints (NaN) and padding stay NaN.
    joint_names : sequence of str, default=None
        Joint order; a name containing "left" is swapped with the same name
        containing "right". None: JHMDB's 15 joints.

    Returns
    -------
    X_mirrored : ndarray of shape (n_sequences, max_frames, 2 * n_joints)
        A mirrored copy (float64); 2D for a 2D input (single frames).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose import mirror_poses
    >>> X = np.arange(30.0).reshape(1, 1, 30)   # one frame of 15 joints
    >>> Xm = mirror_poses(X)
    >>> Xm[0, 0, 6:10]                          # right, left shoulder (x, y)
    array([-8.,  9., -6.,  7.])
    >>> bool(np.array_equal(mirror_poses(Xm), X))
    True
    """
    two_d = is_tabular(X)
    X3 = to_sequence_dataset(X)
    names = _joint_names(joint_names)
    if X3.shape[2] != 2 * len(names):
        raise ValueError(
            f"mirror_poses expects x, y of {len(names)} joints ({2 * len(names)} features "
            f"per frame); got {X3.shape[2]}. {_which_names(joint_names)}"
        )
    perm = _mirror_permutation(names)
    n, t, f = X3.shape
    out = X3.reshape(n, t, f // 2, 2)[:, :, perm].copy()
    out[..., 0] *= -1
    out = out.reshape(n, t, f)
    return out[:, 0, :] if two_d else out


def _which_names(joint_names):
    """What to do when the joints named do not match the features."""
    if joint_names is None:
        return "Pass joint_names (the default is JHMDB's 15 joints)."
    return "joint_names must name every joint of the data, in its order."


class PoseJitter(BaseEstimator):
    """Random mirror, scale and rotation of training windows.

    Pass it to an embedder (``SkipPoseEmbedder(jitter=PoseJitter())``): every
    training batch (real triplets and generated ones alike, never the
    validation clips) goes through :meth:`transform_batch`, one random
    transform per triplet, the same for all its frames. The encoder thus
    sees left- and right-handed, slightly larger, smaller and tilted versions
    of every motion, and must reconstruct them. Poses are expected
    normalised (:class:`~sklearn_skippose.PoseNormalizer`), so the origin is
    the centre of the reference pose; mirroring negates x and swaps the
    left/right joints.

    Parameters
    ----------
    mirror : float, default=0.5
        Probability of a left-right mirror.
    scale : float, default=0.1
        Scale factors are drawn uniformly from ``[1 - scale, 1 + scale]``.
    rotation : float, default=0.15
        Rotations are drawn uniformly from ``[-rotation, rotation]``
        (radians; 0.15 rad is about 8.6 degrees).
    noise : float, default=0.0
        Standard deviation of Gaussian noise added, independently, to every
        observed coordinate of every frame after the transform (in
        normalised units, where the reference pose spans about 2; missing
        keypoints stay 0). The random stream of ``noise=0`` is that of a
        jitter without this parameter.
    joint_names : sequence of str, default=None
        Joint order of the features (``x, y`` per joint); names containing
        "left"/"right" are swapped by a mirror. None: JHMDB's 15 joints.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose import PoseJitter
    >>> x = np.random.default_rng(0).normal(size=(4, 12, 30)).astype(np.float32)
    >>> m = np.ones_like(x)
    >>> xj, mj = PoseJitter().transform_batch(x, m, np.random.default_rng(0))
    >>> xj.shape, bool((mj == m).all())
    ((4, 12, 30), True)
    """

    def __init__(self, mirror=0.5, scale=0.1, rotation=0.15, noise=0.0, joint_names=None):
        self.mirror = mirror
        self.scale = scale
        self.rotation = rotation
        self.noise = noise
        self.joint_names = joint_names

    def _check(self, n_features):
        for name, hi in (("mirror", 1.0), ("scale", 1.0), ("rotation", np.pi), ("noise", 1.0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) \
                    or not 0 <= v <= hi or (name == "scale" and v >= 1):
                bound = "[0, 1)" if name == "scale" else f"[0, {hi:g}]"
                raise ValueError(f"{name} must be a number in {bound}, got {v!r}.")
        names = _joint_names(self.joint_names)
        if n_features != 2 * len(names):
            raise ValueError(
                f"PoseJitter expects x, y of {len(names)} joints ({2 * len(names)} features "
                f"per frame); the training data has {n_features}. "
                f"{_which_names(self.joint_names)}"
            )
        return _mirror_permutation(names)

    def transform_batch(self, x, mask, rng):
        """Transform a batch of training windows.

        Parameters
        ----------
        x : ndarray of shape (n, n_frames, 2 * n_joints)
            Normalised poses, missing keypoints 0.
        mask : ndarray of shape (n, n_frames, 2 * n_joints)
            1 where a keypoint is observed.
        rng : numpy Generator
            Source of the random transforms.

        Returns
        -------
        x, mask : ndarray
            Transformed copies (float32); missing keypoints stay 0 and
            masks follow the mirrored joints.
        """
        n, t, f = x.shape
        perm = self._check(f)
        xs = np.asarray(x, dtype=np.float32).reshape(n, t, f // 2, 2)
        ms = np.asarray(mask, dtype=np.float32).reshape(n, t, f // 2, 2)
        flip = rng.random(n) < self.mirror
        s = 1 + self.scale * rng.uniform(-1, 1, n)
        a = self.rotation * rng.uniform(-1, 1, n)
        xs = np.where(flip[:, None, None, None], xs[:, :, perm], xs)
        ms = np.where(flip[:, None, None, None], ms[:, :, perm], ms)
        sx = np.where(flip, -s, s)  # mirror: x -> -x
        # rows of R map (x, y) -> (x', y'): rotation after the (mirrored) scale
        c, si = np.cos(a), np.sin(a)
        R = np.stack([np.stack([c * sx, -si * s], 1), np.stack([si * sx, c * s], 1)], 1)
        out = np.einsum("ntjk,nlk->ntjl", xs, R.astype(np.float32))
        if self.noise:  # drawn only then: noise=0 keeps the stream of earlier fits
            out += rng.normal(0.0, self.noise, out.shape).astype(np.float32)
        out *= ms
        return out.reshape(n, t, f).astype(np.float32), ms.reshape(n, t, f)


def project_poses(P, azimuth, elevation, distance, focal, center):
    """Perspective projection of 3D poses seen by cameras around the origin.

    Camera ``i`` sits at ``distance[i]`` from the origin, at ``azimuth[i]``
    and ``elevation[i]`` (radians; z is up), looks at the origin, and has
    focal length ``focal[i]`` in pixels and principal point ``center[i]``.
    Image x points right and y down (JHMDB's pixel convention).

    Parameters
    ----------
    P : ndarray of shape (n, T, J, 3)
        3D joints (z up).
    azimuth, elevation, distance, focal : ndarray of shape (n,)
        Camera parameters per sample.
    center : ndarray of shape (n, 2)
        Principal point per sample (pixels).

    Returns
    -------
    uv : ndarray of shape (n, T, J, 2)
        Pixel coordinates; NaN for points behind the camera.

    Examples
    --------
    >>> import numpy as np
    >>> P = np.zeros((1, 1, 2, 3)); P[0, 0, 1, 2] = 1000.0  # 1 m above the origin
    >>> uv = project_poses(P, np.zeros(1), np.zeros(1), np.full(1, 5000.0),
    ...                    np.full(1, 500.0), np.array([[160.0, 120.0]]))
    >>> uv[0, 0].round(1).tolist()
    [[160.0, 120.0], [160.0, 20.0]]
    """
    ca, sa = np.cos(azimuth), np.sin(azimuth)
    ce, se = np.cos(elevation), np.sin(elevation)
    C = distance[:, None] * np.stack([ce * ca, ce * sa, se], axis=1)  # (n, 3)
    f = -C / np.linalg.norm(C, axis=1, keepdims=True)
    up = np.array([0.0, 0.0, 1.0])
    r = np.cross(f, up)
    r /= np.linalg.norm(r, axis=1, keepdims=True)
    u = np.cross(r, f)
    V = P - C[:, None, None, :]
    xc = np.einsum("ntjk,nk->ntj", V, r)
    yc = np.einsum("ntjk,nk->ntj", V, u)
    zc = np.einsum("ntjk,nk->ntj", V, f)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = center[:, 0, None, None] + focal[:, None, None] * xc / zc
        y = center[:, 1, None, None] - focal[:, None, None] * yc / zc
    uv = np.stack([x, y], axis=-1)
    uv[zc <= 0] = np.nan
    return uv


def _check_pair(value, name, minimum):
    """Two finite numbers, each at least ``minimum``."""
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be two numbers, got {value!r}.") from None
    if not (math.isfinite(a) and math.isfinite(b)) or min(a, b) < minimum:
        raise ValueError(f"{name} must be two finite numbers >= {minimum:g}, got {value!r}.")
    return a, b


def _check_range(value, name, above=None, below=None):
    """A (low, high) pair of finite numbers, low <= high, strictly between
    ``above`` and ``below`` where they are given."""
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a (low, high) pair of numbers, got {value!r}.") \
            from None
    ok = math.isfinite(lo) and math.isfinite(hi) and lo <= hi
    ok = ok and (above is None or lo > above) and (below is None or hi < below)
    if not ok:
        bounds = "".join([f", low > {above:g}" if above is not None else "",
                          f", high < {below:g}" if below is not None else ""])
        raise ValueError(
            f"{name} must be a (low, high) pair of finite numbers with low <= high"
            f"{bounds}; got {value!r}."
        )


class MocapProjection(BaseEstimator):
    """Random 2D views of Human3.6M motion, as extra unlabeled training data.

    Pass it to an embedder (``SkipPoseEmbedder(augmentation=MocapProjection(
    n_samples=100_000))``): every epoch the embedder draws ``n_samples``
    fresh training windows from :meth:`sample` in batches, mixed with the
    real ones.

    Parameters
    ----------
    n_samples : int, default=100_000
        Generated training samples per epoch (0 disables it).
    data_home : str or path-like, default=None
        Where :func:`~sklearn_skippose.datasets.load_h36m` finds the data.
    subjects : list of str, default=None
        Human3.6M subjects to draw from (all by default).
    azimuth_range : tuple of float, default=(0, 360)
        Camera azimuth in degrees (the full circle).
    elevation_range : tuple of float, default=(-10, 45)
        Camera elevation in degrees.
    distance_range : tuple of float, default=(3000, 7000)
        Camera distance to the subject's root in millimetres.
    focal_range : tuple of float, default=(300, 600)
        Focal length in pixels (people 70-350 px tall on a 320x240 frame).
    shift_range : tuple of float, default=(60, 40)
        Largest random shift of the subject from the image centre, pixels
        (x, y).
    image_size : tuple of int, default=(320, 240)
        Virtual frame (JHMDB's); joints outside it are missing.
    keypoint_dropout : float, default=0.0
        Probability that a visible keypoint is dropped (a detector miss).
    max_offset : int, default=20
        The normalisation clip starts up to this many frames before the
        sampled window (real clips are normalised on their first pose, not
        on the window's).
    normalizer_mode : str, default="first_pose"
        :class:`~sklearn_skippose.PoseNormalizer` mode (match the real data).
    joints : {"jhmdb", "coco", "h36m"} or dict, default="jhmdb"
        Skeleton of the generated poses, to match the training data's
        features (:func:`~sklearn_skippose.datasets.h36m_to_skeleton`):
        JHMDB's 15-joint puppet (30 features per frame), COCO's 17
        keypoints as most 2D pose estimators output them (34 features; eyes
        and ears, which Human3.6M lacks, are missing keypoints: masked out
        of the loss), Human3.6M's own 17 joints, or a dict from your joint
        names to Human3.6M joint weights.
    fps : float, default=None
        Frame rate of the generated windows: the recordings, captured at
        25 Hz, are resampled to it (linearly in time) before windows are cut,
        so that a window spans as much time as one of the training clips.
        Set it to the training clips' rate (e.g. 60 for a 60 fps camera);
        None keeps Human3.6M's 25 Hz (the paper mixes them with JHMDB's
        30 fps clips as they are).
    random_state : int or None, default=None
        Seed used when :meth:`sample` is called without a generator.

    Examples
    --------
    >>> from sklearn_skippose import MocapProjection
    >>> aug = MocapProjection(n_samples=1000, random_state=0)
    >>> x, m = aug.sample(8, 12)  # doctest: +SKIP
    >>> x.shape  # doctest: +SKIP
    (8, 12, 30)
    """

    def __init__(self, n_samples=100_000, data_home=None, subjects=None,
                 azimuth_range=(0.0, 360.0), elevation_range=(-10.0, 45.0),
                 distance_range=(3000.0, 7000.0), focal_range=(300.0, 600.0),
                 shift_range=(60.0, 40.0), image_size=(320, 240), keypoint_dropout=0.0,
                 max_offset=20, normalizer_mode="first_pose", joints="jhmdb", fps=None,
                 random_state=None):
        self.n_samples = n_samples
        self.data_home = data_home
        self.subjects = subjects
        self.azimuth_range = azimuth_range
        self.elevation_range = elevation_range
        self.distance_range = distance_range
        self.focal_range = focal_range
        self.shift_range = shift_range
        self.image_size = image_size
        self.keypoint_dropout = keypoint_dropout
        self.max_offset = max_offset
        self.normalizer_mode = normalizer_mode
        self.joints = joints
        self.fps = fps
        self.random_state = random_state

    def _motion(self):
        key = (str(self.data_home), tuple(self.subjects) if self.subjects else None,
               repr(self.joints), self.fps)
        cache = getattr(self, "_cache", None)
        if cache is None or cache[0] != key:
            h = load_h36m(self.data_home, subjects=self.subjects, joints=self.joints)
            seqs = h.sequences
            if self.fps is not None and self.fps != h.fps:
                seqs = [resample_frames(q, h.fps / self.fps) for q in seqs]
            lengths = np.array([len(q) for q in seqs])
            frames = np.concatenate(seqs).astype(np.float32)
            offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            self._cache = (key, frames, offsets, lengths)
        return self._cache[1:]

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_cache", None)  # data stays out of pickles; reloaded on demand
        return state

    def _check(self, n_features):
        if isinstance(self.n_samples, bool) or not isinstance(self.n_samples, (int, np.integer)) \
                or self.n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative integer, got {self.n_samples!r}.")
        if not 0 <= self.keypoint_dropout < 1:
            raise ValueError(f"keypoint_dropout must be in [0, 1), got {self.keypoint_dropout!r}.")
        _check_range(self.azimuth_range, "azimuth_range")
        _check_range(self.elevation_range, "elevation_range", above=-90.0, below=90.0)
        _check_range(self.distance_range, "distance_range", above=0.0)
        _check_range(self.focal_range, "focal_range", above=0.0)
        _check_pair(self.shift_range, "shift_range", minimum=0.0)
        _check_pair(self.image_size, "image_size", minimum=1.0)
        check_int_param(self.max_offset, "max_offset", minimum=0)
        if self.fps is not None:
            if isinstance(self.fps, bool) or not isinstance(self.fps, Real):
                raise TypeError(f"fps must be a positive number or None, got {self.fps!r}.")
            if not (math.isfinite(self.fps) and self.fps > 0):
                raise ValueError(f"fps must be a finite number > 0 or None, got {self.fps!r}.")
        if self.normalizer_mode not in _NORMALIZER_MODES:
            raise ValueError(
                f"normalizer_mode must be one of {_NORMALIZER_MODES}, got "
                f"{self.normalizer_mode!r}."
            )
        names, _ = resolve_skeleton(self.joints)
        if n_features is not None and n_features != 2 * len(names):
            which = repr(self.joints) if isinstance(self.joints, str) else "a custom skeleton"
            raise ValueError(
                f"MocapProjection(joints={which}) produces {len(names)}-joint poses "
                f"({2 * len(names)} features per frame); the training data has {n_features} "
                "features per frame. Set joints to the training data's skeleton ('jhmdb': "
                "30 features, 'coco': 34, 'h36m': 34, or a dict of your own joints)."
            )

    def sample(self, n, n_frames, rng=None, n_features=None):
        """Generate ``n`` projected windows of ``n_frames`` frames.

        Parameters
        ----------
        n : int
            Number of samples.
        n_frames : int
            Frames per sample.
        rng : numpy Generator, default=None
            Random generator (``random_state`` when None).
        n_features : int, default=None
            Features per frame the consumer expects (checked: twice the
            number of ``joints``).

        Returns
        -------
        x : ndarray of shape (n, n_frames, 2 * n_joints), float32
            Normalised poses, missing keypoints set to 0.
        mask : ndarray of shape (n, n_frames, 2 * n_joints), float32
            1 where the keypoint is observed.
        """
        self._check(n_features)
        n = check_int_param(n, "n", minimum=0)
        n_frames = check_int_param(n_frames, "n_frames")
        if n == 0:
            f = 2 * len(resolve_skeleton(self.joints)[0])
            return np.zeros((0, n_frames, f), np.float32), np.zeros((0, n_frames, f), np.float32)
        rng = np.random.default_rng(self.random_state) if rng is None else rng
        frames, offsets, lengths = self._motion()
        off = rng.integers(0, self.max_offset + 1, n)
        span = n_frames + int(off.max())
        usable = np.maximum(lengths - span + 1, 0)
        if usable.sum() == 0:
            raise ValueError(f"No Human3.6M recording has {span} frames.")
        rec = rng.choice(len(lengths), size=n, p=usable / usable.sum())
        start = offsets[rec] + (rng.random(n) * usable[rec]).astype(np.int64)
        # (n, span, n_joints, 3)
        P = frames[start[:, None] + np.arange(span)[None, :]].astype(np.float64)
        deg = np.pi / 180
        az = rng.uniform(*self.azimuth_range, n) * deg
        el = rng.uniform(*self.elevation_range, n) * deg
        dist = rng.uniform(*self.distance_range, n)
        foc = rng.uniform(*self.focal_range, n)
        w, h = self.image_size
        shift = rng.uniform(-1, 1, (n, 2)) * np.asarray(self.shift_range)
        uv = project_poses(P, az, el, dist, foc, np.array([w / 2, h / 2]) + shift)
        x, y = uv[..., 0], uv[..., 1]
        out = (x < 0) | (x >= w) | (y < 0) | (y >= h) | np.isnan(x)
        if self.keypoint_dropout:
            out |= rng.random(out.shape) < self.keypoint_dropout
        uv[out] = np.nan
        # the normalisation clip starts off[i] frames before the window
        clip = uv.reshape(n, span, -1)
        idx = off[:, None] + np.arange(n_frames)[None, :]
        shifted = np.full_like(clip, np.nan)
        keep = np.arange(span)[None, :] < (off[:, None] + n_frames)
        shifted[keep] = clip[keep]
        # a clip whose frames are all missing cannot be normalised: mark it
        # (it trains as an all-masked sample, which adds nothing to the loss)
        real = ~np.isnan(shifted).all(axis=(1, 2))
        normed = np.full_like(shifted, np.nan)
        if real.any():
            normed[real] = PoseNormalizer(mode=self.normalizer_mode).fit_transform(shifted[real])
        win = np.take_along_axis(normed, idx[:, :, None], axis=1).astype(np.float32)
        mask = (~np.isnan(win)).astype(np.float32)
        return np.nan_to_num(win, nan=0.0), mask
