"""What a bug report needs: the versions and compute devices this package runs with."""

import os
import platform
import sys
from importlib import metadata

__all__ = ["show_versions"]

#: Distributions reported (required ones first, then optional ones).
_DEPENDENCIES = ("numpy", "scipy", "scikit-learn", "torch", "numba", "joblib",
                 "matplotlib", "tslearn", "pandas")


def _versions(import_torch=True):
    """``{section: {name: value}}`` of everything :func:`show_versions` prints.

    With ``import_torch=False`` torch's threads and devices are reported
    only when torch is already imported (a run that needed no network
    does not load it just to say so).
    """
    from .. import __version__

    system = {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
        "cpu": _cpu(),
    }
    deps = {"sklearn_skippose": __version__}
    for name in _DEPENDENCIES:
        try:
            deps[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            deps[name] = None
    compute = {}
    try:
        if not import_torch and "torch" not in sys.modules:
            raise ImportError("torch not loaded")
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


def _cpu():
    """The processor's model name (where the system says it) and core count."""
    name = platform.processor() or ""
    try:  # Linux: platform.processor() is often just the architecture
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = os.cpu_count()
    return f"{name or 'unknown'}, {cores} logical cores" if cores else (name or "unknown")


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
