"""``benchmarks/dilated_windows_cv.py``: phase sub-sequences and dilated windows by
hand, and its d = 1 column against the 1-NN pipeline fitted on each fold by hand."""

import re

import numpy as np
import pytest

from sklearn_skippose import PCAEmbedder
from sklearn_skippose.utils import to_sequence_dataset
from tests.conftest import load_benchmark, pca_fold_accuracies

# tests of a script in benchmarks/, not of the package: .ci/run runs them in the
# main environment only
pytestmark = pytest.mark.benchmark_script


def _ragged(rng, lengths, n_features=4):
    return to_sequence_dataset([rng.normal(size=(n, n_features)) for n in lengths])


def test_phase_sequences_by_hand():
    mod = load_benchmark("dilated_windows_cv")
    X = _ragged(np.random.default_rng(0), [7, 1, 4])
    P, lengths = mod.phase_sequences(X, 3)
    np.testing.assert_array_equal(lengths, [7, 1, 4])
    assert P.shape == (9, 3, 4)
    want = [X[0, [0, 3, 6]], X[0, [1, 4]], X[0, [2, 5]],
            X[1, [0]], X[1, [0]], X[1, [0]],  # no frame at phases 1, 2: the last frame
            X[2, [0, 3]], X[2, [1]], X[2, [2]]]
    for row, w in zip(P, want):
        np.testing.assert_array_equal(row[:len(w)], w)
        assert np.isnan(row[len(w):]).all()


@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_every_step_is_the_window_of_every_dth_frame(dilation):
    mod = load_benchmark("dilated_windows_cv")
    rng = np.random.default_rng(1)
    T = 3
    X = _ragged(rng, [20, 13, 9, 16])
    dw = mod.DilatedWindows(PCAEmbedder(window=T, n_components=4), dilation).fit(X)
    E = dw.transform(X)
    for i, n in enumerate([20, 13, 9, 16]):
        steps = n - dilation * (T - 1)
        assert np.isfinite(E[i, :steps]).all() and np.isnan(E[i, steps:]).all()
        for t in range(steps):  # the window on its own, as a sequence of exactly T frames
            alone = dw.embedder_.transform(X[i, t:t + dilation * T:dilation][None])
            np.testing.assert_allclose(E[i, t], alone[0, 0], rtol=1e-6, atol=1e-9)
    if dilation == 1:  # the embedder itself, fitted on the clips
        direct = PCAEmbedder(window=T, n_components=4).fit(X)
        np.testing.assert_allclose(E, direct.transform(X), rtol=1e-6, atol=1e-9)


def test_short_sequence_gets_one_step():
    mod = load_benchmark("dilated_windows_cv")
    X = _ragged(np.random.default_rng(2), [12, 3])
    E = mod.DilatedWindows(PCAEmbedder(window=3, n_components=2), 2).fit(X).transform(X)
    assert np.isfinite(E[1, 0]).all() and np.isnan(E[1, 1:]).all()


def test_bad_dilation_raises():
    mod = load_benchmark("dilated_windows_cv")
    X = _ragged(np.random.default_rng(3), [8, 8])
    with pytest.raises(ValueError, match="dilation must be an integer >= 1"):
        mod.DilatedWindows(PCAEmbedder(window=2, n_components=2), 0).fit(X)


def test_first_column_is_the_pipeline(data_home, capsys):
    mod = load_benchmark("dilated_windows_cv")
    mod.main(["--data-home", str(data_home), "--method", "pca", "--splits", "2",
              "--window", "4", "--n-components", "16", "--dilation", "1,2"])
    out = capsys.readouterr().out
    got = [float(v) for v in re.findall(r"fold \d: d=1 ([\d.]+)", out)]
    want = pca_fold_accuracies(data_home, 1, 4, 16)
    np.testing.assert_allclose(got, 100 * np.array(want), atol=0.051)
    assert "pca T=4 n_components=16: mean per-class accuracy over 2 folds" in out
    assert re.search(r"d=2 +\d+\.\d", out)


@pytest.mark.parametrize("argv, message", [
    (["--splits", "4"], "--splits must be among"),
    (["--dilation", "0"], "--dilation values >= 1"),
    (["--dilation", "a"], "comma-separated integers"),
])
def test_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit):
        load_benchmark("dilated_windows_cv").main(argv)
    assert message in capsys.readouterr().err
