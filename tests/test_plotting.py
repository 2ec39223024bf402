import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklearn_skippose.datasets import (COCO_JOINT_NAMES, COCO_SKELETON,  # noqa: E402
                                       JHMDB_JOINT_NAMES, JHMDB_SKELETON)
from sklearn_skippose.plotting import plot_poses  # noqa: E402


def test_skeletons_by_name():
    names = [(JHMDB_JOINT_NAMES[a], JHMDB_JOINT_NAMES[b]) for a, b in JHMDB_SKELETON]
    assert len(names) == 14 and ("left_knee", "left_ankle") in names
    # a tree over the 15 joints: every joint reached, no bone twice
    assert {j for bone in JHMDB_SKELETON for j in bone} == set(range(15))
    assert len(set(map(frozenset, JHMDB_SKELETON))) == 14
    coco = {frozenset((COCO_JOINT_NAMES[a], COCO_JOINT_NAMES[b])) for a, b in COCO_SKELETON}
    assert len(coco) == 19 and frozenset(("right_elbow", "right_wrist")) in coco


def test_plot_poses_draws_every_visible_bone(rng):
    poses = np.full((12, 15, 2), np.nan)
    poses[:10] = rng.uniform(0, 100, size=(10, 15, 2))  # 2 padding frames
    poses[9, 14] = np.nan  # left ankle missing in the last real frame
    fig, ax = plt.subplots()
    out, frames = plot_poses(poses, n_poses=4, ax=ax, spacing=200.0, color="r")
    assert out is ax
    np.testing.assert_array_equal(frames, [0, 3, 6, 9])  # padding frames never drawn
    lines = ax.get_lines()
    assert len(lines) == 4 * 14 - 1  # the bone to the missing ankle is left out
    # the first bone of the second drawn pose: frame 3, shifted by one spacing
    a, b = JHMDB_SKELETON[0]
    np.testing.assert_allclose(lines[14].get_xdata(), poses[3, [a, b], 0] + 200.0)
    np.testing.assert_allclose(lines[14].get_ydata(), poses[3, [a, b], 1])
    assert lines[0].get_color() == "r" and ax.yaxis_inverted()
    # flat (n_frames, n_features) input and the default spacing
    _, frames = plot_poses(poses.reshape(12, 30)[:3], n_poses=6, ax=plt.subplots()[1])
    np.testing.assert_array_equal(frames, [0, 1, 2])  # shorter than n_poses: every frame
    # top to bottom: the shift goes to y
    _, ax = plt.subplots()
    plot_poses(poses, n_poses=4, ax=ax, spacing=200.0, orientation="vertical")
    np.testing.assert_allclose(ax.get_lines()[14].get_xdata(), poses[3, [a, b], 0])
    np.testing.assert_allclose(ax.get_lines()[14].get_ydata(), poses[3, [a, b], 1] + 200.0)
    plt.close("all")


def test_plot_poses_custom_skeleton_and_bad_input():
    two = np.array([[[0.0, 0.0], [1.0, 1.0]]] * 3)
    _, ax = plt.subplots()
    plot_poses(two, skeleton=[(0, 1)], ax=ax)
    assert len(ax.get_lines()) == 3
    with pytest.raises(ValueError, match="15 joints"):
        plot_poses(np.zeros((3, 15, 2)), skeleton="coco")
    with pytest.raises(ValueError, match="'jhmdb' is for 15 joints but the poses have 17"):
        plot_poses(np.zeros((3, 17, 2)))  # COCO keypoints with the default skeleton
    with pytest.raises(ValueError, match="skeleton must be one of"):
        plot_poses(two, skeleton="smpl")
    with pytest.raises(TypeError, match="index pairs"):
        plot_poses(two, skeleton=[("a", "b")])
    with pytest.raises(ValueError, match="Every bone of skeleton must be a pair"):
        plot_poses(two, skeleton=[(0, 1, 1)])
    with pytest.raises(ValueError, match=r"bone \(0, 2\) but the poses have 2 joints"):
        plot_poses(two, skeleton=[(0, 2)])
    with pytest.raises(ValueError, match="even number of features"):
        plot_poses(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="orientation"):
        plot_poses(two, skeleton=[(0, 1)], orientation="diagonal")
    with pytest.raises(ValueError, match="n_poses"):
        plot_poses(two, n_poses=0, skeleton=[(0, 1)])
    for bad in (0, -1.0, np.nan, np.inf, True, "1"):
        with pytest.raises(ValueError, match="spacing must be None or a positive finite"):
            plot_poses(two, skeleton=[(0, 1)], spacing=bad)
    for bad in ("ax", 1, [ax]):  # not drawn on, failing inside matplotlib's calls
        with pytest.raises(TypeError, match="ax must be None or matplotlib Axes, got"):
            plot_poses(two, skeleton=[(0, 1)], ax=bad)
    with pytest.raises(ValueError, match="no real frame"):
        plot_poses(np.full((3, 2, 2), np.nan), skeleton=[(0, 1)])
    with pytest.raises(ValueError, match=r"one pose sequence.*\(2, 3, 4\).*pass X\[i\]"):
        plot_poses(np.zeros((2, 3, 4)), skeleton=[(0, 1)])  # a dataset, not a sequence
    _, ax = plt.subplots()
    plot_poses(two.reshape(1, 3, 4), skeleton=[(0, 1)], ax=ax)  # X[i:i + 1] of a dataset
    assert len(ax.get_lines()) == 3
    plt.close("all")


def test_plot_similarity_map_draws_dtw_alignment(rng):
    from sklearn_skippose.metrics import dtw_alignment
    from sklearn_skippose.plotting import plot_similarity_map

    q = np.full((14, 6), np.nan)
    q[:11] = rng.normal(size=(11, 6))  # 3 padding steps
    r = rng.normal(size=(9, 6))
    fig, ax = plt.subplots()
    res = plot_similarity_map(q, r, ax=ax, labels=("clap", "wave"), path_color="b")
    ref = dtw_alignment(q[:11], r, aggregate="mean")
    assert res.ax is ax and res.query_ax is None and res.reference_ax is None
    np.testing.assert_array_equal(res.image.get_array(), ref.similarity)
    np.testing.assert_array_equal(res.alignment.path, ref.path)
    assert res.alignment.score == ref.score
    np.testing.assert_array_equal(res.path_line.get_xdata(), ref.path[:, 1])
    np.testing.assert_array_equal(res.path_line.get_ydata(), ref.path[:, 0])
    assert res.path_line.get_color() == "b"
    assert ax.get_xlabel() == "wave" and ax.get_ylabel() == "clap"
    assert f"{ref.score:.3f}" in ax.get_title()
    assert len(fig.axes) == 1
    # the settings reach dtw_alignment
    res = plot_similarity_map(q, r, ax=plt.subplots()[1], metric="euclidean",
                              aggregate="cost", global_constraint="sakoe_chiba",
                              sakoe_chiba_radius=3)
    ref = dtw_alignment(q[:11], r, metric="euclidean", aggregate="cost",
                        global_constraint="sakoe_chiba", sakoe_chiba_radius=3)
    np.testing.assert_array_equal(res.alignment.path, ref.path)
    assert res.alignment.cost == ref.cost
    # no admissible path: the map, no line, and a title that says so
    res = plot_similarity_map(rng.normal(size=(12, 3)), rng.normal(size=(3, 3)),
                              ax=plt.subplots()[1], global_constraint="itakura")
    assert res.path_line is None and "no DTW path" in res.ax.get_title()
    plt.close("all")


def test_plot_similarity_map_with_stick_figures(rng):
    from sklearn_skippose.plotting import plot_similarity_map

    poses_q, poses_r = rng.uniform(0, 100, size=(14, 30)), rng.uniform(0, 100, size=(12, 30))
    fig, ax = plt.subplots()
    res = plot_similarity_map(rng.normal(size=(11, 4)), rng.normal(size=(9, 4)), ax=ax,
                              query_poses=poses_q, reference_poses=poses_r, n_poses=(3, 4))
    assert len(fig.axes) == 3
    assert len(res.query_ax.get_lines()) == 3 * 14 and len(res.reference_ax.get_lines()) == 4 * 14
    # one side only, one int for both counts
    fig, ax = plt.subplots()
    res = plot_similarity_map(rng.normal(size=(11, 4)), rng.normal(size=(9, 4)), ax=ax,
                              reference_poses=poses_r, n_poses=2)
    assert res.query_ax is None and len(res.reference_ax.get_lines()) == 2 * 14
    plt.close("all")


def test_plot_similarity_map_bad_input(rng):
    from sklearn_skippose.plotting import plot_similarity_map

    q, r = rng.normal(size=(5, 4)), rng.normal(size=(6, 4))
    with pytest.raises(ValueError, match="n_poses must be an int or a pair"):
        plot_similarity_map(q, r, n_poses=(1, 2, 3))
    with pytest.raises(ValueError, match="labels must be a pair"):
        plot_similarity_map(q, r, labels="query")
    with pytest.raises(ValueError, match="metric"):
        plot_similarity_map(q, r, metric="manhattan")
    with pytest.raises(TypeError, match="unexpected keyword"):
        plot_similarity_map(q, r, window=3)
    with pytest.raises(ValueError, match="n_poses must be a positive integer"):
        plot_similarity_map(q, r, query_poses=np.zeros((4, 30)), n_poses=0,
                            ax=plt.subplots()[1])
    # said even when no poses are drawn, and before any drawing
    with pytest.raises(ValueError, match=r"n_poses must be a positive integer or a pair of "
                                         r"them \(query, reference\), got \(3, 'x'\)"):
        plot_similarity_map(q, r, n_poses=(3, "x"))
    with pytest.raises(TypeError, match="ax must be None or matplotlib Axes, got str"):
        plot_similarity_map(q, r, ax="left")
    with pytest.raises(ValueError, match="'jhmdb' is for 15 joints"):
        plot_similarity_map(q, r, reference_poses=np.zeros((4, 34)), ax=plt.subplots()[1])
    plt.close("all")


def test_drawing_on_given_axes_needs_no_pyplot():
    """A library's figures (matplotlib's object API) do not load pyplot."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from matplotlib.figure import Figure\n"
        "from sklearn_skippose.plotting import plot_poses, plot_similarity_map\n"
        "ax = Figure().subplots()\n"
        "rng = np.random.default_rng(0)\n"
        "plot_similarity_map(rng.normal(size=(5, 3)), rng.normal(size=(6, 3)), ax=ax,\n"
        "                    query_poses=rng.normal(size=(8, 30)))\n"
        "plot_poses(rng.normal(size=(8, 30)), ax=Figure().subplots())\n"
        "print('matplotlib.pyplot' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
