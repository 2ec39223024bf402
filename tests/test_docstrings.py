"""numpydoc validation of every public class, function and method."""

import importlib
import inspect

import pytest
from numpydoc.validate import validate

MODULES = ["", "augmentation", "datasets", "embedding", "evaluation", "metrics",
           "model_selection", "neighbors", "plotting", "preprocessing", "utils"]

# checks this package does not follow (as scikit-learn): See Also and Extended
# Summary sections everywhere, the exact wording of Returns, Examples in
# methods, one-line summaries that end a sentence elsewhere.
IGNORED = {"GL01", "GL02", "SA01", "ES01", "RT02", "RT05", "SS03", "SS05", "PR09"}
METHOD_IGNORED = IGNORED | {"EX01"}


def _public_objects():
    seen = set()
    for module in MODULES:
        name = "sklearn_skippose" + (f".{module}" if module else "")
        mod = importlib.import_module(name)
        for attr in mod.__all__:
            obj = getattr(mod, attr, None)
            if attr.startswith("__") or id(obj) in seen:
                continue
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # constants and scorer instances
            seen.add(id(obj))
            yield f"{name}.{attr}", IGNORED
            if inspect.isclass(obj):
                for meth, value in vars(obj).items():
                    if not meth.startswith("_") and callable(value):
                        yield f"{name}.{attr}.{meth}", METHOD_IGNORED


OBJECTS = list(_public_objects())


@pytest.mark.parametrize("qualname, ignored", OBJECTS, ids=[q for q, _ in OBJECTS])
def test_docstring(qualname, ignored):
    errors = [f"{code}: {message}" for code, message in validate(qualname)["errors"]
              if code not in ignored]
    assert not errors, "\n".join(errors)
