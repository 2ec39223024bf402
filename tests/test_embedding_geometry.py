"""``benchmarks/embedding_geometry.py``: its measures by hand, its arguments, and
a run on real data."""

import numpy as np
import pytest

from tests.conftest import load_benchmark

# tests of a script in benchmarks/, not of the package: .ci/run runs them in the
# main environment only
pytestmark = pytest.mark.benchmark_script


@pytest.fixture(scope="module")
def mod():
    return load_benchmark("embedding_geometry")


def test_frames_drop_padding_and_holes(mod):
    Z = np.full((2, 3, 2), np.nan)
    Z[0, :2] = [[1, 2], [3, 4]]
    Z[1, 0] = [5, 6]
    Z[1, 1] = [7, np.nan]  # a frame with a hole is not a real embedding
    np.testing.assert_array_equal(mod.frames(Z), [[1, 2], [3, 4], [5, 6]])


def test_pair_cosines_by_hand(mod, rng):
    # two orthogonal rows and their negatives: every distinct pair is 0 or -1
    F = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0], [0.0, -1.0]])
    c = mod.pair_cosines(F, 500, rng)
    assert set(np.round(c, 12)) <= {0.0, -1.0} and (c == -1).any() and (c == 0).any()
    # one shared direction: every pair is 1 (never a row with itself: 2 rows only)
    c = mod.pair_cosines(np.array([[1.0, 1.0], [2.0, 2.0]]), 50, rng)
    np.testing.assert_allclose(c, 1.0)


def test_top_variance_share_by_hand(mod, rng):
    # independent features of variances 9, 4, 1, 1: the first two carry 13 / 15
    F = rng.normal(size=(200_000, 4)) * [3.0, 2.0, 1.0, 1.0]
    assert mod.top_variance_share(F, k=2) == pytest.approx(13 / 15, abs=0.01)
    assert mod.top_variance_share(F, k=4) == pytest.approx(1.0)


@pytest.mark.parametrize("bad", [["--window", "0"], ["--pairs", "-1"], ["--split", "4"],
                                 ["--normalize", "bbox"]])
def test_bad_arguments_are_refused(mod, bad):
    with pytest.raises(SystemExit):
        mod.main(bad)


def test_runs_on_real_data(mod, data_home, capsys):
    assert mod.main(["--data-home", str(data_home), "--max-epochs", "1", "--pairs", "2000",
                     "--n-components", "16"]) == 0
    rows = {tuple(line.split()[:2]): [float(v) for v in line.split()[2:]]
            for line in capsys.readouterr().out.splitlines()
            if line.startswith(("PCA ", "Skip-Pose "))}
    assert len(rows) == 6
    for (_, scaling), (mean, q10, q50, q90, top5) in rows.items():
        assert -1 <= q10 <= q50 <= q90 <= 1 and 0 < top5 <= 1
        if scaling != "none":  # centred by the scaler
            assert abs(mean) < 0.05
    assert abs(rows[("PCA", "none")][0]) < 0.05  # PCA centres the windows itself
    assert rows[("PCA", "whiten")][4] < rows[("PCA", "none")][4]
