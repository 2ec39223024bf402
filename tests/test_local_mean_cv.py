"""``benchmarks/local_mean_cv.py``: the local-mean rule by hand, and its m = 1 column
against the 1-NN pipeline fitted on each video-disjoint fold by hand."""

import re

import numpy as np
import pytest

from tests.conftest import load_benchmark, pca_fold_accuracies

# tests of a script in benchmarks/, not of the package: .ci/run runs them in the
# main environment only
pytestmark = pytest.mark.benchmark_script


def test_local_mean_and_vote_by_hand():
    mod = load_benchmark("local_mean_cv")
    y_dict = np.array([0, 0, 1, 1, 1, 2])
    S = np.array([[0.9, 0.1, 0.8, 0.7, 0.3, 0.2],    # 1-NN: class 0; mean of 2 best: 1 (0.75 > 0.5)
                  [0.2, 0.3, 0.1, 0.0, 0.1, 0.95]])  # class 2 (a single clip) either way
    np.testing.assert_array_equal(mod.local_mean_predict(S, y_dict, 1), [0, 2])
    np.testing.assert_array_equal(mod.local_mean_predict(S, y_dict, 2), [1, 2])
    # m larger than a class: that class averages what it has
    np.testing.assert_array_equal(mod.local_mean_predict(S, y_dict, 3), [1, 2])
    # 3-NN: row 0 votes 0, 1, 1 -> 1; row 1 votes 2, 0, 0 -> 0
    np.testing.assert_array_equal(mod.vote_predict(S, y_dict), [1, 0])
    # a 1-1-1 tie goes to the nearest neighbour's class
    np.testing.assert_array_equal(mod.vote_predict(np.array([[0.5, 0.0, 0.9, 0.0, 0.0, 0.7]]),
                                                   y_dict), [1])


def test_first_column_is_one_nn(data_home, capsys):
    mod = load_benchmark("local_mean_cv")
    mod.main(["--data-home", str(data_home), "--method", "pca", "--splits", "2",
              "--window", "4", "--n-components", "16", "--m", "1,2"])
    out = capsys.readouterr().out
    got = [float(v) for v in re.findall(r"fold \d \(\d+ s\): m=1 ([\d.]+)", out)]
    want = pca_fold_accuracies(data_home, 1, 4, 16)
    np.testing.assert_allclose(got, 100 * np.array(want), atol=0.051)
    assert "pca T=4 d=16: mean per-class accuracy over 2 folds" in out
    assert re.search(r"m=2 +\d+\.\d", out) and "3-NN vote" in out


@pytest.mark.parametrize("argv, message", [
    (["--splits", "4"], "--splits must be among"),
    (["--m", "0"], "--m values >= 1"),
    (["--m", "a"], "comma-separated integers"),
    (["--set", "cell"], "NAME=VALUE"),
])
def test_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit):
        load_benchmark("local_mean_cv").main(argv)
    assert message in capsys.readouterr().err
