import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def load_benchmark(name):
    """The script ``benchmarks/<name>.py`` imported as a module (its ``main`` not run)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _data_home():
    env = os.environ.get("SKIPPOSE_DATA")
    if env:
        return Path(env)
    return REPO.parent / "shared" / "data"


def pca_fold_accuracies(data_home, split, window, n_components, shrinkage=1e-3, center=0.0,
                        **knn_params):
    """Mean per-class accuracy on each video-disjoint fold of ``split``'s training
    clips (0-based), by hand: first-pose isotropic normalisation, PCA, whitening,
    mean cosine DTW 1-NN (``knn_params`` added) with the dictionary's mirrored
    clips added; ``shrinkage`` is the whitener's, ``center`` the fraction of each
    sequence's mean frame subtracted after whitening."""
    from sklearn.pipeline import make_pipeline

    from sklearn_skippose import (DTWNearestNeighbors, PCAEmbedder, PoseNormalizer,
                                  SequenceCenterer, SequenceWhitener, mirror_poses)
    from sklearn_skippose.datasets import load_jhmdb
    from sklearn_skippose.metrics import mean_per_class_accuracy
    from sklearn_skippose.model_selection import inner_splits

    jh = load_jhmdb(data_home)
    idx, cv = inner_splits(jh.splits, split)
    X, y = jh.data[idx], jh.target[idx]
    accs = []
    for dic, val in cv.split(X):
        feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"),
                             PCAEmbedder(window=window, n_components=n_components),
                             SequenceWhitener(shrinkage=shrinkage),
                             SequenceCenterer(fraction=center)).fit(X[dic])
        knn = DTWNearestNeighbors(aggregate="mean", **knn_params).fit(feat.transform(X[dic]), y[dic])
        knn.partial_fit(feat.transform(mirror_poses(X[dic])), y[dic])
        accs.append(mean_per_class_accuracy(y[val], knn.predict(feat.transform(X[val]))))
    return accs


DATA_HOME = _data_home()
HAS_JHMDB = (DATA_HOME / "jhmdb" / "jhmdb_gt2d_partial.npz").is_file()
HAS_H36M = (DATA_HOME / "h36m" / "h36m_pos3d_17j_25hz.npz").is_file()


@pytest.fixture(scope="session")
def data_home():
    if not HAS_JHMDB:
        pytest.skip(
            f"Real data not found at {DATA_HOME} (set SKIPPOSE_DATA to the folder "
            "holding jhmdb/ and h36m/)."
        )
    return DATA_HOME


@pytest.fixture(scope="session")
def jhmdb(data_home):
    from sklearn_skippose.datasets import load_jhmdb

    return load_jhmdb(data_home)


@pytest.fixture(scope="session")
def h36m_home():
    if not HAS_H36M:
        pytest.skip(f"Human3.6M data not found at {DATA_HOME}.")
    return DATA_HOME


@pytest.fixture
def rng():
    return np.random.default_rng(0)
