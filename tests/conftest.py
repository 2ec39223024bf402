import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def _data_home():
    env = os.environ.get("SKIPPOSE_DATA")
    if env:
        return Path(env)
    return REPO.parent / "shared" / "data"


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
