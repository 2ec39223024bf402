"""``benchmarks/reconstruction_baselines.py``: the untrained predictors by hand, and
the trained model scored on exactly the triplets they are."""

import numpy as np
import pytest

from tests.conftest import load_benchmark

# tests of a script in benchmarks/, not of the package: .ci/run runs them in the
# main environment only
pytestmark = pytest.mark.benchmark_script


def test_triplets_are_every_run_of_real_frames():
    mod = load_benchmark("reconstruction_baselines")
    X = np.full((2, 9, 2), np.nan)
    X[0, :8] = np.arange(16).reshape(8, 2)  # 8 real frames: 8 - 6 + 1 = 3 runs
    X[1, :5] = 1.0  # shorter than a triplet: none
    T = mod.triplets(X, 2)
    assert T.shape == (3, 6, 2)
    np.testing.assert_array_equal(T[2], X[0, 2:8])


def test_trivial_predictors_by_hand():
    """Constant velocity: extrapolation is exact, copying is off by k steps
    at the k-th frame away from the current window."""
    mod = load_benchmark("reconstruction_baselines")
    w, v = 3, 0.5
    t = np.arange(3 * w, dtype=float)
    T = np.stack([np.column_stack([v * t, 2.0 + 0 * t])])  # x moves, y stays
    err = mod.trivial_errors(T, w)
    assert err["extrapolate"] == pytest.approx(0.0, abs=1e-12)
    # x errors are v * k for k = 1..w on both sides; y errors 0; 2 * w frames x 2 coordinates
    expected = 2 * sum((v * k) ** 2 for k in range(1, w + 1)) / (2 * w * 2)
    assert err["copy"] == pytest.approx(expected)
    past_future = np.concatenate([T[0, :w], T[0, 2 * w:]])
    assert err["zero"] == pytest.approx(np.mean(past_future ** 2))
    # a missing coordinate is left out
    T[0, 0, 0] = np.nan
    assert np.isfinite(mod.trivial_errors(T, w)["copy"])


def test_runs_on_real_data(data_home, capsys):
    mod = load_benchmark("reconstruction_baselines")
    assert mod.main(["--data-home", str(data_home), "--windows", "2", "--max-epochs", "2"]) == 0
    out = capsys.readouterr().out
    row = [line.split() for line in out.splitlines() if line.strip().startswith("2 ")][0]
    model, copy, extrapolate, zero = map(float, row[2:6])
    assert 0 < copy < extrapolate < zero and 0 < model < zero
