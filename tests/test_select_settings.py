"""``benchmarks/select_settings.py``: its ranking is what the pipeline gives by hand."""

import importlib.util
import re

import numpy as np
import pytest

from tests.conftest import REPO


def _script():
    spec = importlib.util.spec_from_file_location(
        "select_settings", REPO / "benchmarks" / "select_settings.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_row_matches_the_folds_by_hand(data_home, capsys):
    """One printed row (PCA, T = 2, 8 components, whitened, mean cosine, mirrored
    dictionary) against the same pipeline fitted on each video-disjoint fold by hand."""
    from sklearn.pipeline import make_pipeline

    from sklearn_skippose import (DTWNearestNeighbors, PCAEmbedder, PoseNormalizer,
                                  SequenceWhitener, mirror_poses)
    from sklearn_skippose.datasets import load_jhmdb
    from sklearn_skippose.metrics import mean_per_class_accuracy
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

    jh = load_jhmdb(data_home)
    idx, cv = inner_splits(jh.splits, 1)
    X, y = jh.data[idx], jh.target[idx]
    for (dic, val), printed in zip(cv.split(X), folds):
        feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"),
                             PCAEmbedder(window=2, n_components=8), SequenceWhitener())
        feat.fit(X[dic])
        knn = DTWNearestNeighbors(aggregate="mean").fit(feat.transform(X[dic]), y[dic])
        knn.partial_fit(feat.transform(mirror_poses(X[dic])), y[dic])
        acc = mean_per_class_accuracy(y[val], knn.predict(feat.transform(X[val])))
        assert 100 * acc == pytest.approx(printed, abs=0.051)  # printed to one decimal
    assert np.isin(idx, np.flatnonzero(jh.splits[:, 1] == 1)).all()  # training clips only


@pytest.mark.parametrize("argv", [["--random-state", "-1"], ["--window", "0"],
                                  ["--n-components", "x"], ["--contrastive", "-1"]])
def test_bad_arguments(argv):
    with pytest.raises(SystemExit):
        _script().main(argv)
