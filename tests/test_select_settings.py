"""``benchmarks/select_settings.py``: its ranking is what the pipeline gives by hand."""

import re

import numpy as np
import pytest

from tests.conftest import load_benchmark, pca_fold_accuracies

# tests of a script in benchmarks/, not of the package: .ci/run runs them in the
# main environment only
pytestmark = pytest.mark.benchmark_script


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
    assert all("band=none" in ln for ln in rows)
    row = next(ln for ln in rows if "scale=white" in ln and "aggregate=mean" in ln
               and "metric=cosine" in ln and "mirror=yes" in ln)
    by_hand = pca_fold_accuracies(data_home, 1, window=2, n_components=8)
    assert [100 * a for a in by_hand] == pytest.approx(_folds(row), abs=0.051)  # one decimal
    jh = load_jhmdb(data_home)
    idx, _ = inner_splits(jh.splits, 1)
    assert np.isin(idx, np.flatnonzero(jh.splits[:, 1] == 1)).all()  # training clips only


def _folds(row):
    return [float(v) for v in re.search(r"folds ([\d.]+) ([\d.]+)", row).groups()]


def test_constraint_rows_match_the_folds_by_hand(data_home, capsys):
    """``--constraint 1,itakura``: the Sakoe-Chiba and Itakura rows against the same
    constrained DTW 1-NN by hand; the band of radius 1 is a real constraint here
    (the folds score differently without it)."""
    assert _script().main(["--data-home", str(data_home), "--methods", "pca", "--normalize",
                           "first_pose_isotropic", "--window", "2", "--n-components", "8",
                           "--split", "2", "--scale", "whiten", "--constraint", "1,itakura"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines()
            if "scale=white" in ln and "aggregate=mean" in ln and "metric=cosine" in ln
            and "mirror=yes" in ln]
    got = {lab: _folds(next(ln for ln in rows if f" {lab} " in ln))
           for lab in ("band=1", "itakura")}
    assert "band=none" not in " ".join(rows)
    for lab, params in (("band=1", dict(global_constraint="sakoe_chiba", sakoe_chiba_radius=1)),
                        ("itakura", dict(global_constraint="itakura"))):
        by_hand = pca_fold_accuracies(data_home, 1, window=2, n_components=8, **params)
        assert [100 * a for a in by_hand] == pytest.approx(got[lab], abs=0.051)
    unconstrained = pca_fold_accuracies(data_home, 1, window=2, n_components=8)
    assert [100 * a for a in unconstrained] != pytest.approx(got["band=1"], abs=0.051)


def test_shrinkage_rows_match_the_folds_by_hand(data_home, capsys):
    """``--scale whiten --shrinkage 0.001,0.3``: only whitened rows, one per
    shrinkage, each against the whitener of that shrinkage by hand."""
    assert _script().main(["--data-home", str(data_home), "--methods", "pca", "--normalize",
                           "first_pose_isotropic", "--window", "2", "--n-components", "8",
                           "--split", "2", "--scale", "whiten",
                           "--shrinkage", "0.001,0.3"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("T=2")]
    assert len(rows) == 2 * 2 * 2 * 2  # shrinkages x aggregates x metrics x mirror
    assert all("scale=white(" in ln for ln in rows)
    got = {}
    for lab in ("0.001", "0.3"):
        got[lab] = _folds(next(ln for ln in rows if f"scale=white({lab})" in ln
                               and "aggregate=mean" in ln and "metric=cosine" in ln
                               and "mirror=yes" in ln))
        by_hand = pca_fold_accuracies(data_home, 1, window=2, n_components=8,
                                      shrinkage=float(lab))
        assert [100 * a for a in by_hand] == pytest.approx(got[lab], abs=0.051)
    assert got["0.001"] != pytest.approx(got["0.3"], abs=0.051)


def test_center_rows_match_the_folds_by_hand(data_home, capsys):
    """``--scale whiten --center 0,0.6``: one row per fraction, each against the
    whitened embeddings centred on their own sequence by that fraction, by hand."""
    assert _script().main(["--data-home", str(data_home), "--methods", "pca", "--normalize",
                           "first_pose_isotropic", "--window", "2", "--n-components", "8",
                           "--split", "2", "--scale", "whiten", "--center", "0,0.6"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("T=2")]
    assert len(rows) == 2 * 2 * 2 * 2  # fractions x aggregates x metrics x mirror
    got = {}
    for lab in ("0", "0.6"):
        got[lab] = _folds(next(ln for ln in rows if f"center={lab} " in ln
                               and "aggregate=mean" in ln and "metric=cosine" in ln
                               and "mirror=yes" in ln))
        by_hand = pca_fold_accuracies(data_home, 1, window=2, n_components=8,
                                      center=float(lab))
        assert [100 * a for a in by_hand] == pytest.approx(got[lab], abs=0.051)
    assert got["0"] != pytest.approx(got["0.6"], abs=0.051)


def _record_fits(monkeypatch, *names):
    """Spy on ``SkipPoseEmbedder.fit``: the list it returns receives, for
    every fit, the tuple of the named parameters' values."""
    from sklearn_skippose import SkipPoseEmbedder

    seen, fit = [], SkipPoseEmbedder.fit

    def spy(self, X, y=None, **kw):
        # "augmentation__n_samples": a parameter of a nested estimator
        seen.append(tuple(self.get_params()[n] for n in names))
        return fit(self, X, y, **kw)

    monkeypatch.setattr(SkipPoseEmbedder, "fit", spy)
    return seen


def test_patience_reaches_the_embedder(data_home, capsys, monkeypatch):
    """``--patience 1,3`` (Skip-Pose, 2 epochs at most): one row per patience,
    and every Skip-Pose fit of the grid runs with one of them (a spy on
    ``fit``: at so few epochs the validation loss still falls every epoch, so
    the rows' accuracies cannot tell the patiences apart)."""
    seen = _record_fits(monkeypatch, "patience")
    assert _script().main(["--data-home", str(data_home), "--methods", "skippose",
                           "--normalize", "first_pose_isotropic", "--window", "2",
                           "--n-components", "4", "--max-epochs", "2", "--split", "2",
                           "--scale", "whiten", "--patience", "1,3"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines()
            if "aggregate=mean" in ln and "metric=cosine" in ln and "mirror=yes" in ln]
    assert sorted(re.search(r"patience=(\d+) ", ln).group(1) for ln in rows) == ["1", "3"]
    assert sorted(seen) == [(1,), (1,), (3,), (3,)]  # two folds each, cached across classifier settings


def test_contrastive_pair_reaches_the_embedder(data_home, capsys, monkeypatch):
    """``--contrastive 0,0.5 --contrastive-pair view,neighbours``: one row per
    pair with the term, one without it, and the Skip-Pose fits run with each
    (a spy on ``fit``); the pair is meaningless at ``contrastive=0``, so that
    model is fitted once per fold, not once per pair."""
    seen = _record_fits(monkeypatch, "contrastive", "contrastive_pair")
    assert _script().main(["--data-home", str(data_home), "--methods", "skippose",
                           "--normalize", "first_pose_isotropic", "--window", "2",
                           "--n-components", "4", "--max-epochs", "1", "--split", "2",
                           "--scale", "whiten", "--contrastive", "0,0.5",
                           "--contrastive-pair", "view,neighbours"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines()
            if "aggregate=mean" in ln and "metric=cosine" in ln and "mirror=yes" in ln]
    labels = sorted(re.search(r"contrastive=([\d.]+) (pair=\w+ )?", ln).group(0).strip()
                    for ln in rows)
    assert labels == ["contrastive=0", "contrastive=0.5 pair=neighbours",
                      "contrastive=0.5 pair=view"]
    assert sorted(seen) == [(0.0, "view")] * 2 + [(0.5, "neighbours")] * 2 \
        + [(0.5, "view")] * 2


def test_augment_amounts_reach_the_projections(data_home, capsys, monkeypatch):
    """``--augment 50,200`` (Skip-Pose + mocap, 1 epoch): one row per amount,
    and every fit runs with that amount as its ``MocapProjection(n_samples=...)``
    (a spy on ``fit``; ``tests/test_augmentation.py`` checks that an epoch draws
    that many)."""
    seen = _record_fits(monkeypatch, "augmentation__n_samples")
    assert _script().main(["--data-home", str(data_home), "--methods", "skippose-aug",
                           "--normalize", "first_pose_isotropic", "--window", "2",
                           "--n-components", "4", "--max-epochs", "1", "--split", "2",
                           "--scale", "whiten", "--jitter", "no", "--augment", "50,200"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines()
            if "aggregate=mean" in ln and "metric=cosine" in ln and "mirror=yes" in ln]
    assert sorted(re.search(r"augment=(\d+) ", ln).group(1) for ln in rows) == ["200", "50"]
    assert sorted(seen) == [(50,), (50,), (200,), (200,)]  # two folds each


@pytest.mark.parametrize("argv", [["--random-state", "-1"], ["--augment", "-5"],
                                  ["--augment", "1e4"], ["--window", "0"],
                                  ["--n-components", "x"], ["--contrastive", "-1"],
                                  ["--constraint", "-1"], ["--constraint", "sakoe"],
                                  ["--constraint", "none,"], ["--shrinkage", "-0.1"],
                                  ["--shrinkage", "a"], ["--scale", "whiten,zscore"],
                                  ["--center", "1.5"], ["--center", "-0.1"], ["--center", "a"],
                                  ["--patience", "0"], ["--patience", "5,x"],
                                  ["--contrastive-pair", "neighbors"],
                                  ["--contrastive-pair", "view,"]])
def test_bad_arguments(argv):
    with pytest.raises(SystemExit):
        _script().main(argv)
