"""Where the datasets live: ``data_home`` resolution shared by the loaders."""

import os
from pathlib import Path

import numpy as np

ENV_VAR = "SKIPPOSE_DATA"


def get_data_home(data_home=None):
    """Return the folder the loaders read the datasets from.

    Resolution order: the ``data_home`` argument, then the ``SKIPPOSE_DATA``
    environment variable, then a per-user folder
    (``$XDG_DATA_HOME/sklearn_skippose`` or ``~/.local/share/sklearn_skippose``).
    Nothing is downloaded: the folder must hold the data (see
    :func:`load_jhmdb` and :func:`load_h36m` for the expected layouts).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Explicit folder; wins over everything else.

    Returns
    -------
    path : pathlib.Path
        The resolved folder (it may not exist).

    Examples
    --------
    >>> get_data_home("/tmp/poses").as_posix()
    '/tmp/poses'
    """
    if data_home is not None:
        if not isinstance(data_home, (str, os.PathLike)):
            raise TypeError(
                f"data_home must be a path (str or os.PathLike), got "
                f"{type(data_home).__name__}."
            )
        return Path(data_home).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "sklearn_skippose"


class DataNotFoundError(FileNotFoundError, ValueError):
    """Raised when a loader finds no dataset; both a FileNotFoundError and a ValueError.

    Its message says where the loader looked and how to get the data.

    Examples
    --------
    >>> from sklearn_skippose.datasets import DataNotFoundError, load_jhmdb
    >>> try:
    ...     load_jhmdb("/nowhere")
    ... except DataNotFoundError as exc:
    ...     print(str(exc).splitlines()[0])
    No JHMDB data found. Looked in:
    """


def open_npz(path, what):
    """``np.load`` of a data bundle; a file that is not a ``.npz`` archive of
    arrays is a ``ValueError`` naming it (numpy's own message for a stray
    file advises loading pickles, which the loaders never do)."""
    try:
        z = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(
            f"Malformed {what} {path}: not a .npz archive of numeric arrays."
        ) from exc
    if not isinstance(z, np.lib.npyio.NpzFile):  # a bare .npy renamed
        raise ValueError(f"Malformed {what} {path}: a single array, not a .npz archive.")
    return z


def missing_data_error(dataset, looked_in, how_to_get):
    """The error a loader raises when no data is found, saying where it looked."""
    places = "\n  ".join(str(p) for p in looked_in)
    return DataNotFoundError(
        f"No {dataset} data found. Looked in:\n  {places}\n{how_to_get}\n"
        f"Pass data_home=... or set the {ENV_VAR} environment variable to the "
        "folder that holds it."
    )


def _name_list(value, what):
    """None, one name or a list of names, as a list (a string is one name,
    never its characters or substrings)."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    try:
        names = list(value)
    except TypeError:
        raise TypeError(f"{what} must be a name or a list of names, got {value!r}.") from None
    if not all(isinstance(n, str) for n in names):
        raise TypeError(f"{what} must be a name or a list of names, got {value!r}.")
    if not names:
        raise ValueError(f"{what} is empty: give at least one name, or None for all.")
    return names
