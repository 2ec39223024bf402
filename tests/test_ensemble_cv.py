"""``benchmarks/ensemble_cv.py``: class scores against a plain DTW, and its printed
PCA row against the pipeline fitted on each video-disjoint fold by hand."""

import re

import numpy as np
import pytest

from tests._reference import reference_dtw
from tests.conftest import load_benchmark, pca_fold_accuracies

# tests of a script in benchmarks/, not of the package: .ci/run runs them in the
# main environment only
pytestmark = pytest.mark.benchmark_script


def _script():
    return load_benchmark("ensemble_cv")


def _ragged(rng, lengths, d):
    Z = np.full((len(lengths), max(lengths), d), np.nan)
    for i, n in enumerate(lengths):
        Z[i, :n] = rng.normal(size=(n, d))
    return Z


def test_class_scores_against_plain_dtw():
    """Raw score: best plain-DTW score per class over clips and mirrors; centred: minus
    the class's mean over dictionary clips scored without themselves and their mirror
    (a class with a single dictionary clip gets that clip's mirror left out too)."""
    rng = np.random.default_rng(0)
    y_dict = np.array([0, 0, 1, 2, 2, 2])
    Z = {"dict": _ragged(rng, [4, 6, 5, 3, 7, 5], 3), "mirror": _ragged(rng, [4, 6, 5, 3, 7, 5], 3),
         "val": _ragged(rng, [5, 4, 6], 3)}
    classes = np.unique(y_dict)
    mod = _script()
    raw = mod.class_scores(Z, y_dict)
    centred = mod.centre_scores(Z, y_dict, raw)

    def seq(a):
        return a[~np.isnan(a).any(axis=1)].tolist()

    dic = [seq(a) for a in np.concatenate([Z["dict"], Z["mirror"]])]
    y_D = np.concatenate([y_dict, y_dict])
    n = len(y_dict)

    def best(q, skip=()):
        return [max((reference_dtw(q, dic[j], "cosine", "mean") for j in range(2 * n)
                     if y_D[j] == c and j not in skip), default=np.nan) for c in classes]

    want_raw = np.array([best(seq(q)) for q in Z["val"]])
    dict_best = np.array([best(seq(Z["dict"][i]), skip=(i, i + n)) for i in range(n)])
    assert np.isnan(dict_best[2, 1])  # class 1 has one clip: nothing left to score it against
    want_centred = want_raw - np.nanmean(dict_best, axis=0)
    np.testing.assert_allclose(raw, want_raw, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(centred, want_centred, rtol=1e-6, atol=1e-7)


def test_unit_frames_concatenation_is_the_mean_cosine():
    """Cosine of frames scaled to unit length and concatenated = mean of the cosines."""
    rng = np.random.default_rng(1)
    a1, a2, b1, b2 = (rng.normal(size=(5, 4)) for _ in range(4))
    u = _script().unit_frames
    lhs = np.sum(np.concatenate([u(a1), u(a2)], -1) * np.concatenate([u(b1), u(b2)], -1), -1)
    lhs /= np.linalg.norm(np.concatenate([u(a1), u(a2)], -1), axis=-1) ** 2
    cos = [np.sum(u(a) * u(b), -1) for a, b in ((a1, b1), (a2, b2))]
    np.testing.assert_allclose(lhs, np.mean(cos, axis=0))


def test_rows_and_pca_by_hand(data_home, capsys, monkeypatch):
    """Short run (a small Skip-Pose: T = 2, 16 dimensions, one epoch, 200 projections;
    two seeds, split 2): every row is printed and the PCA row is the pipeline fitted on
    each fold by hand."""
    from sklearn_skippose.evaluation import make_method

    mod = _script()
    monkeypatch.setattr(mod, "make_method",
                        lambda *a, **k: make_method(*a, **{**k, "max_epochs": 1}))
    monkeypatch.setitem(mod.SETTINGS, "skippose-aug", dict(window=2, n_components=16))
    mod.main(["--data-home", str(data_home), "--split", "2", "--seeds", "0,1", "--augment", "200"])
    out = capsys.readouterr().out
    labels = ["PCA", "PCA, centred", "Skip-Pose seed 0", "Skip-Pose seed 0, centred",
              "PCA + Skip-Pose seed 0, mean class scores", "Skip-Pose seed 1",
              "Skip-Pose seed 0+1, concatenated", "Skip-Pose seed 0+1, mean class scores",
              "PCA + Skip-Pose seed 0+1, mean class scores"]
    found = {m.group(1).strip(): [float(v) for v in m.group(2, 3)]
             for m in re.finditer(r"^(.+?)\s+[\d.]+\s+\(folds ([\d.]+) / ([\d.]+)\)$", out, re.M)}
    assert set(labels) <= set(found)

    by_hand = pca_fold_accuracies(data_home, 1, window=10, n_components=192)
    assert [100 * a for a in by_hand] == pytest.approx(found["PCA"], abs=0.051)


@pytest.mark.parametrize("argv", [["--split", "4"], ["--augment", "x"], ["--augment", "0"], ["--seeds", "a"],
                                  ["--seeds", "-1"], ["--seeds", "0,0"]])
def test_bad_arguments(argv):
    with pytest.raises(SystemExit):
        _script().main(argv)
