"""``benchmarks/select_settings.py``: its ranking is what the pipeline gives by hand."""

import re

import numpy as np
import pytest

from tests.conftest import load_benchmark, pca_fold_accuracies


def _script():
    return load_benchmark("select_settings")


def test_row_matches_the_folds_by_hand(data_home, capsys):
    """One printed row (PCA, T = 2, 8 components, whitened, mean cosine, mirrored
    dictionary) against the same pipeline fitted on each video-disjoint fold by hand."""
    from sklearn_skippose.datasets import load_jhmdb
    from sklearn_skippose.model_selection import inner_splits

    assert _script().main(["--data-home", str(data_home), "--methods", "pca", "--normalize",
                           "first_pose_isotropic", "--window", "2", "--n-components", "8",
                           "--split", "2"]) == 0
    out = capsys.readouterr().out
    assert "test clips unused" in out
    rows = [ln for ln in out.splitlines() if ln.strip().startswith("T=2 d=8")]
    assert len(rows) == 3 * 2 * 2 * 2  # scalers x aggregates x metrics x mirror
    row = next(ln for ln in rows if "scale=white" in ln and "aggregate=mean" in ln
               and "metric=cosine" in ln and "mirror=yes" in ln)
    folds = [float(v) for v in re.search(r"folds ([\d.]+) ([\d.]+)", row).groups()]

    by_hand = pca_fold_accuracies(data_home, 1, window=2, n_components=8)
    assert [100 * a for a in by_hand] == pytest.approx(folds, abs=0.051)  # printed to one decimal
    jh = load_jhmdb(data_home)
    idx, _ = inner_splits(jh.splits, 1)
    assert np.isin(idx, np.flatnonzero(jh.splits[:, 1] == 1)).all()  # training clips only


@pytest.mark.parametrize("argv", [["--random-state", "-1"], ["--window", "0"],
                                  ["--n-components", "x"], ["--contrastive", "-1"]])
def test_bad_arguments(argv):
    with pytest.raises(SystemExit):
        _script().main(argv)
