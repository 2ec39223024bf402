import re
from pathlib import Path

import numpy as np
import pytest
from scipy.io import loadmat, savemat
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_skippose import DTWNearestNeighbors, PoseNormalizer
from sklearn_skippose.datasets import (
    world_to_pixel,
    DataNotFoundError,
    get_data_home,
    COCO_JOINT_NAMES,
    H36M_JOINT_NAMES,
    h36m_to_jhmdb,
    h36m_to_skeleton,
    load_h36m,
    load_jhmdb,
)
from sklearn_skippose.model_selection import PredefinedSplits, inner_splits
from sklearn_skippose.utils import keypoints_to_dataset, sequence_lengths

EXAMPLE = "jhmdb/official_layout_example"
CLIP = "joint_positions/catch/Goal_Keeping_Tips_catch_f_cm_np1_fr_med_2/joint_positions.mat"


def test_jhmdb_bundle_sizes(jhmdb):
    assert jhmdb.data.shape == (804, 40, 30)
    assert len(jhmdb.target_names) == 21
    assert jhmdb.target.shape == (804,)
    assert (jhmdb.splits == 1).sum(axis=0).tolist() == [536, 534, 539]
    assert (jhmdb.splits == 2).sum(axis=0).tolist() == [268, 270, 265]
    assert jhmdb.lengths.min() == 15 and jhmdb.lengths.max() == 40
    np.testing.assert_array_equal(sequence_lengths(jhmdb.data), jhmdb.lengths)
    assert jhmdb.joint_names[:3] == ["neck", "belly", "face"]


def test_jhmdb_pixel_world_and_masking(data_home):
    world = load_jhmdb(data_home, coords="world", mask_out_of_frame=False)
    pix = load_jhmdb(data_home, coords="pixel", mask_out_of_frame=False)
    np.testing.assert_allclose(pix.data, world.data * 108 + np.tile([160, 120], 15))
    masked = load_jhmdb(data_home)
    real = np.arange(40)[None, :] < masked.lengths[:, None]
    frac_in = (~np.isnan(masked.data[real])).mean()
    assert 0.99 < frac_in < 1.0  # README: 99.7 % of joints inside the frame
    inside = ~np.isnan(masked.data)
    assert (masked.data[inside][0::2] >= 0).all()
    xs = masked.data[..., 0::2]
    ys = masked.data[..., 1::2]
    assert np.nanmax(xs) < 320 and np.nanmax(ys) < 240


def test_official_layout_matches_mat(data_home):
    root = data_home / EXAMPLE
    b = load_jhmdb(root, layout="official", splits_dir=data_home / "jhmdb" / "splits",
                   mask_out_of_frame=False)
    mat = loadmat(root / CLIP)
    assert b.data.shape == (1, 40, 30)
    np.testing.assert_array_equal(b.data[0].reshape(40, 15, 2), mat["pos_img"].transpose(2, 1, 0))
    w = load_jhmdb(root, layout="official", coords="world", mask_out_of_frame=False)
    np.testing.assert_array_equal(w.data[0].reshape(40, 15, 2), mat["pos_world"].transpose(2, 1, 0))
    # official split files: train in splits 1 and 2, test in split 3
    assert b.splits.tolist() == [[1, 1, 2]]
    assert b.target_names.tolist() == ["catch"]
    c = load_jhmdb(root, layout="official", classes="catch", mask_out_of_frame=False)
    np.testing.assert_array_equal(c.data, b.data)
    with pytest.raises(ValueError, match="not in JHMDB; the classes are: catch"):
        load_jhmdb(root, layout="official", classes="clap")


def test_malformed_mat(tmp_path):
    d = tmp_path / "joint_positions" / "run" / "clip1"
    d.mkdir(parents=True)
    (d / "joint_positions.mat").write_bytes(b"not a mat file")
    with pytest.raises(ValueError, match="Malformed JHMDB annotation file"):
        load_jhmdb(tmp_path)
    savemat(d / "joint_positions.mat", {"pos_world": np.zeros((3, 15, 4))})
    with pytest.raises(ValueError, match="pos_img|shape"):
        load_jhmdb(tmp_path)


def test_malformed_bundle(tmp_path):
    path = tmp_path / "jhmdb" / "jhmdb_gt2d_partial.npz"
    path.parent.mkdir()
    np.savez(path, pos_world=np.zeros((4, 15, 2)))  # the other arrays missing
    with pytest.raises(ValueError, match="Malformed JHMDB bundle .*offsets"):
        load_jhmdb(tmp_path)
    np.savez(path, pos_world=np.zeros((4, 15, 3)), offsets=[0, 4], labels=["run"],
             splits=np.ones((1, 3)), joint_names=["j"] * 15, clip_sha1=["x"])
    with pytest.raises(ValueError, match=r"pos_world has shape \(4, 15, 3\)"):
        load_jhmdb(tmp_path)


@pytest.mark.parametrize("loader, folder, name, what", [
    (load_jhmdb, "jhmdb", "jhmdb_gt2d_partial.npz", "JHMDB bundle"),
    (load_h36m, "h36m", "h36m_pos3d_17j_25hz.npz", "Human3.6M file"),
])
def test_bundle_that_is_not_an_npz_archive(tmp_path, loader, folder, name, what):
    path = tmp_path / folder / name
    path.parent.mkdir()
    for content, match in [(b"not an archive", "not a .npz archive of numeric arrays"),
                           (b"", "not a .npz archive of numeric arrays")]:
        path.write_bytes(content)
        with pytest.raises(ValueError, match=f"Malformed {what} .*{match}") as exc:
            loader(tmp_path)
        assert "pickle" not in str(exc.value)  # numpy's advice does not apply
    with open(path, "wb") as f:  # a bare .npy under the bundle's name
        np.save(f, np.zeros(3))
    with pytest.raises(ValueError, match=f"Malformed {what} .*a single array"):
        loader(tmp_path)


def test_h36m_recordings_that_are_not_numbers(tmp_path):
    path = tmp_path / "h36m" / "h36m_pos3d_17j_25hz.npz"
    path.parent.mkdir()
    np.savez(path, **{"S1/walking_1": np.array(["a", "b"])})
    with pytest.raises(ValueError, match="S1/walking_1 is not an array of numbers"):
        load_h36m(tmp_path)
    np.savez(path, **{"S1/walking_1": np.zeros((5, 16, 3))})
    with pytest.raises(ValueError, match=r"S1/walking_1 has shape \(5, 16, 3\), expected"):
        load_h36m(tmp_path)
    np.savez(path, **{"S1/walking_1": np.zeros((5, 17, 3)), "S5/eating_1": np.zeros((5, 17, 3))})
    with pytest.raises(ValueError, match="No Human3.6M recording matches subjects=.'S1'.*"
                                         "actions=.'eating'"):
        load_h36m(tmp_path, subjects="S1", actions="eating")


def test_official_layout_edge_cases(tmp_path):
    """A single-frame clip squeezed to 2D by MATLAB; split files with other
    names or bad lines; joint counts that differ between clips."""
    d = tmp_path / "joint_positions" / "run" / "clip1"
    d.mkdir(parents=True)
    one = np.arange(30.0).reshape(2, 15)  # (2, n_joints): one frame
    savemat(d / "joint_positions.mat", {"pos_world": one, "pos_img": one})
    splits = tmp_path / "splits"
    splits.mkdir()
    (splits / "run_test_split1.txt").write_text("clip1.avi 2\n\n")
    (splits / "run_test_split9.txt").write_text("clip1.avi 1\n")  # not a split: ignored
    b = load_jhmdb(tmp_path, layout="official", splits_dir=splits, mask_out_of_frame=False)
    assert b.data.shape == (1, 1, 30)
    np.testing.assert_array_equal(b.data[0, 0].reshape(15, 2), one.T)
    assert b.splits.tolist() == [[2, 0, 0]]
    (splits / "run_test_split2.txt").write_text("clip1.avi 7\n")
    with pytest.raises(ValueError, match=r"Malformed split file .*line 1: 'clip1.avi 7'"):
        load_jhmdb(tmp_path, layout="official", splits_dir=splits)
    (splits / "run_test_split2.txt").unlink()
    d2 = tmp_path / "joint_positions" / "run" / "clip2"
    d2.mkdir()
    savemat(d2 / "joint_positions.mat", {"pos_world": np.zeros((2, 14, 3)),
                                          "pos_img": np.zeros((2, 14, 3))})
    with pytest.raises(ValueError, match=r"disagree on the joint count: \[14, 15\]"):
        load_jhmdb(tmp_path, layout="official")
    empty = tmp_path / "empty"
    (empty / "joint_positions").mkdir(parents=True)
    with pytest.raises(DataNotFoundError, match="No JHMDB data found"):
        load_jhmdb(empty, layout="official")


def test_missing_data_home(tmp_path):
    with pytest.raises(DataNotFoundError, match=str(tmp_path)) as exc:
        load_jhmdb(tmp_path)
    assert isinstance(exc.value, ValueError)
    assert "joint_positions" in str(exc.value) and "SKIPPOSE_DATA" in str(exc.value)
    with pytest.raises(ValueError, match="Human3.6M"):
        load_h36m(tmp_path)
    with pytest.raises(TypeError):
        get_data_home(3)


def test_data_home_default_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("SKIPPOSE_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert get_data_home() == tmp_path / "sklearn_skippose"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert get_data_home() == Path.home() / ".local" / "share" / "sklearn_skippose"


def test_data_home_env(monkeypatch, data_home):
    monkeypatch.setenv("SKIPPOSE_DATA", str(data_home))
    assert get_data_home() == data_home
    X, y = load_jhmdb(return_X_y=True)
    assert X.shape[0] == y.shape[0] == 804


def test_bad_loader_args(data_home):
    with pytest.raises(ValueError, match="coords"):
        load_jhmdb(data_home, coords="meters")
    with pytest.raises(ValueError, match="layout"):
        load_jhmdb(data_home, layout="zip")


def test_predefined_splits_cross_val(jhmdb):
    cv = PredefinedSplits(jhmdb.splits)
    assert cv.get_n_splits() == 3
    sizes = [(len(tr), len(te)) for tr, te in cv.split(jhmdb.data)]
    assert sizes == [(536, 268), (534, 270), (539, 265)]
    # a cheap pipeline over the three official splits, on the first 8 frames
    X = jhmdb.data[:, :8]
    pipe = make_pipeline(PoseNormalizer(), _NanToZero(), DTWNearestNeighbors())
    scores = cross_val_score(pipe, X, jhmdb.target, cv=cv)
    assert scores.shape == (3,)
    assert (scores > 1 / 21).all()  # better than chance


class _NanToZero:
    """Missing keypoints -> 0 inside real frames (the paper's masking)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X = X.copy()
        lengths = sequence_lengths(X)
        real = np.arange(X.shape[1])[None, :] < lengths[:, None]
        X[real] = np.nan_to_num(X[real])
        return X

    def fit_transform(self, X, y=None):
        return self.transform(X)

    def get_params(self, deep=True):
        return {}

    def set_params(self, **p):
        return self


def test_predefined_splits_errors():
    with pytest.raises(ValueError, match="samples"):
        list(PredefinedSplits(np.array([[1], [2]])).split(np.zeros((3, 1))))
    with pytest.raises(ValueError, match=r"Split 0 \(column 0 of splits\) has an empty test "
                                         r"set: no sample is coded 2 in it \(codes found: \[1\]\)"):
        list(PredefinedSplits(np.array([[1], [1]])).split())
    with pytest.raises(ValueError, match=r"Split 1 .* empty training set.*\[0, 2, 3\]"):
        list(PredefinedSplits(np.array([[1, 3], [2, 2], [1, 0]])).split())
    with pytest.raises(TypeError):
        PredefinedSplits(np.array([[1.5]])).get_n_splits()
    with pytest.raises(TypeError, match="train_code must be an integer code of splits, got '1'"):
        PredefinedSplits(np.array([[1], [2]]), train_code="1").get_n_splits()
    with pytest.raises(ValueError, match="train_code and test_code must differ, both are 1"):
        list(PredefinedSplits(np.array([[1], [2]]), test_code=1).split())
    for bad in (np.ones((2, 2, 2), dtype=int), np.ones((3, 0), dtype=int)):
        with pytest.raises(ValueError, match=r"splits must be a \(n_samples, n_splits\) "
                                             f"matrix, got shape {re.escape(str(bad.shape))}"):
            PredefinedSplits(bad).get_n_splits()


def test_predefined_splits_one_column():
    """A 1D code vector is one split (scikit-learn's PredefinedSplit reads one)."""
    codes = np.array([1, 2, 1, 0, 2])
    cv = PredefinedSplits(codes)
    assert cv.get_n_splits() == 1
    (train, test), = cv.split(np.zeros((5, 1)))
    assert train.tolist() == [0, 2] and test.tolist() == [1, 4]


def test_inner_splits_on_jhmdb(jhmdb):
    """Folds inside split 1's training clips from splits 2 and 3 (real sizes)."""
    idx, cv = inner_splits(jhmdb.splits, 0)
    np.testing.assert_array_equal(idx, np.flatnonzero(jhmdb.splits[:, 0] == 1))
    assert cv.get_n_splits() == 2
    folds = list(cv.split(idx))
    assert [(len(tr), len(te)) for tr, te in folds] == [(360, 176), (345, 191)]
    test1 = set(np.flatnonzero(jhmdb.splits[:, 0] == 2))
    for k, (tr, te) in zip((1, 2), folds):
        assert not set(tr) & set(te)
        assert len(tr) + len(te) == len(idx)  # every training clip is in one side
        # no test clip of split 1 is used, and the folds are split k's sides
        assert not (set(idx[tr]) | set(idx[te])) & test1
        assert (jhmdb.splits[idx[te], k] == 2).all()
        assert (jhmdb.splits[idx[tr], k] == 1).all()


def test_inner_splits_errors():
    splits = np.array([[1, 2], [2, 1], [1, 1]])
    with pytest.raises(ValueError, match="split must be"):
        inner_splits(splits, 2)
    with pytest.raises(ValueError, match="split must be"):
        inner_splits(splits, 1.0)
    with pytest.raises(ValueError, match="at least two"):
        inner_splits(np.array([[1], [2]]), 0)
    with pytest.raises(TypeError, match="integer codes"):
        inner_splits(np.array([[1.0, 2.0]]), 0)
    with pytest.raises(TypeError, match="test_code must be an integer code of splits, got None"):
        inner_splits(splits, 0, test_code=None)
    with pytest.raises(ValueError, match=r"Split 0 has no training sample: none is coded 7 "
                                         r"\(codes found: \[1, 2\]\)"):
        inner_splits(splits, 0, train_code=7)


def test_h36m_loader_and_mapping(h36m_home):
    h = load_h36m(h36m_home, subjects=["S1"], actions=["walking"])
    assert h.names == ["S1/walking_1", "S1/walking_2"]
    assert h.sequences[0].shape[1:] == (17, 3) and h.fps == 25
    full = load_h36m(h36m_home)
    assert len(full.sequences) == 189
    assert sum(len(s) for s in full.sequences) == 215011
    j = load_h36m(h36m_home, subjects=["S1"], actions=["walking"], joints="jhmdb")
    p17, p15 = h.sequences[0], j.sequences[0]
    assert p15.shape[1:] == (15, 3)
    np.testing.assert_allclose(p15[:, 0], p17[:, 8])  # neck = thorax
    np.testing.assert_allclose(p15[:, 1], (p17[:, 0] + p17[:, 7]) / 2, rtol=1e-6)
    np.testing.assert_allclose(p15[:, 2], (p17[:, 9] + p17[:, 10]) / 2, rtol=1e-6)
    np.testing.assert_allclose(p15[:, 13], p17[:, 3])  # right ankle = right foot
    np.testing.assert_allclose(p15[:, 12], p17[:, 13])  # left wrist
    with pytest.raises(ValueError, match=r"subjects \['S42'\] not in .*it holds S1, S11"):
        load_h36m(h36m_home, subjects=["S42"])


def test_h36m_selection_by_whole_names(h36m_home):
    # a string is one name: "S11" is not a list of characters, nor a
    # container in which "S1" is found
    assert set(load_h36m(h36m_home, subjects="S11").subjects) == {"S11"}
    dog = load_h36m(h36m_home, subjects="S1", actions="walkingdog")
    assert dog.names == ["S1/walkingdog_1", "S1/walkingdog_2"]
    with pytest.raises(ValueError, match=r"subjects \['S3'\] not in"):
        load_h36m(h36m_home, subjects=["S1", "S3"])  # one wrong name is not dropped
    with pytest.raises(ValueError, match=r"actions \['walkin'\] not in .*walking, walkingdog"):
        load_h36m(h36m_home, actions=["walkin"])
    with pytest.raises(TypeError, match="a name or a list of names"):
        load_h36m(h36m_home, subjects=[1])
    with pytest.raises(ValueError, match="subjects is empty"):
        load_h36m(h36m_home, subjects=[])


def test_h36m_to_jhmdb_bad_shape():
    with pytest.raises(ValueError, match="17"):
        h36m_to_jhmdb(np.zeros((4, 15, 3)))
    assert h36m_to_jhmdb(np.zeros((17, 2))).shape == (15, 2)


def test_h36m_to_skeleton_by_hand():
    P = np.random.default_rng(0).normal(size=(5, 17, 3))
    j = {name: P[:, i] for i, name in enumerate(H36M_JOINT_NAMES)}
    coco = h36m_to_skeleton(P, "coco")
    assert coco.shape == (5, 17, 3)
    c = {name: coco[:, i] for i, name in enumerate(COCO_JOINT_NAMES)}
    np.testing.assert_array_equal(c["nose"], j["neck_nose"])
    for side in ("left", "right"):
        np.testing.assert_array_equal(c[f"{side}_ankle"], j[f"{side}_foot"])
        for part in ("shoulder", "elbow", "wrist", "hip", "knee"):
            np.testing.assert_array_equal(c[f"{side}_{part}"], j[f"{side}_{part}"])
        assert np.isnan(c[f"{side}_eye"]).all() and np.isnan(c[f"{side}_ear"]).all()
    np.testing.assert_array_equal(h36m_to_skeleton(P, "h36m"), P)
    np.testing.assert_array_equal(h36m_to_skeleton(P, "jhmdb"), h36m_to_jhmdb(P))
    mine = h36m_to_skeleton(P, {"mid_hip": {"left_hip": 0.5, "right_hip": 0.5},
                                "top": {"head": 1}, "tail": None})
    np.testing.assert_allclose(mine[:, 0], (j["left_hip"] + j["right_hip"]) / 2)
    np.testing.assert_array_equal(mine[:, 1], j["head"])
    assert np.isnan(mine[:, 2]).all()
    assert h36m_to_skeleton(np.ones((17, 2), dtype=int), "jhmdb").dtype.kind == "f"


@pytest.mark.parametrize("joints, err, match", [
    ("openpose", ValueError, "joints must be one of"),
    (["nose"], TypeError, "skeleton name"),
    ({}, ValueError, "maps no joint"),
    ({"a": {"elbow": 1.0}}, ValueError, "'elbow', which is not a Human3.6M joint"),
    ({"a": {"hip": 0.5}}, ValueError, "sum to 0.5"),
    ({"a": {"hip": 1.5, "spine": -0.5}}, ValueError, "non-negative weight"),
    ({"a": "hip"}, TypeError, "must be None or a non-empty dict"),
    ({1: {"hip": 1.0}}, TypeError, "joint names must be strings"),
])
def test_bad_skeletons(joints, err, match):
    with pytest.raises(err, match=match):
        h36m_to_skeleton(np.zeros((17, 3)), joints)
    with pytest.raises(err, match=match):
        load_h36m("/nonexistent", joints=joints)  # before looking for the data


def test_h36m_loader_coco_skeleton(h36m_home):
    h = load_h36m(h36m_home, subjects=["S1"], actions=["walking"])
    c = load_h36m(h36m_home, subjects=["S1"], actions=["walking"], joints="coco")
    assert c.joint_names == list(COCO_JOINT_NAMES)
    assert [len(s) for s in c.sequences] == [len(s) for s in h.sequences]
    p17, p_coco = h.sequences[0], c.sequences[0]
    assert p_coco.shape[1:] == (17, 3) and p_coco.dtype == np.float32
    assert np.isnan(p_coco[:, 1:5]).all() and np.isfinite(p_coco[:, [0] + list(range(5, 17))]).all()
    np.testing.assert_array_equal(p_coco[:, 9], p17[:, 13])  # left wrist
    np.testing.assert_array_equal(p_coco[:, 16], p17[:, 3])  # right ankle = right foot


def test_load_jhmdb_bad_options(data_home):
    with pytest.raises(ValueError, match="dtype must be a floating type"):
        load_jhmdb(data_home, dtype=np.int32)  # NaN padding would become garbage
    with pytest.raises(ValueError, match="dtype must be a floating type"):
        load_jhmdb(data_home, dtype="not a dtype")
    with pytest.raises(TypeError, match="mask_out_of_frame must be True or False"):
        load_jhmdb(data_home, mask_out_of_frame="no")
    with pytest.raises(TypeError, match="return_X_y must be True or False, got 'yes'"):
        load_jhmdb(data_home, return_X_y="yes")
    with pytest.raises(TypeError, match="splits_dir must be None or a path"):
        load_jhmdb(data_home, splits_dir=3)
    # the bundle has its own splits: a splits_dir would be silently unused
    with pytest.raises(ValueError, match="splits_dir is read with the official layout only"):
        load_jhmdb(data_home, splits_dir=data_home)
    assert load_jhmdb(data_home, dtype=np.float32).data.dtype == np.float32


def test_world_to_pixel_layouts(data_home):
    # JHMDB's own conversion, checked on the bundle: world and pixel loads agree
    world = load_jhmdb(data_home, coords="world", mask_out_of_frame=False).data
    pixel = load_jhmdb(data_home, coords="pixel", mask_out_of_frame=False).data
    np.testing.assert_allclose(world_to_pixel(world), pixel, rtol=1e-12, equal_nan=True)
    pairs = world_to_pixel(world.reshape(*world.shape[:2], -1, 2))
    np.testing.assert_allclose(pairs.reshape(world.shape), pixel, rtol=1e-12, equal_nan=True)
    assert world_to_pixel([1.0, -1.0]).tolist() == [268.0, 12.0]  # 108 px per unit
    with pytest.raises(ValueError, match="x, y pairs on its last axis"):
        world_to_pixel(np.zeros((2, 7)))
    with pytest.raises(TypeError, match="pos_world must be an array-like of numbers"):
        world_to_pixel("abc")
    with pytest.raises(ValueError, match="pos_world must hold real numbers"):
        world_to_pixel(np.array([1 + 2j, 3]))  # not its real part with a warning


def test_load_jhmdb_classes(data_home, jhmdb):
    sub = load_jhmdb(data_home, classes=["walk", "clap"])
    names = jhmdb.target_names
    keep = np.isin(names[jhmdb.target], ["walk", "clap"])
    assert sub.target_names.tolist() == ["clap", "walk"]
    # the same clips, in the same order, with labels re-coded over the two classes
    np.testing.assert_array_equal(sub.clip_ids, jhmdb.clip_ids[keep])
    np.testing.assert_array_equal(sub.target_names[sub.target], names[jhmdb.target[keep]])
    np.testing.assert_array_equal(sub.splits, jhmdb.splits[keep])
    np.testing.assert_array_equal(sub.lengths, jhmdb.lengths[keep])
    m = sub.lengths.max()
    assert sub.data.shape == (keep.sum(), m, 30)
    np.testing.assert_array_equal(sub.data, jhmdb.data[keep][:, :m])
    X, y = load_jhmdb(data_home, classes="jump", return_X_y=True)  # one name, not letters
    assert len(X) == (jhmdb.target == list(names).index("jump")).sum() and set(y) == {0}
    with pytest.raises(ValueError, match=r"\['wave2'\] not in JHMDB.*clap"):
        load_jhmdb(data_home, classes=["wave", "wave2"])
    with pytest.raises(ValueError, match="empty"):
        load_jhmdb(data_home, classes=[])
    with pytest.raises(TypeError, match="name or a list of names"):
        load_jhmdb(data_home, classes=[1, 2])


def test_coco_to_jhmdb_by_hand():
    from sklearn_skippose.datasets import JHMDB_JOINT_NAMES, coco_to_jhmdb

    rng = np.random.default_rng(0)
    coco = rng.normal(size=(4, 17, 2))  # four frames
    jh = coco_to_jhmdb(coco)
    assert jh.shape == (4, 15, 2)
    c = {name: coco[:, i] for i, name in enumerate(COCO_JOINT_NAMES)}
    j = {name: jh[:, i] for i, name in enumerate(JHMDB_JOINT_NAMES)}
    neck = (c["left_shoulder"] + c["right_shoulder"]) / 2
    mid_hip = (c["left_hip"] + c["right_hip"]) / 2
    np.testing.assert_allclose(j["neck"], neck)
    np.testing.assert_allclose(j["belly"], mid_hip + 0.25 * (neck - mid_hip))
    np.testing.assert_allclose(j["face"], (c["nose"] + c["left_eye"] + c["right_eye"]) / 3)
    for name in ("left_elbow", "right_wrist", "left_knee", "right_ankle", "left_hip"):
        np.testing.assert_array_equal(j[name], c[name])


def test_coco_to_jhmdb_missing_keypoints_and_confidences():
    from sklearn_skippose.datasets import JHMDB_JOINT_NAMES, coco_to_jhmdb

    idx = {name: i for i, name in enumerate(COCO_JOINT_NAMES)}
    out = {name: i for i, name in enumerate(JHMDB_JOINT_NAMES)}
    kp = np.ones((17, 3))
    kp[:, 0] = np.arange(17.0)
    kp[:, 2] = np.linspace(0.5, 0.9, 17)
    kp[idx["left_eye"]] = [99.0, 99.0, 0.0]  # not found: confidence 0
    kp[idx["right_shoulder"], :2] = np.nan  # missing coordinates
    jh = coco_to_jhmdb(kp)
    # the face from the nose and the right eye, its confidence their lowest
    face = jh[out["face"]]
    assert face[0] == (idx["nose"] + idx["right_eye"]) / 2
    assert face[2] == min(kp[idx["nose"], 2], kp[idx["right_eye"], 2])
    # the neck and the belly need both shoulders: missing, confidence 0
    for name in ("neck", "belly", "right_shoulder"):
        assert np.isnan(jh[out[name], :2]).all() and jh[out[name], 2] == 0
    assert jh[out["left_knee"], 2] == kp[idx["left_knee"], 2]
    # keypoints_to_dataset takes the result as an estimator's output
    X = keypoints_to_dataset([np.stack([jh, jh])])
    assert X.shape == (1, 2, 30)
    assert np.isnan(X[0, 0]).sum() == 6  # neck, belly, right shoulder
    # nose and both eyes gone: no face
    kp[[idx["nose"], idx["right_eye"]], 2] = 0.0
    assert np.isnan(coco_to_jhmdb(kp)[out["face"], :2]).all()


def test_coco_to_jhmdb_agrees_with_the_human36m_puppet(data_home):
    """Human3.6M as COCO keypoints, then JHMDB's puppet, against Human3.6M's
    own puppet: the same points where both skeletons have them, and the
    derived joints within a fraction of the torso."""
    from sklearn_skippose.datasets import JHMDB_JOINT_NAMES, coco_to_jhmdb

    # seen from the front: x and the vertical z
    poses = load_h36m(data_home, subjects="S1", actions="walking").sequences[0][::10][..., [0, 2]]
    direct = h36m_to_jhmdb(poses)
    coco = h36m_to_skeleton(poses, "coco")
    coco[:, 1:3] = coco[:, [0]]  # eyes at the nose (Human3.6M records no eyes)
    via = coco_to_jhmdb(coco)
    names = list(JHMDB_JOINT_NAMES)
    torso = np.linalg.norm(direct[:, names.index("neck")] - direct[:, names.index("belly")],
                           axis=-1).mean()
    err = np.linalg.norm(via - direct, axis=-1).mean(axis=0) / torso
    same = [n for n in names if n not in ("neck", "belly", "face")]
    np.testing.assert_allclose(err[[names.index(n) for n in same]], 0, atol=1e-5)
    for name in ("neck", "belly", "face"):  # 0.15, 0.04 and 0.15 over all of Human3.6M
        assert err[names.index(name)] < 0.25, (name, err[names.index(name)])


@pytest.mark.parametrize("bad, exc, match", [
    (np.zeros((4, 15, 2)), ValueError, r"COCO's 17 keypoints.*got shape \(4, 15, 2\)"),
    (np.zeros((4, 17, 4)), ValueError, r"\(\.\.\., 17, 2\) with x, y"),
    (np.zeros(17), ValueError, "got shape"),
    ("keypoints", TypeError, "numeric array"),
    ([[{"x": 1}] * 2] * 17, TypeError, "numeric array"),
])
def test_coco_to_jhmdb_bad_input(bad, exc, match):
    from sklearn_skippose.datasets import coco_to_jhmdb

    with pytest.raises(exc, match=match):
        coco_to_jhmdb(bad)
