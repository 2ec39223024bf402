"""Keypoints of one skeleton as another: a pose estimator's COCO keypoints as
JHMDB's 15-joint puppet, so that such clips can be compared with JHMDB's."""

import numpy as np

from ._h36m import COCO_JOINT_NAMES
from ._jhmdb import JHMDB_JOINT_NAMES

__all__ = ["coco_to_jhmdb"]

# Every JHMDB joint as a weighted mean of COCO keypoints, defined as
# h36m_to_jhmdb defines them from Human3.6M: the neck between the shoulders
# (Human3.6M's thorax); the belly on the lower torso, a quarter of the way
# from the mid-hip to the neck (Human3.6M: halfway from the pelvis to the
# spine, itself halfway to the thorax); the face at the centre of the
# face's keypoints. "all": missing when any of its keypoints is; "any": the
# mean of those present (the face's points lie close together).
_JHMDB_FROM_COCO = {
    "neck": ({"left_shoulder": 0.5, "right_shoulder": 0.5}, "all"),
    "belly": ({"left_hip": 0.375, "right_hip": 0.375,
               "left_shoulder": 0.125, "right_shoulder": 0.125}, "all"),
    "face": ({"nose": 1 / 3, "left_eye": 1 / 3, "right_eye": 1 / 3}, "any"),
    **{name: ({name: 1.0}, "all") for name in JHMDB_JOINT_NAMES
       if name not in ("neck", "belly", "face")},
}


def coco_to_jhmdb(keypoints):
    """COCO's 17 keypoints as JHMDB's 15-joint puppet.

    Most 2D pose estimators output COCO's keypoints
    (:data:`COCO_JOINT_NAMES`); JHMDB annotates 15 joints
    (:data:`JHMDB_JOINT_NAMES`). Mapped to JHMDB's joints, an estimator's
    clips can be searched for among JHMDB's, classified with JHMDB's
    labelled clips as the dictionary, or embedded by an embedder trained on
    JHMDB. Shoulders, hips, elbows, wrists, knees and ankles are the same
    points. The three joints JHMDB defines differently are derived as
    :func:`h36m_to_jhmdb` derives them from Human3.6M:

    - ``neck``: the midpoint of the shoulders;
    - ``belly``: a quarter of the way from the midpoint of the hips to the
      neck;
    - ``face``: the mean of the nose and the eyes, of those present.

    A joint is missing (NaN) when a keypoint it needs is missing; the face
    only when the nose and both eyes are. The ears are not used. On
    Human3.6M seen from the front (its joints mapped to COCO's, the eyes put
    at the nose), the derived neck, belly and face lie on average 0.15,
    0.04 and 0.15 of the neck-to-belly distance from those of
    :func:`h36m_to_jhmdb`; the other joints coincide.

    Parameters
    ----------
    keypoints : array-like of shape (..., 17, 2) or (..., 17, 3)
        ``x, y`` of every COCO keypoint, in COCO's order, NaN where missing;
        or ``x, y, confidence`` as estimators give them, a keypoint with a
        confidence of 0 (or a NaN coordinate) being missing. Any leading
        axes (frames, sequences).

    Returns
    -------
    jhmdb_keypoints : ndarray of shape (..., 15, 2) or (..., 15, 3)
        The JHMDB joints, in :data:`JHMDB_JOINT_NAMES` order. With
        confidences, a derived joint's is the lowest of the keypoints it
        was derived from (0, and NaN coordinates, where it is missing), so
        that :func:`~sklearn_skippose.utils.keypoints_to_dataset` can take
        the result as it takes an estimator's output.

    See Also
    --------
    h36m_to_jhmdb : The same puppet from Human3.6M's joints.
    sklearn_skippose.utils.keypoints_to_dataset : Keypoints with confidences
        as a NaN-padded pose dataset.

    Notes
    -----
    OpenPose's BODY_25 output holds COCO's 17 keypoints in another order
    (and eight more); ``body25[..., BODY25_COCO, :]`` with ``BODY25_COCO =
    [0, 16, 15, 18, 17, 5, 2, 6, 3, 7, 4, 12, 9, 13, 10, 14, 11]`` puts
    them in COCO's order first.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose.datasets import JHMDB_JOINT_NAMES, coco_to_jhmdb
    >>> coco = np.zeros((17, 2))
    >>> coco[5:7] = [[2.0, 10.0], [-2.0, 10.0]]    # left and right shoulder
    >>> coco[11:13] = [[1.0, 0.0], [-1.0, 0.0]]    # left and right hip
    >>> jh = coco_to_jhmdb(coco)
    >>> jh[JHMDB_JOINT_NAMES.index("neck")], jh[JHMDB_JOINT_NAMES.index("belly")]
    (array([ 0., 10.]), array([0. , 2.5]))
    """
    if isinstance(keypoints, (str, bytes)):
        raise TypeError("keypoints must be a numeric array of shape (..., 17, 2 or 3).")
    try:
        kp = np.asarray(keypoints, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            "keypoints must be a numeric array of shape (..., 17, 2 or 3)."
        ) from None
    if kp.ndim < 2 or kp.shape[-2] != len(COCO_JOINT_NAMES) or kp.shape[-1] not in (2, 3):
        raise ValueError(
            "keypoints must have shape (..., 17, 2) with x, y or (..., 17, 3) with x, y, "
            f"confidence, COCO's 17 keypoints in COCO's order; got shape {kp.shape}."
        )
    with_conf = kp.shape[-1] == 3
    xy = kp[..., :2]
    present = np.isfinite(xy).all(axis=-1)
    if with_conf:
        present &= np.nan_to_num(kp[..., 2], nan=0.0) > 0
    out = np.full(kp.shape[:-2] + (len(JHMDB_JOINT_NAMES), kp.shape[-1]), np.nan)
    for j, name in enumerate(JHMDB_JOINT_NAMES):
        weights, rule = _JHMDB_FROM_COCO[name]
        idx = [COCO_JOINT_NAMES.index(src) for src in weights]
        w = np.broadcast_to(np.array(list(weights.values())), present.shape[:-1] + (len(idx),))
        here = present[..., idx]
        ok = here.all(axis=-1) if rule == "all" else here.any(axis=-1)
        w = np.where(here, w, 0.0)
        total = w.sum(axis=-1)
        w = w / np.where(total > 0, total, 1.0)[..., None]
        coords = np.nan_to_num(xy[..., idx, :])  # absent sources weigh 0
        out[..., j, :2] = np.where(ok[..., None], np.einsum("...k,...kd->...d", w, coords),
                                   np.nan)
        if with_conf:
            conf = np.where(here, kp[..., idx, 2], np.inf).min(axis=-1)
            out[..., j, 2] = np.where(ok, conf, 0.0)
    return out
