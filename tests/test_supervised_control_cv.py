"""``benchmarks/supervised_control_cv.py``: the supervised window encoder on
synthetic clips it must separate, and the script's PCA column against the
1-NN pipeline fitted on each video-disjoint fold by hand."""

import re

import numpy as np
import pytest

from tests.conftest import load_benchmark, pca_fold_accuracies

# tests of a script in benchmarks/, not of the package: .ci/run runs them in the
# main environment only
pytestmark = pytest.mark.benchmark_script


def _two_motions(n_per_class=12, length=10, n_features=6, seed=0):
    """Class 0 moves every x to the right, class 1 every y up, from random poses."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for c in (0, 1):
        for _ in range(n_per_class):
            start = rng.normal(size=n_features)
            step = np.zeros(n_features)
            step[c::2] = 1.0
            X.append(start + np.arange(length)[:, None] * step
                     + 0.02 * rng.normal(size=(length, n_features)))
            y.append(c)
    return np.array(X), np.array(y)


def test_encoder_learns_the_labels_and_embeds_every_window():
    mod = load_benchmark("supervised_control_cv")
    X, y = _two_motions()
    X[3, 7:] = np.nan  # a shorter clip: 7 frames, so 7 - 3 + 1 windows
    enc = mod.SupervisedWindowEncoder(window=3, n_components=8, max_epochs=30, patience=3,
                                      lr=1e-2, batch_size=16, random_state=0)
    val = np.zeros(len(X), bool)
    val[[0, 1, 12, 13]] = True
    enc.fit(X, y, validation_clips=val)
    # early stopping: three epochs without a better validation accuracy
    assert enc.n_epochs_ == enc.best_epoch_ + 3 < 30
    assert [h["epoch"] for h in enc.history_] == list(range(1, enc.n_epochs_ + 1))
    assert enc.history_[enc.best_epoch_ - 1]["valid_accuracy"] == 1.0
    np.testing.assert_array_equal(enc.predict_clips(X), y)
    Z = enc.transform(X)
    assert Z.shape == (24, 8, 8)
    assert np.isnan(Z[3, 5:]).all() and np.isfinite(Z[3, :5]).all()
    assert np.isfinite(np.delete(Z, 3, axis=0)).all()


def test_fine_tuning_starts_from_the_given_network():
    from sklearn_skippose import SkipPoseEmbedder

    mod = load_benchmark("supervised_control_cv")
    X, y = _two_motions(n_per_class=4)
    start = SkipPoseEmbedder(window=2, n_components=4, max_epochs=1, random_state=1).fit(X)
    enc = mod.SupervisedWindowEncoder(window=2, n_components=4, max_epochs=1, lr=1e-12,
                                      random_state=0)
    enc.init_module = start.module_
    enc.fit(X, y)
    np.testing.assert_allclose(enc.transform(X), start.transform(X), atol=1e-6)
    fresh = mod.SupervisedWindowEncoder(window=2, n_components=4, max_epochs=1, lr=1e-12,
                                        random_state=0).fit(X, y)
    assert not np.allclose(fresh.transform(X), start.transform(X), atol=1e-3)


@pytest.mark.parametrize("mask", [np.zeros(8, bool), np.ones(8, bool), np.ones(3, bool)])
def test_bad_validation_clips(mask):
    mod = load_benchmark("supervised_control_cv")
    X, y = _two_motions(n_per_class=4)
    with pytest.raises(ValueError, match="boolean mask over the clips"):
        mod.SupervisedWindowEncoder(window=2, n_components=4, max_epochs=1).fit(
            X, y, validation_clips=mask)


def test_pca_column_is_the_one_nn_pipeline(data_home, capsys):
    mod = load_benchmark("supervised_control_cv")
    assert mod.main(["--data-home", str(data_home), "--splits", "2", "--window", "2",
                     "--n-components", "8", "--max-epochs", "2", "--pca-window", "4",
                     "--pca-components", "16"]) == 0
    out = capsys.readouterr().out
    got = [float(v) for v in re.findall(r"epochs, best \d+\): PCA ([\d.]+) \|", out)]
    np.testing.assert_allclose(got, 100 * np.array(pca_fold_accuracies(data_home, 1, 4, 16)),
                               atol=0.051)
    assert "supervised encoder T=2 d=8; PCA T=4 d=16: mean per-class accuracy over 2 folds" \
        in out
    assert re.search(r"supervised \+ DTW +\d+\.\d", out)
    assert re.search(r"supervised, no DTW +\d+\.\d", out)


@pytest.mark.parametrize("argv, message", [
    (["--splits", "4"], "--splits must be among"),
    (["--splits", "a"], "comma-separated integers"),
    (["--window", "0"], "--window must be >= 1"),
    (["--dropout", "1"], "--dropout must be in [0, 1)"),
])
def test_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit):
        load_benchmark("supervised_control_cv").main(argv)
    assert message in capsys.readouterr().err
