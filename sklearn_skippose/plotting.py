"""Stick figures of pose sequences and similarity maps with their DTW path
(needs matplotlib: ``pip install .[plot]``)."""

from numbers import Real

import numpy as np

from .datasets import COCO_SKELETON, JHMDB_SKELETON
from .utils._sequences import sequence_lengths, to_sequence_dataset

__all__ = ["plot_poses", "plot_similarity_map"]

_SKELETONS = {"jhmdb": JHMDB_SKELETON, "coco": COCO_SKELETON}


def _check_skeleton(skeleton, n_joints):
    if isinstance(skeleton, str):
        if skeleton not in _SKELETONS:
            raise ValueError(
                f"skeleton must be one of {sorted(_SKELETONS)} or a sequence of "
                f"(joint, joint) index pairs, got {skeleton!r}."
            )
        bones = _SKELETONS[skeleton]
        expected = 1 + max(max(pair) for pair in bones)
        if n_joints != expected:
            raise ValueError(
                f"skeleton={skeleton!r} is for {expected} joints but the poses have "
                f"{n_joints}; pass the skeleton of the poses' layout ('jhmdb': 15 "
                "joints, 'coco': 17) or their bones as (joint, joint) index pairs."
            )
    else:
        try:
            bones = [tuple(int(j) for j in pair) for pair in skeleton]
        except (TypeError, ValueError):
            raise TypeError(
                "skeleton must be 'jhmdb', 'coco' or a sequence of (joint, joint) "
                f"index pairs, got {skeleton!r}."
            ) from None
        if any(len(pair) != 2 for pair in bones):
            raise ValueError("Every bone of skeleton must be a pair of joint indices.")
    bad = [pair for pair in bones if min(pair) < 0 or max(pair) >= n_joints]
    if bad:
        raise ValueError(
            f"skeleton has bone {bad[0]} but the poses have {n_joints} joints; "
            "pass the skeleton of the poses' layout (e.g. skeleton='coco' for "
            "17 COCO keypoints)."
        )
    return bones


def _is_count(n):
    return not isinstance(n, bool) and isinstance(n, (int, np.integer)) and n >= 1


def _check_ax(ax):
    """None or matplotlib axes (checked without importing pyplot)."""
    if ax is not None:
        from matplotlib.axes import Axes

        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be None or matplotlib Axes, got {type(ax).__name__}.")


def plot_poses(poses, *, n_poses=6, skeleton="jhmdb", ax=None, spacing=None,
               orientation="horizontal", **line_kw):
    """Draw poses of one sequence side by side as stick figures (a filmstrip).

    ``n_poses`` frames evenly spaced over the sequence's real frames are drawn
    left to right (or top to bottom), each shifted by ``spacing``. Image coordinates are
    assumed (y grows downwards), so the y axis is inverted. Bones with a
    missing (NaN) end are not drawn.

    Parameters
    ----------
    poses : array-like of shape (n_frames, n_features) or (n_frames, n_joints, 2)
        One pose sequence, ``x0, y0, x1, y1, ...`` per frame; trailing
        all-NaN frames are padding.
    n_poses : int, default=6
        Number of frames drawn (every frame when the sequence is shorter).
    skeleton : {"jhmdb", "coco"} or sequence of (int, int), default="jhmdb"
        Bones as pairs of joint indices:
        :data:`~sklearn_skippose.datasets.JHMDB_SKELETON`,
        :data:`~sklearn_skippose.datasets.COCO_SKELETON`, or your own.
    ax : matplotlib Axes, default=None
        Where to draw (the current axes when None).
    spacing : float, default=None
        Offset between consecutive poses, in the poses' units; when None,
        1.2 times the widest (or, vertically, tallest) drawn pose.
    orientation : {"horizontal", "vertical"}, default="horizontal"
        Poses left to right, or top to bottom.
    **line_kw
        Passed to :meth:`matplotlib.axes.Axes.plot` (default ``color="k"``,
        ``lw=1``).

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.
    frames : ndarray of shape (n_drawn,)
        Indices of the frames drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_skippose.plotting import plot_poses
    >>> poses = np.random.default_rng(0).uniform(0, 100, size=(30, 15, 2))
    >>> ax, frames = plot_poses(poses, n_poses=4)
    >>> frames.tolist()
    [0, 10, 19, 29]
    """
    if orientation not in ("horizontal", "vertical"):
        raise ValueError(
            f"orientation must be 'horizontal' or 'vertical', got {orientation!r}."
        )
    axis = 0 if orientation == "horizontal" else 1
    shape = np.shape(poses) if not isinstance(poses, (str, bytes, dict)) else None
    if shape is not None and len(shape) == 3 and shape[0] == 1 and shape[2] != 2:
        poses = np.asarray(poses)[0]  # one sequence of a dataset, (1, n_frames, n_features)
    elif shape is not None and (len(shape) not in (2, 3) or (len(shape) == 3 and shape[2] != 2)):
        raise ValueError(
            "plot_poses draws one pose sequence, (n_frames, n_features) or (n_frames, "
            f"n_joints, 2); got an array of shape {shape}. For sequence i of a dataset "
            "pass X[i]."
        )
    X = to_sequence_dataset([poses])
    if X.shape[2] % 2:
        raise ValueError(
            f"poses needs an even number of features per frame (x, y for each "
            f"joint); got {X.shape[2]}."
        )
    if not _is_count(n_poses):
        raise ValueError(f"n_poses must be a positive integer, got {n_poses!r}.")
    if spacing is not None and (isinstance(spacing, bool) or not isinstance(spacing, Real)
                                or not 0 < spacing < np.inf):
        raise ValueError(f"spacing must be None or a positive finite number, got {spacing!r}.")
    _check_ax(ax)
    length = int(sequence_lengths(X)[0])
    if length == 0:
        raise ValueError("poses has no real frame: every value is NaN.")
    P = X[0, :length].reshape(length, -1, 2)
    bones = _check_skeleton(skeleton, P.shape[1])
    frames = np.unique(np.round(np.linspace(0, length - 1, min(n_poses, length))).astype(int))
    drawn = P[frames]
    if spacing is None:
        with np.errstate(all="ignore"):
            widths = np.nanmax(drawn[..., axis], axis=1) - np.nanmin(drawn[..., axis], axis=1)
        widest = np.nanmax(widths) if np.isfinite(widths).any() else 0.0
        spacing = 1.2 * widest if widest > 0 else 1.0
    if ax is None:
        import matplotlib.pyplot as plt  # only then: drawing on given axes needs no pyplot

        ax = plt.gca()
    kw = {"color": "k", "lw": 1, **line_kw}
    for k, pose in enumerate(drawn):
        shifted = pose.copy()
        shifted[:, axis] += k * spacing
        for a, b in bones:
            if np.isfinite(pose[[a, b]]).all():
                ax.plot(shifted[[a, b], 0], shifted[[a, b], 1], **kw)
    ax.set_aspect("equal", adjustable="datalim")
    if not ax.yaxis_inverted():
        ax.invert_yaxis()
    ax.axis("off")
    return ax, frames


def plot_similarity_map(query, reference, *, query_poses=None, reference_poses=None,
                        metric="cosine", aggregate="mean", ax=None, n_poses=(5, 6),
                        skeleton="jhmdb", labels=("query window", "reference window"), cmap="gray",
                        path_color="red", **dtw_params):
    """Draw the similarity map of two feature sequences and their DTW path.

    The paper's Figures 4 and 9: the local similarities between every time
    step of ``query`` (rows) and of ``reference`` (columns), lighter for more
    similar, the optimal DTW path over them in ``path_color``, and, when the
    poses the features were computed from are given, stick figures of the
    query's poses down the left side and of the reference's along the top.
    The map, path and score are those of
    :func:`~sklearn_skippose.metrics.dtw_alignment` with the same settings,
    i.e. what :class:`~sklearn_skippose.DTWNearestNeighbors` and
    :class:`~sklearn_skippose.DTWNeighborsIndex` score the pair by.

    Parameters
    ----------
    query : array-like of shape (n_steps_query, n_features)
        One feature sequence (e.g. ``Z[i]`` of a window embedder's output);
        trailing all-NaN steps are padding.
    reference : array-like of shape (n_steps_reference, n_features)
        The sequence it is compared with (e.g. its nearest dictionary clip).
    query_poses : array-like of shape (n_frames, n_features) or None, default=None
        The query's poses, drawn with :func:`plot_poses` to the left of the
        map (first frame at the top). None: no stick figures.
    reference_poses : array-like of shape (n_frames, n_features) or None, default=None
        The reference's poses, drawn above the map.
    metric : {"cosine", "euclidean"}, default="cosine"
        Local similarity between time steps.
    aggregate : {"sum", "mean", "cost"}, default="mean"
        How the similarities along the path become the score in the title
        (the path does not depend on it).
    ax : matplotlib Axes, default=None
        Where to draw the map (the current axes when None); the stick
        figures get axes of their own beside it.
    n_poses : int or (int, int), default=(5, 6)
        Stick figures drawn for the query and for the reference (one int:
        the same for both).
    skeleton : {"jhmdb", "coco"} or sequence of (int, int), default="jhmdb"
        The poses' bones, as in :func:`plot_poses`.
    labels : (str, str), default=("query window", "reference window")
        The axis labels of the query's and the reference's time steps (e.g.
        with their actions).
    cmap : str or Colormap, default="gray"
        Colormap of the map.
    path_color : color, default="red"
        Colour of the DTW path.
    **dtw_params
        Further settings of :func:`~sklearn_skippose.metrics.dtw_alignment`:
        ``global_constraint``, ``sakoe_chiba_radius``, ``itakura_max_slope``,
        ``steps``.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``ax`` (the map's axes), ``query_ax`` and ``reference_ax`` (the stick
        figures' axes, None when their poses were not given), ``image`` (the
        map's ``AxesImage``), ``path_line`` (the path's ``Line2D``, None
        when no path exists) and ``alignment`` (what
        :func:`~sklearn_skippose.metrics.dtw_alignment` returned:
        ``similarity``, ``path``, ``score``, ``cost``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_skippose.plotting import plot_similarity_map
    >>> rng = np.random.default_rng(0)
    >>> q, r = rng.normal(size=(12, 8)), rng.normal(size=(15, 8))
    >>> res = plot_similarity_map(q, r)
    >>> res.alignment.similarity.shape, res.alignment.path[-1].tolist()
    ((12, 15), [11, 14])
    """
    from sklearn.utils import Bunch

    from .metrics import dtw_alignment

    if isinstance(n_poses, (tuple, list)):
        if len(n_poses) != 2:
            raise ValueError(
                f"n_poses must be an int or a pair (query, reference), got {n_poses!r}.")
        n_query, n_reference = n_poses
    else:
        n_query = n_reference = n_poses
    if not (_is_count(n_query) and _is_count(n_reference)):
        raise ValueError("n_poses must be a positive integer or a pair of them (query, "
                         f"reference), got {n_poses!r}.")
    _check_ax(ax)
    if isinstance(labels, str) or not isinstance(labels, (tuple, list)) or len(labels) != 2:
        raise ValueError(
            f"labels must be a pair of names (query, reference), got {labels!r}.")
    alignment = dtw_alignment(query, reference, metric=metric, aggregate=aggregate,
                              **dtw_params)
    if ax is None:
        import matplotlib.pyplot as plt  # only then: drawing on given axes needs no pyplot

        ax = plt.gca()
    image = ax.imshow(alignment.similarity, cmap=cmap, aspect="auto")
    path = alignment.path
    path_line = None
    if len(path):
        path_line, = ax.plot(path[:, 1], path[:, 0], color=path_color, lw=1.5)
    ax.set_xlabel(str(labels[1]))
    ax.set_ylabel(str(labels[0]))
    ax.set_title(f"DTW score {float(alignment.score):.3f} ({aggregate})" if len(path)
                 else "no DTW path under this constraint", fontsize=9)
    query_ax = reference_ax = None
    if query_poses is not None or reference_poses is not None:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        divider = make_axes_locatable(ax)
        if reference_poses is not None:
            reference_ax = divider.append_axes("top", size="30%", pad=0.35)
            plot_poses(reference_poses, n_poses=n_reference, skeleton=skeleton,
                       ax=reference_ax)
        if query_poses is not None:
            query_ax = divider.append_axes("left", size="25%", pad=0.6)
            plot_poses(query_poses, n_poses=n_query, skeleton=skeleton, ax=query_ax,
                       orientation="vertical")
    return Bunch(ax=ax, query_ax=query_ax, reference_ax=reference_ax, image=image,
                 path_line=path_line, alignment=alignment)
