import numpy as np
import pytest

from sklearn_skippose.utils import (
    check_sequence_dataset,
    keypoint_mask,
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


def test_show_versions(capsys):
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
    assert main(["show-versions"]) == 0
    assert capsys.readouterr().out == out  # the command prints the same
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"skippose {sklearn_skippose.__version__}"
