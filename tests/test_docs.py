"""The API reference lists every public name (the docs build checks the rest)."""

import importlib
import re
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[1] / "docs" / "api.rst"
MODULES = ["", "augmentation", "datasets", "embedding", "evaluation", "metrics",
           "model_selection", "neighbors", "plotting", "preprocessing", "utils"]


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_is_in_the_api_reference(module):
    text = API.read_text()
    listed = set(re.findall(r"^   ([\w.]+)$", text, re.M))  # autosummary entries
    listed |= set(re.findall(r"^\.\. py:data:: ([\w.]+)$", text, re.M))
    mod = importlib.import_module("sklearn_skippose" + (f".{module}" if module else ""))
    missing = [name for name in mod.__all__ if not name.startswith("__")
               and name not in listed and f"{module}.{name}" not in listed]
    assert not missing, f"not in docs/api.rst: {missing}"
