import numpy as np
import pytest

from sklearn_skippose.utils import (
    check_sequence_dataset,
    keypoint_mask,
    keypoints_to_dataset,
    sequence_lengths,
    to_sequence_dataset,
)
from sklearn_skippose import PoseNormalizer


def test_ragged_lists_and_4d():
    a, b = np.ones((3, 2, 2)), np.zeros((5, 4))
    X = to_sequence_dataset([a, b])
    assert X.shape == (2, 5, 4)
    assert np.isnan(X[0, 3:]).all() and (X[0, :3] == 1).all()
    np.testing.assert_array_equal(sequence_lengths(X), [3, 5])
    np.testing.assert_array_equal(sequence_lengths(np.zeros((2, 0, 4))), [0, 0])
    X4 = to_sequence_dataset(np.zeros((2, 6, 15, 2)))
    assert X4.shape == (2, 6, 30)
    assert to_sequence_dataset(np.zeros((4, 6))).shape == (4, 1, 6)


def test_inner_all_nan_frame_is_not_padding():
    X = np.zeros((1, 4, 2))
    X[0, 1] = np.nan
    X[0, 3] = np.nan
    assert sequence_lengths(X).tolist() == [3]


@pytest.mark.parametrize(
    "X, match, exc",
    [
        ([], "Empty", ValueError),
        (np.zeros((0, 3, 4)), "0 sequences", ValueError),
        (np.full((2, 3, 4), np.nan), "no real frame", ValueError),
        (np.zeros((1, 3, 5)), "even number", ValueError),
        (np.full((1, 3, 4), np.inf), "infinite", ValueError),
        (np.zeros(5), "dimension", ValueError),
        ("abc", "array-like", TypeError),
        ([np.zeros((2, 4)), np.zeros((2, 6))], "same number of features", ValueError),
        (np.array([[["a", "b"]]]), "numbers", TypeError),
        (np.zeros((2, 3, 4), dtype=complex), "Complex data not supported", ValueError),
        (np.zeros((3, 0, 4)), "every sequence needs at least one frame", ValueError),
        ([[[1.0, 2.0]], [[1.0, 2.0], [3.0]]], "Pass a list of per-sequence arrays",
         ValueError),
    ],
)
def test_bad_input(X, match, exc):
    with pytest.raises(exc, match=match):
        check_sequence_dataset(PoseNormalizer(), X, require_pairs=True)


def test_feature_mismatch_between_fit_and_transform():
    norm = PoseNormalizer().fit(np.zeros((2, 3, 4)) + np.arange(4))
    with pytest.raises(ValueError, match="X has 6 features, but PoseNormalizer is expecting 4"):
        norm.transform(np.zeros((2, 3, 6)))


def test_keypoint_mask_pairs():
    X = np.array([[[1.0, np.nan, 2.0, 3.0, np.nan, np.nan]]])
    assert keypoint_mask(X).astype(int).tolist() == [[[0, 0, 1, 1, 0, 0]]]
    assert keypoint_mask(X.astype(np.float32)).tolist() == keypoint_mask(X).tolist()
    with pytest.raises(ValueError, match="got a scalar"):
        keypoint_mask(3.0)
    with pytest.raises(TypeError, match="X must be an array-like of numbers, got NoneType"):
        keypoint_mask(None)
    with pytest.raises(ValueError, match="even number of features"):
        keypoint_mask(np.ones((1, 2, 5)))


def test_show_versions(capsys):
    import os

    import numpy
    import sklearn

    import sklearn_skippose
    from sklearn_skippose import show_versions
    from sklearn_skippose.__main__ import main

    show_versions()
    out = capsys.readouterr().out
    for section in ("System:", "Dependencies:", "Compute:"):
        assert section in out
    assert f"sklearn_skippose: {sklearn_skippose.__version__}" in out
    assert f"numpy: {numpy.__version__}" in out
    assert f"scikit-learn: {sklearn.__version__}" in out
    assert "cuda available: " in out and "numba threads: " in out
    assert f", {os.cpu_count()} logical cores" in out
    assert main(["show-versions"]) == 0
    assert capsys.readouterr().out == out  # the command prints the same
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"skippose {sklearn_skippose.__version__}"


def test_keypoints_to_dataset_masks_low_confidence_and_pads():
    # two joints, confidences chosen around the threshold 0.3
    a = np.array([
        [[1.0, 2.0, 0.9], [3.0, 4.0, 0.3]],    # joint 1 at the threshold: missing
        [[5.0, 6.0, 0.0], [7.0, 8.0, 0.31]],   # joint 0 not found
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],    # nothing found: an inner frame stays
        [[9.0, 9.5, np.nan], [1.5, 2.5, 1.0]],  # NaN confidence: missing
        [[0.0, 0.0, 0.1], [0.0, 0.0, 0.2]],    # trailing frame below threshold: padding
    ])
    b = np.array([[[1.0, np.nan, 0.9], [2.0, 2.0, 0.5]]])  # NaN coordinate: missing
    X = keypoints_to_dataset([a, b], min_confidence=0.3)
    nan = np.nan
    expected = np.array([
        [[1.0, 2.0, nan, nan], [nan, nan, 7.0, 8.0], [nan] * 4, [nan, nan, 1.5, 2.5]],
        [[nan, nan, 2.0, 2.0], [nan] * 4, [nan] * 4, [nan] * 4],
    ])
    np.testing.assert_array_equal(X, expected)
    np.testing.assert_array_equal(sequence_lengths(X), [4, 1])
    # the default keeps every keypoint that was found, and a 4D array works alike
    X0 = keypoints_to_dataset(np.stack([a, a]), dtype=np.float32)
    assert X0.dtype == np.float32 and X0.shape == (2, 5, 4)
    np.testing.assert_array_equal(X0[0, 4], [0.0, 0.0, 0.0, 0.0])
    assert np.isnan(X0[0, 1, :2]).all() and np.isnan(X0[0, 2]).all()
    # the result is the package's pose layout
    PoseNormalizer().fit_transform(X)


@pytest.mark.parametrize(
    "keypoints, kwargs, match, exc",
    [
        ([np.zeros((3, 2, 2))], {}, r"\(n_frames, n_joints, 3\)", ValueError),
        ([np.zeros((3, 75))], {}, r"np.reshape\(frames, \(n_frames, -1, 3\)\)", ValueError),
        (np.zeros((3, 2, 3)), {}, r"pass \[keypoints\]", ValueError),
        ([np.zeros((3, 2, 3)), np.zeros((3, 4, 3))], {}, "same number of joints", ValueError),
        ([np.ones((3, 2, 3)) * 0.1], {"min_confidence": 0.5}, "no keypoint", ValueError),
        ([np.ones((3, 2, 3))], {"min_confidence": -1}, ">= 0", ValueError),
        ([np.ones((3, 2, 3))], {"min_confidence": np.nan}, "finite", ValueError),
        ([np.ones((3, 2, 3))], {"min_confidence": "high"}, "real number", TypeError),
        ([np.ones((3, 2, 3))], {"dtype": int}, "floating", ValueError),
        ([np.full((3, 2, 3), np.inf)], {}, "infinite", ValueError),
        ([], {}, "Empty", ValueError),
        ("keypoints", {}, "array-like of numbers", TypeError),
    ],
)
def test_keypoints_to_dataset_bad_input(keypoints, kwargs, match, exc):
    with pytest.raises(exc, match=match):
        keypoints_to_dataset(keypoints, **kwargs)


def test_confidence_channel_gets_a_pointer():
    with pytest.raises(ValueError, match="keypoints_to_dataset"):
        to_sequence_dataset([np.zeros((3, 17, 3)), np.zeros((4, 17, 3))])
    with pytest.raises(ValueError, match="keypoints_to_dataset"):
        to_sequence_dataset(np.zeros((2, 3, 17, 3)))
