"""What a bug report needs: the versions and compute devices this package runs with."""

import platform
import sys
from importlib import metadata

__all__ = ["show_versions"]

#: Distributions reported (required ones first, then optional ones).
_DEPENDENCIES = ("numpy", "scipy", "scikit-learn", "torch", "numba", "joblib",
                 "matplotlib", "tslearn", "pandas")


def _versions():
    """``{section: {name: value}}`` of everything :func:`show_versions` prints."""
    from .. import __version__

    system = {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }
    deps = {"sklearn_skippose": __version__}
    for name in _DEPENDENCIES:
        try:
            deps[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            deps[name] = None
    compute = {}
    try:
        import torch

        compute["torch threads"] = torch.get_num_threads()
        compute["cuda available"] = torch.cuda.is_available()
        if torch.cuda.is_available():
            compute["cuda devices"] = ", ".join(
                torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    except ImportError:  # pragma: no cover - torch is a dependency
        compute["torch threads"] = None
    try:
        import numba

        compute["numba threads"] = numba.get_num_threads()
    except ImportError:  # pragma: no cover - numba is a dependency
        compute["numba threads"] = None
    return {"System": system, "Dependencies": deps, "Compute": compute}


def show_versions():
    """Print the versions of Python, this package and its dependencies.

    Also prints the compute resources the package will use: torch's and
    numba's thread counts (the DTW kernels run on numba's threads) and the
    CUDA devices torch sees. Paste the output into bug reports; the command
    line prints the same with ``skippose show-versions``.

    Examples
    --------
    >>> from sklearn_skippose import show_versions
    >>> show_versions()  # doctest: +SKIP
    System:
        python: 3.11...
    """
    for section, values in _versions().items():
        print(f"\n{section}:")
        width = max(len(k) for k in values)
        for key, value in values.items():
            shown = "not installed" if value is None else value
            print(f"    {key:>{width}}: {shown}")
